/**
 * WebSocket (RFC 6455) as a carrier of another protocol over TCP, e.g. SIP (RFC 7118): the upgrade handshake, frames
 * per direction (masking, 7/16/64-bit lengths, fragmentation, interleaved control frames), permessage-deflate
 * (RFC 7692), pickup of connections whose handshake was not seen, and whole messages out.
 * The only import other folders use.
 * @module
 */
export * from "./types.ts";
export * from "./limits.ts";
export { HANDSHAKE_BYTES_MAX, type HandshakeHead, type HandshakeResult, readHandshakeHead } from "./handshake.ts";
export { defaultDeflateParams, type DeflateParams, parseDeflateExtension } from "./extensions.ts";
export { type InflateOutcome, WsInflater, type WsInflaterOptions } from "./inflater.ts";
export {
  detectWebSocketSip,
  SNIFF_COMPRESSED,
  SNIFF_MASKED,
  SNIFF_NONE,
  SNIFF_NOT_SIP,
  SNIFF_SIP,
  type SniffOptions,
  sniffWsSip,
} from "./sniff.ts";
export { WsFrameReader, type WsFrameReaderOptions, type WsFrameSink } from "./frame_reader.ts";
export {
  WebSocketConnection,
  type WebSocketConnectionOptions,
  type WebSocketSink,
  type WebSocketState,
} from "./connection.ts";
