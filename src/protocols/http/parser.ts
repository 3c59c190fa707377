/**
 * The HTTP/1.x parser for the registry: a cheap detector and a one-payload parser (a head plus, when its length is
 * known and present, the body). Streams use `HttpConnection` (`transaction.ts`), which frames bodies across segments.
 * @module
 */
import type { Detection, Parser, ParseResult } from "../parser.ts";
import { LF, startsWith } from "./_bytes.ts";
import { isChunked, parseHead } from "./head.ts";
import { HEAD_BYTES_MAX_DEFAULT } from "./stream.ts";
import { HTTP_INVALID_REASONS, type HttpInvalidReason, type HttpMessage } from "./types.ts";

/** Method prefixes `detectHttp` recognises, with the space that follows them. */
const METHOD_PREFIXES = ["GET ", "POST ", "PUT ", "HEAD ", "DELETE ", "OPTIONS ", "PATCH ", "CONNECT ", "TRACE "];

/**
 * Cheap check of the first bytes: a status line ("HTTP/1.") or a well-known method followed by a space.
 * Does not allocate.
 */
export function detectHttp(payload: Uint8Array): Detection | undefined {
  const end = payload.length;
  if (startsWith(payload, 0, end, "HTTP/1.")) return "response";
  for (const prefix of METHOD_PREFIXES) {
    if (startsWith(payload, 0, end, prefix)) return "request";
  }
  return undefined;
}

/**
 * Finds the end of the head in `payload` (the index after the empty line), or -1 when it is not all there.
 * Accepts CR LF and bare LF line ends.
 */
export function findHeadEnd(payload: Uint8Array, limitBytes: number): number {
  const end = Math.min(payload.length, limitBytes);
  for (let lf = payload.indexOf(LF); lf !== -1 && lf < end; lf = payload.indexOf(LF, lf + 1)) {
    if (lf >= 1 && payload[lf - 1] === LF) return lf + 1;
    if (lf >= 2 && payload[lf - 1] === 0x0d && payload[lf - 2] === LF) return lf + 1;
  }
  return -1;
}

/**
 * Parses one message from the start of `payload`: the head, and the body when Content-Length says how long it is.
 *
 * @returns `message` with `consumedBytes` = head + body; `incomplete` when the head or a Content-Length body is not
 * all there or the body is chunked or read until close (use a connection for those); `invalid` with a reason.
 */
export function parseHttpMessage(payload: Uint8Array): ParseResult<HttpMessage, HttpInvalidReason> {
  const headEnd = findHeadEnd(payload, HEAD_BYTES_MAX_DEFAULT);
  if (headEnd === -1) {
    return payload.length >= HEAD_BYTES_MAX_DEFAULT
      ? { kind: "invalid", reason: "head_too_large" }
      : { kind: "incomplete" };
  }
  const result = parseHead(payload, 0, headEnd);
  if (!result.ok) return { kind: "invalid", reason: result.reason };
  const message = result.message;
  if (message.transferEncoding !== undefined) {
    if (!isChunked(message.transferEncoding) && message.kind === "request") {
      return { kind: "invalid", reason: "bad_transfer_encoding" };
    }
    return { kind: "incomplete" };
  }
  const noBody = message.kind === "response" &&
    (message.status < 200 || message.status === 204 || message.status === 304);
  const bodyBytes = noBody ? 0 : message.contentLength ?? (message.kind === "request" ? 0 : -1);
  if (bodyBytes < 0 || headEnd + bodyBytes > payload.length) return { kind: "incomplete" };
  message.bodyBytes = bodyBytes;
  return { kind: "message", message, consumedBytes: headEnd + bodyBytes };
}

/** The HTTP/1.x parser object for the registry. */
export const httpParser: Parser<HttpMessage, HttpInvalidReason> = {
  name: "http",
  transports: ["tcp"],
  ports: [80, 8000, 8080, 8008, 8888],
  invalidReasons: HTTP_INVALID_REASONS,
  detect: detectHttp,
  parse: parseHttpMessage,
};
