/**
 * IPv4 header: addresses, TTL, protocol, fragments; options are skipped by IHL. The payload end is the IP total
 * length (so Ethernet padding is not payload), or the captured end for a total length of 0 (TSO/GSO packets
 * captured on the sending host before segmentation carry 0).
 * @module
 */

import { readU16 } from "./cursor.ts";
import { Malformed, type PacketSummary } from "./summary.ts";

const HEADER_BYTES_MIN = 20;

/**
 * Decodes an IPv4 header at `at`. Returns the end of the IP packet (cut to the captured end) and sets `l4Offset`,
 * or -1 when the header is invalid or cut short (`malformed` set).
 */
export function decodeIpv4(summary: PacketSummary, at: number, end: number): number {
  const data = summary.data;
  if (at + HEADER_BYTES_MIN > end) {
    summary.malformed = Malformed.IPV4_TRUNCATED;
    return -1;
  }
  const headerBytes = (data[at] & 0x0f) * 4;
  if (data[at] >> 4 !== 4 || headerBytes < HEADER_BYTES_MIN) {
    summary.malformed = Malformed.IPV4_HEADER_INVALID;
    return -1;
  }
  if (at + headerBytes > end) {
    summary.malformed = Malformed.IPV4_TRUNCATED;
    return -1;
  }
  const totalBytes = readU16(data, at + 2, end);
  if (totalBytes !== 0 && totalBytes < headerBytes) {
    summary.malformed = Malformed.IPV4_HEADER_INVALID;
    return -1;
  }
  summary.ipVersion = 4;
  summary.l3Offset = at;
  summary.addressBytes = 4;
  summary.srcAddressOffset = at + 12;
  summary.dstAddressOffset = at + 16;
  summary.ttl = data[at + 8];
  summary.protocol = data[at + 9];
  const fragmentField = readU16(data, at + 6, end);
  summary.fragmentOffsetBytes = (fragmentField & 0x1fff) * 8;
  summary.fragment = (fragmentField & 0x2000) !== 0 || summary.fragmentOffsetBytes !== 0;
  summary.l4Offset = at + headerBytes;
  if (totalBytes === 0) return end;
  if (at + totalBytes > end) {
    summary.payloadTruncated = true;
    return end;
  }
  return at + totalBytes;
}
