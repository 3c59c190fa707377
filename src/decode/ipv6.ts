/**
 * IPv6 header and extension headers (hop-by-hop, routing, fragment, destination options, AH, mobility, HIP,
 * shim6), walked to the upper-layer protocol. ESP and unknown next headers end the walk as the protocol.
 * @module
 */

import { readU16 } from "./cursor.ts";
import { Malformed, type PacketSummary } from "./summary.ts";

const HEADER_BYTES = 40;
/** Real packets carry a handful of extension headers; the bound keeps crafted chains cheap. */
const EXTENSION_HEADERS_MAX = 16;
const HOP_BY_HOP = 0;
const ROUTING = 43;
const FRAGMENT = 44;
const AUTHENTICATION = 51;
const DESTINATION_OPTIONS = 60;
const MOBILITY = 135;
const HIP = 139;
const SHIM6 = 140;

/**
 * Decodes an IPv6 header at `at`. Returns the end of the IP packet (cut to the captured end) and sets `protocol`
 * and `l4Offset` past the extension headers, or -1 when a header is cut short (`malformed` set).
 */
export function decodeIpv6(summary: PacketSummary, at: number, end: number): number {
  const data = summary.data;
  if (at + HEADER_BYTES > end) {
    summary.malformed = Malformed.IPV6_TRUNCATED;
    return -1;
  }
  if (data[at] >> 4 !== 6) {
    summary.malformed = Malformed.IP_VERSION_INVALID;
    return -1;
  }
  summary.ipVersion = 6;
  summary.l3Offset = at;
  summary.addressBytes = 16;
  summary.srcAddressOffset = at + 8;
  summary.dstAddressOffset = at + 24;
  summary.ttl = data[at + 7];
  const payloadBytes = readU16(data, at + 4, end);
  // A payload length of 0 announces a jumbogram (hop-by-hop option): the captured end is all we know.
  let ipEnd = end;
  if (payloadBytes !== 0 && at + HEADER_BYTES + payloadBytes <= end) ipEnd = at + HEADER_BYTES + payloadBytes;
  else if (payloadBytes !== 0) summary.payloadTruncated = true;
  return walkExtensions(summary, data[at + 6], at + HEADER_BYTES, ipEnd);
}

function walkExtensions(summary: PacketSummary, next: number, at: number, ipEnd: number): number {
  const data = summary.data;
  for (let headers = 0; headers < EXTENSION_HEADERS_MAX; headers++) {
    let headerBytes: number;
    if (next === FRAGMENT) headerBytes = 8;
    else if (next === AUTHENTICATION) headerBytes = at + 2 <= ipEnd ? (data[at + 1] + 2) * 4 : 2;
    else if (isGenericExtension(next)) headerBytes = at + 2 <= ipEnd ? (data[at + 1] + 1) * 8 : 2;
    else break;
    if (at + headerBytes > ipEnd) {
      summary.protocol = next;
      summary.malformed = Malformed.IPV6_EXTENSION_TRUNCATED;
      return -1;
    }
    const header = next;
    next = data[at];
    if (header === FRAGMENT) {
      const field = readU16(data, at + 2, ipEnd);
      summary.fragment = true;
      summary.fragmentOffsetBytes = field & 0xfff8;
      if (summary.fragmentOffsetBytes !== 0) {
        // Later fragments hold no upper-layer header: stop at the protocol they belong to.
        summary.protocol = next;
        summary.l4Offset = at + headerBytes;
        return ipEnd;
      }
    }
    at += headerBytes;
  }
  summary.protocol = next;
  summary.l4Offset = at;
  return ipEnd;
}

function isGenericExtension(next: number): boolean {
  return next === HOP_BY_HOP || next === ROUTING || next === DESTINATION_OPTIONS || next === MOBILITY ||
    next === HIP || next === SHIM6;
}
