/**
 * ERSPAN, Cisco's mirrored-traffic encapsulation inside GRE:
 * - type I: GRE 0x88be without a sequence number; the mirrored Ethernet frame follows the GRE header directly;
 * - type II: GRE 0x88be with a sequence number; an 8-byte header (version 1, VLAN, session id) then the frame;
 * - type III: GRE 0x22eb; a 12-byte header (version 2, session id, timestamp, frame type, O flag) plus an 8-byte
 *   platform-specific subheader when O is set, then the frame (frame type 0) or an IP packet (frame type 2).
 * @module
 */

import { InnerKind, TunnelError, type TunnelInfo, TunnelType } from "./tunnel_info.ts";

const TYPE_II_HEADER_BYTES = 8;
const TYPE_III_HEADER_BYTES = 12;
const TYPE_III_SUBHEADER_BYTES = 8;
const FRAME_TYPE_ETHERNET = 0;
const FRAME_TYPE_IP = 2;

/** ERSPAN type I: no header of its own. */
export function decodeErspanI(at: number, end: number, info: TunnelInfo): boolean {
  info.type = TunnelType.ERSPAN_I;
  info.innerKind = InnerKind.ETHERNET;
  info.innerOffset = at;
  info.innerEnd = end;
  return true;
}

/** ERSPAN type II header at `data[at, end)`. */
export function decodeErspanII(data: Uint8Array, at: number, end: number, info: TunnelInfo): boolean {
  info.type = TunnelType.ERSPAN_II;
  if (!checkHeader(data, at, end, TYPE_II_HEADER_BYTES, 1, info)) return false;
  info.id = sessionId(data, at);
  info.innerKind = InnerKind.ETHERNET;
  info.innerOffset = at + TYPE_II_HEADER_BYTES;
  info.innerEnd = end;
  return true;
}

/** ERSPAN type III header at `data[at, end)`. */
export function decodeErspanIII(data: Uint8Array, at: number, end: number, info: TunnelInfo): boolean {
  info.type = TunnelType.ERSPAN_III;
  if (!checkHeader(data, at, end, TYPE_III_HEADER_BYTES, 2, info)) return false;
  info.id = sessionId(data, at);
  const hasSubheader = (data[at + 11] & 0x01) !== 0;
  const headerBytes = TYPE_III_HEADER_BYTES + (hasSubheader ? TYPE_III_SUBHEADER_BYTES : 0);
  if (at + headerBytes > end) {
    info.error = TunnelError.ERSPAN_TRUNCATED;
    return false;
  }
  const frameType = (data[at + 10] >> 2) & 0x1f;
  info.innerOffset = at + headerBytes;
  info.innerEnd = end;
  if (frameType === FRAME_TYPE_ETHERNET) {
    info.innerKind = InnerKind.ETHERNET;
    return true;
  }
  if (frameType === FRAME_TYPE_IP && info.innerOffset < end) {
    const version = data[info.innerOffset] >> 4;
    if (version === 4 || version === 6) {
      info.innerKind = version === 4 ? InnerKind.IPV4 : InnerKind.IPV6;
      return true;
    }
  }
  info.error = TunnelError.ERSPAN_FRAME_TYPE_UNSUPPORTED;
  return false;
}

function checkHeader(data: Uint8Array, at: number, end: number, bytes: number, version: number, info: TunnelInfo) {
  if (at + bytes > end) {
    info.error = TunnelError.ERSPAN_TRUNCATED;
    return false;
  }
  if (data[at] >> 4 !== version) {
    info.error = TunnelError.ERSPAN_VERSION_INVALID;
    return false;
  }
  return true;
}

function sessionId(data: Uint8Array, at: number): number {
  return ((data[at + 2] & 0x03) << 8) | data[at + 3];
}
