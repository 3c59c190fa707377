/**
 * Guessing a WebSocket frame boundary without the handshake (a capture that starts mid-connection, or lost bytes):
 * the bytes at the start of a TCP delivery must read as the header of a text or binary frame that starts a message
 * (a whole message, or the first fragment of one: then the next frame must continue it), with RSV2 and RSV3 clear,
 * the shortest length encoding, and a length within bounds and consistent with what follows, whose
 * payload, unmasked (and inflated when RSV1 marks it compressed), starts with a SIP request or status line. Either
 * direction may be the client, so masked and unmasked frames both pass; the mask bit tells which side this is.
 * Allocation-free except when a compressed candidate is inflated.
 * @module
 */
import { detectSip } from "../sip/mod.ts";
import { WsInflater } from "./inflater.ts";
import { WS_MESSAGE_BYTES_MAX_DEFAULT, WS_SNIFF_BYTES_MAX } from "./limits.ts";
import { type WebSocketStats, WsOpcode } from "./types.ts";

/** `sniffWsSip` outcome: not a frame header a message could start with. */
export const SNIFF_NONE = 0;
/** A plausible text/binary frame header whose payload is no SIP start line. */
export const SNIFF_NOT_SIP = 1;
/** A frame carrying the start of a SIP message: a boundary to decode from. */
export const SNIFF_SIP = 2;
/** Flag beside `SNIFF_SIP`: the frame is masked (it comes from the client). */
export const SNIFF_MASKED = 4;
/** Flag beside `SNIFF_SIP`: the frame is compressed (RSV1, permessage-deflate) and inflated on its own. */
export const SNIFF_COMPRESSED = 8;

/** 2^53 / 2^32: a 64-bit length at or above this is not a length we can follow. */
const LENGTH_HIGH_LIMIT = 0x200000;
const scratch = new Uint8Array(WS_SNIFF_BYTES_MAX);
/**
 * A compressed candidate must inflate on its own (no earlier message to refer to), so one shared inflater; its bound
 * keeps a small compressed frame that inflates hugely from costing more than a usual SIP message per try.
 */
const sniffInflater = new WsInflater({ windowBits: 15, noContextTakeover: true, inflatedBytesMax: 65536 });

/** First byte of a frame that may follow a whole message: any opcode but continuation, RSV1 only on data frames. */
function isNextFrameStart(first: number): boolean {
  const opcode = first & 0x0f;
  if ((first & 0x30) !== 0) return false;
  if (opcode === WsOpcode.TEXT || opcode === WsOpcode.BINARY) return true;
  return (first & 0x40) === 0 && opcode >= WsOpcode.CLOSE && opcode <= WsOpcode.PONG;
}

/** First byte of a frame that may follow a first fragment: a continuation, or a control frame between fragments. */
function isFragmentNext(first: number): boolean {
  const opcode = first & 0x0f;
  if ((first & 0x70) !== 0) return false;
  if (opcode === WsOpcode.CONTINUATION) return true;
  return (first & 0x80) !== 0 && opcode >= WsOpcode.CLOSE && opcode <= WsOpcode.PONG;
}

/** Options of `sniffWsSip`. */
export interface SniffOptions {
  /** Longest message (frame payload) believed. @default WS_MESSAGE_BYTES_MAX_DEFAULT */
  messageBytesMax?: number;
  /** RSV1 may mark a compressed message (permessage-deflate is assumed or was agreed). @default true */
  compressed?: boolean;
}

/**
 * Checks whether a WebSocket frame carrying a SIP message starts at `data[offset]` (`bytes` bytes available).
 * @returns `SNIFF_NONE`, `SNIFF_NOT_SIP`, or `SNIFF_SIP` with `SNIFF_MASKED` / `SNIFF_COMPRESSED` set as they apply.
 * @example
 * ```ts
 * const frame = Uint8Array.from([0x81, 12, ...new TextEncoder().encode("SIP/2.0 200\n")]);
 * sniffWsSip(frame, 0, frame.length); // SNIFF_SIP
 * ```
 */
export function sniffWsSip(data: Uint8Array, offset: number, bytes: number, options: SniffOptions = {}): number {
  if (bytes < 2) return SNIFF_NONE;
  const first = data[offset];
  const second = data[offset + 1];
  const opcode = first & 0x0f;
  const compressed = (first & 0x40) !== 0;
  const fin = (first & 0x80) !== 0;
  if ((first & 0x30) !== 0 || (opcode !== WsOpcode.TEXT && opcode !== WsOpcode.BINARY)) return SNIFF_NONE;
  // A compressed message inflates only whole: its first fragment alone cannot be checked.
  if (compressed && (options.compressed === false || !fin)) return SNIFF_NONE;
  const masked = (second & 0x80) !== 0;
  let length = second & 0x7f;
  let at = 2;
  if (length === 126) {
    if (bytes < 4) return SNIFF_NONE;
    length = (data[offset + 2] << 8) | data[offset + 3];
    if (length < 126) return SNIFF_NONE;
    at = 4;
  } else if (length === 127) {
    if (bytes < 10) return SNIFF_NONE;
    const high = readU32(data, offset + 2);
    length = high * 0x1_0000_0000 + readU32(data, offset + 6);
    if (high >= LENGTH_HIGH_LIMIT || length < 65536) return SNIFF_NONE;
    at = 10;
  }
  const maskAt = offset + at;
  if (masked) at += 4;
  if (length === 0 || length > (options.messageBytesMax ?? WS_MESSAGE_BYTES_MAX_DEFAULT) || at >= bytes) {
    return SNIFF_NONE;
  }
  const next = data[offset + at + length];
  if (at + length < bytes && !(fin ? isNextFrameStart(next) : isFragmentNext(next))) return SNIFF_NONE;
  const available = Math.min(length, bytes - at);
  if (compressed && (available < length || length > WS_SNIFF_BYTES_MAX)) return SNIFF_NONE;
  const copied = Math.min(available, WS_SNIFF_BYTES_MAX);
  let payload = data.subarray(offset + at, offset + at + copied);
  if (masked) {
    for (let k = 0; k < copied; k++) scratch[k] = data[offset + at + k] ^ data[maskAt + (k & 3)];
    payload = scratch.subarray(0, copied);
  }
  if (compressed) {
    if (sniffInflater.inflate(payload) !== "ok") return SNIFF_NOT_SIP;
    payload = sniffInflater.output;
  }
  if (detectSip(payload) === undefined) return SNIFF_NOT_SIP;
  return SNIFF_SIP | (masked ? SNIFF_MASKED : 0) | (compressed ? SNIFF_COMPRESSED : 0);
}

function readU32(bytes: Uint8Array, at: number): number {
  return ((bytes[at] << 24) | (bytes[at + 1] << 16) | (bytes[at + 2] << 8) | bytes[at + 3]) >>> 0;
}

/**
 * Whether a connection whose handshake was not seen carries SIP over WebSocket, judged by the delivery at
 * `data[offset, offset + bytes)`; a frame header without SIP is counted in `stats.midstreamMisses`.
 */
export function detectWebSocketSip(
  data: Uint8Array,
  offset: number,
  bytes: number,
  stats: WebSocketStats,
  messageBytesMax?: number,
): boolean {
  const sniff = sniffWsSip(data, offset, bytes, messageBytesMax === undefined ? {} : { messageBytesMax });
  if (sniff === SNIFF_NOT_SIP) stats.midstreamMisses++;
  return (sniff & SNIFF_SIP) !== 0;
}
