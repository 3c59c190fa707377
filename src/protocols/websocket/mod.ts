/**
 * WebSocket (RFC 6455) as a carrier of another protocol over TCP, e.g. SIP (RFC 7118): the upgrade handshake, frames
 * per direction (masking, 7/16/64-bit lengths, fragmentation, interleaved control frames) and whole messages out.
 * The only import other folders use.
 * @module
 */
export * from "./types.ts";
export { HANDSHAKE_BYTES_MAX, type HandshakeHead, type HandshakeResult, readHandshakeHead } from "./handshake.ts";
export {
  WS_MESSAGE_BYTES_MAX_DEFAULT,
  WsFrameReader,
  type WsFrameReaderOptions,
  type WsFrameSink,
} from "./frame_reader.ts";
export {
  WebSocketConnection,
  type WebSocketConnectionOptions,
  type WebSocketSink,
  type WebSocketState,
} from "./connection.ts";
