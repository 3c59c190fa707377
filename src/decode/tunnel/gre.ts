/**
 * GRE (RFC 2784/2890) version 0: optional checksum, key and sequence number, then a payload named by an ether
 * type: IPv4, IPv6, transparent Ethernet bridging (0x6558), ERSPAN (0x88be, 0x22eb) and Cisco metadata (0x8909,
 * an 8-byte header naming the inner ether type), WCCP redirection (0x883e: IPv4, after a 4-byte redirect header
 * when the first nibble is not 4, as Wireshark decides). Source routing (R bit, RFC 1701) and version 1 (PPTP) are not
 * descended into.
 * @module
 */

import { readU16, readU32 } from "../cursor.ts";
import { decodeErspanI, decodeErspanII, decodeErspanIII } from "./erspan.ts";
import { innerKindOfEtherType, TunnelError, type TunnelInfo, TunnelType } from "./tunnel_info.ts";

const BASE_HEADER_BYTES = 4;
const FLAG_CHECKSUM = 0x8000;
const FLAG_ROUTING = 0x4000;
const FLAG_KEY = 0x2000;
const FLAG_SEQUENCE = 0x1000;
const VERSION_MASK = 0x0007;
const ERSPAN_I_II = 0x88be;
const ERSPAN_III = 0x22eb;
const CISCO_METADATA = 0x8909;
const CISCO_METADATA_BYTES = 8;
const WCCP = 0x883e;
const WCCP_REDIRECT_BYTES = 4;

/** Decodes the GRE header at `data[at, end)` into `info`; false (with `info.error`) when it cannot be used. */
export function decodeGre(data: Uint8Array, at: number, end: number, info: TunnelInfo): boolean {
  info.type = TunnelType.GRE;
  if (at + BASE_HEADER_BYTES > end) return fail(info, TunnelError.GRE_TRUNCATED);
  const flags = readU16(data, at, end);
  if ((flags & VERSION_MASK) !== 0) return fail(info, TunnelError.GRE_VERSION_UNSUPPORTED);
  if ((flags & FLAG_ROUTING) !== 0) return fail(info, TunnelError.GRE_ROUTING_UNSUPPORTED);
  const protocol = readU16(data, at + 2, end);
  let cursor = at + BASE_HEADER_BYTES;
  if ((flags & FLAG_CHECKSUM) !== 0) cursor += 4;
  if ((flags & FLAG_KEY) !== 0) {
    info.id = readU32(data, cursor, end);
    cursor += 4;
  }
  if ((flags & FLAG_SEQUENCE) !== 0) {
    info.sequence = readU32(data, cursor, end);
    cursor += 4;
  }
  if (cursor > end) return fail(info, TunnelError.GRE_TRUNCATED);
  if (protocol === ERSPAN_I_II) {
    if ((flags & FLAG_SEQUENCE) === 0) return decodeErspanI(cursor, end, info);
    return decodeErspanII(data, cursor, end, info);
  }
  if (protocol === ERSPAN_III) return decodeErspanIII(data, cursor, end, info);
  return decodeGrePayload(data, cursor, end, protocol, info);
}

function decodeGrePayload(data: Uint8Array, at: number, end: number, protocol: number, info: TunnelInfo): boolean {
  if (protocol === CISCO_METADATA) {
    if (at + CISCO_METADATA_BYTES > end) return fail(info, TunnelError.GRE_TRUNCATED);
    protocol = readU16(data, at, end);
    at += CISCO_METADATA_BYTES;
  }
  if (protocol === WCCP) {
    if (at < end && data[at] >> 4 !== 4) at += WCCP_REDIRECT_BYTES;
    protocol = 0x0800;
  }
  const kind = innerKindOfEtherType(protocol);
  if (kind === 0) return fail(info, TunnelError.GRE_PROTOCOL_UNSUPPORTED);
  info.innerKind = kind;
  info.innerOffset = at;
  info.innerEnd = end;
  return true;
}

function fail(info: TunnelInfo, error: TunnelInfo["error"]): boolean {
  info.error = error;
  return false;
}
