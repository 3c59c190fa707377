/**
 * WebSocket frame headers (RFC 6455 §5.2): how long a header is from its first two bytes, decoding a gathered header
 * into a reused object, and the checks of §5.2 and §5.5 that decide whether the framing can still be trusted.
 * @module
 */
import { WsOpcode } from "./types.ts";

/** Bytes of the shortest header (no extended length, no mask); enough to know the header's length. */
export const WS_HEAD_BYTES_MIN = 2;
/** Bytes of the longest header: 2 + a 64-bit length + a 4-byte mask. */
export const WS_HEAD_BYTES_MAX = 14;
/** 2^53 / 2^32: a 64-bit length at or above this is not a length we can follow (and the top bit must be 0). */
const LENGTH_HIGH_LIMIT = 0x200000;
/** Longest control frame payload (§5.5). */
const CONTROL_PAYLOAD_BYTES_MAX = 125;
/** RSV1: a permessage-deflate message's first frame (RFC 7692 §6). */
const RSV1 = 0x40;

/** One decoded header; `WsFrameReader` keeps one and overwrites it frame after frame. */
export interface WsFrameHeader {
  fin: boolean;
  opcode: number;
  /** RSV1..3 as they sit in the first byte (0x40, 0x20, 0x10). */
  reserved: number;
  masked: boolean;
  /** Payload bytes (below 2^53). */
  length: number;
  /** Masking key; meaningful only when `masked`. */
  readonly mask: Uint8Array;
}

/** Why a header breaks the framing (a `WsInvalidReason`). */
export type WsFrameFault = "bad_opcode" | "bad_control_frame" | "reserved_bits";

/** A header to decode into. */
export function createWsFrameHeader(): WsFrameHeader {
  return { fin: false, opcode: 0, reserved: 0, masked: false, length: 0, mask: new Uint8Array(4) };
}

/** Bytes of the whole header (2..14) whose second byte is `secondByte` (mask bit and 7-bit length). */
export function wsHeaderBytes(secondByte: number): number {
  const length7 = secondByte & 0x7f;
  const extended = length7 === 126 ? 2 : length7 === 127 ? 8 : 0;
  return WS_HEAD_BYTES_MIN + extended + ((secondByte & 0x80) !== 0 ? 4 : 0);
}

/**
 * Decodes the whole header at the start of `head` (`wsHeaderBytes(head[1])` bytes) into `out`. False when its 64-bit
 * length cannot be followed (top bit set, or 2^53 or more); `out.length` and `out.mask` are then not set.
 */
export function decodeWsFrameHeader(head: Uint8Array, out: WsFrameHeader): boolean {
  const first = head[0];
  const length7 = head[1] & 0x7f;
  out.fin = (first & 0x80) !== 0;
  out.opcode = first & 0x0f;
  out.reserved = first & 0x70;
  out.masked = (head[1] & 0x80) !== 0;
  let length = length7;
  let at = WS_HEAD_BYTES_MIN;
  if (length7 === 126) {
    length = (head[2] << 8) | head[3];
    at = 4;
  } else if (length7 === 127) {
    const high = readU32(head, 2);
    if (high >= LENGTH_HIGH_LIMIT) return false;
    length = high * 0x1_0000_0000 + readU32(head, 6);
    at = 10;
  }
  out.length = length;
  if (out.masked) { for (let k = 0; k < 4; k++) out.mask[k] = head[at + k]; }
  return true;
}

/**
 * What makes a decoded header break the framing (§5.2, §5.5), or null. With `deflate` (permessage-deflate agreed),
 * RSV1 is allowed on the first frame of a data message, so a header that passes has `reserved` set only then.
 */
export function wsFrameHeaderFault(frame: WsFrameHeader, deflate: boolean): WsFrameFault | null {
  const opcode = frame.opcode;
  const control = opcode >= WsOpcode.CLOSE;
  if (control ? opcode > WsOpcode.PONG : opcode > WsOpcode.BINARY) return "bad_opcode";
  if (control && (!frame.fin || frame.length > CONTROL_PAYLOAD_BYTES_MAX)) return "bad_control_frame";
  const compressed = frame.reserved === RSV1 && deflate && !control && opcode !== WsOpcode.CONTINUATION;
  if (frame.reserved !== 0 && !compressed) return "reserved_bits";
  return null;
}

function readU32(bytes: Uint8Array, at: number): number {
  return ((bytes[at] << 24) | (bytes[at + 1] << 16) | (bytes[at + 2] << 8) | bytes[at + 3]) >>> 0;
}
