/**
 * HTTP/1.x over reassembled TCP: head parser (`head.ts`), body framing per direction (`stream.ts`, `chunked.ts`),
 * request/response pairing per connection with keep-alive and pipelining (`transaction.ts`) and the `http` record
 * (`event.ts`).
 * @module
 */
export * from "./types.ts";
export { isChunked, parseHead } from "./head.ts";
export { parseStartLine, type StartLine } from "./start_line.ts";
export { ChunkedScanner } from "./chunked.ts";
export { HEAD_BYTES_MAX_DEFAULT, HttpStream, type HttpStreamHooks, type ResponseFraming } from "./stream.ts";
export * from "./transaction.ts";
export { detectHttp, findHeadEnd, httpParser, parseHttpMessage } from "./parser.ts";
export { latin1 } from "./_bytes.ts";
export { httpEvent } from "./event.ts";
