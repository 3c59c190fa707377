/**
 * Reads what reassembly needs from one IPv4 or IPv6 fragment: identification, offset, more-fragments flag, where
 * the fragment's payload lies, and (IPv6) the unfragmentable part and the byte that points at the fragment header.
 * Fills one reusable `FragmentInfo`; nothing is allocated.
 * @module
 */

import { readU16, readU32 } from "../cursor.ts";

const IPV4_HEADER_BYTES_MIN = 20;
const IPV6_HEADER_BYTES = 40;
const IPV6_FRAGMENT = 44;
const IPV6_NEXT_HEADER_AT = 6;
const IPV6_HEADERS_WALK_MAX = 16;

/** Why a packet could not be read as a fragment. Values index `FRAGMENT_INFO_ERROR_NAMES`. */
export const FragmentInfoError = { NONE: 0, TRUNCATED: 1, HEADER_INVALID: 2, NOT_FRAGMENT: 3 } as const;

/** A `FragmentInfoError` value. */
export type FragmentInfoErrorValue = typeof FragmentInfoError[keyof typeof FragmentInfoError];

/** Fields of one fragment; offsets are absolute indices into the packet's bytes. */
export interface FragmentInfo {
  version: number;
  /** IPv4 protocol, or the IPv6 fragment header's next header (the reassembled payload's protocol). */
  protocol: number;
  /** IPv4: 16 bits; IPv6: 32 bits. */
  identification: number;
  offsetBytes: number;
  moreFragments: boolean;
  /** IPv4: start of the header (copied into the datagram); IPv6: the same, the unfragmentable part starts here. */
  headerOffset: number;
  /** IPv4: IHL bytes; IPv6: bytes of the fixed header plus extension headers before the fragment header. */
  headerBytes: number;
  /** IPv6: index (relative to `headerOffset`) of the next-header byte that names the fragment header. */
  nextHeaderFieldAt: number;
  payloadOffset: number;
  payloadBytes: number;
  srcAddressOffset: number;
  dstAddressOffset: number;
  /** The packet announces more bytes than `end` holds (snap length): its payload cannot be used. */
  truncated: boolean;
}

/** Creates the one `FragmentInfo` a reassembler reuses. */
export function createFragmentInfo(): FragmentInfo {
  return {
    version: 0,
    protocol: 0,
    identification: 0,
    offsetBytes: 0,
    moreFragments: false,
    headerOffset: 0,
    headerBytes: 0,
    nextHeaderFieldAt: 0,
    payloadOffset: 0,
    payloadBytes: 0,
    srcAddressOffset: 0,
    dstAddressOffset: 0,
    truncated: false,
  };
}

/** Reads the IP header at `at` (either version) into `info`. */
export function readFragmentInfo(
  data: Uint8Array,
  at: number,
  end: number,
  info: FragmentInfo,
): FragmentInfoErrorValue {
  if (at >= end) return FragmentInfoError.TRUNCATED;
  const version = data[at] >> 4;
  if (version === 4) return readIpv4(data, at, end, info);
  if (version === 6) return readIpv6(data, at, end, info);
  return FragmentInfoError.HEADER_INVALID;
}

function readIpv4(data: Uint8Array, at: number, end: number, info: FragmentInfo): FragmentInfoErrorValue {
  if (at + IPV4_HEADER_BYTES_MIN > end) return FragmentInfoError.TRUNCATED;
  const headerBytes = (data[at] & 0x0f) * 4;
  const totalBytes = readU16(data, at + 2, end);
  if (headerBytes < IPV4_HEADER_BYTES_MIN || totalBytes < headerBytes) return FragmentInfoError.HEADER_INVALID;
  if (at + headerBytes > end) return FragmentInfoError.TRUNCATED;
  const field = readU16(data, at + 6, end);
  info.version = 4;
  info.protocol = data[at + 9];
  info.identification = readU16(data, at + 4, end);
  info.offsetBytes = (field & 0x1fff) * 8;
  info.moreFragments = (field & 0x2000) !== 0;
  info.headerOffset = at;
  info.headerBytes = headerBytes;
  info.nextHeaderFieldAt = 9;
  info.payloadOffset = at + headerBytes;
  info.truncated = at + totalBytes > end;
  info.payloadBytes = Math.min(at + totalBytes, end) - info.payloadOffset;
  info.srcAddressOffset = at + 12;
  info.dstAddressOffset = at + 16;
  if (info.offsetBytes === 0 && !info.moreFragments) return FragmentInfoError.NOT_FRAGMENT;
  return FragmentInfoError.NONE;
}

function readIpv6(data: Uint8Array, at: number, end: number, info: FragmentInfo): FragmentInfoErrorValue {
  if (at + IPV6_HEADER_BYTES > end) return FragmentInfoError.TRUNCATED;
  const payloadLength = readU16(data, at + 4, end);
  const ipEnd = Math.min(at + IPV6_HEADER_BYTES + payloadLength, end);
  info.truncated = at + IPV6_HEADER_BYTES + payloadLength > end;
  let next = data[at + IPV6_NEXT_HEADER_AT];
  let fieldAt = at + IPV6_NEXT_HEADER_AT;
  let cursor = at + IPV6_HEADER_BYTES;
  // Only hop-by-hop, routing and destination options may precede the fragment header (RFC 8200 4.5).
  for (let headers = 0; headers < IPV6_HEADERS_WALK_MAX && next !== IPV6_FRAGMENT; headers++) {
    if (next !== 0 && next !== 43 && next !== 60) return FragmentInfoError.NOT_FRAGMENT;
    if (cursor + 2 > ipEnd) return FragmentInfoError.TRUNCATED;
    fieldAt = cursor;
    next = data[cursor];
    cursor += (data[cursor + 1] + 1) * 8;
  }
  if (next !== IPV6_FRAGMENT) return FragmentInfoError.NOT_FRAGMENT;
  if (cursor + 8 > ipEnd) return FragmentInfoError.TRUNCATED;
  const field = readU16(data, cursor + 2, ipEnd);
  info.version = 6;
  info.protocol = data[cursor];
  info.identification = readU32(data, cursor + 4, ipEnd);
  info.offsetBytes = field & 0xfff8;
  info.moreFragments = (field & 1) !== 0;
  info.headerOffset = at;
  info.headerBytes = cursor - at;
  info.nextHeaderFieldAt = fieldAt - at;
  info.payloadOffset = cursor + 8;
  info.payloadBytes = ipEnd - info.payloadOffset;
  info.srcAddressOffset = at + 8;
  info.dstAddressOffset = at + 24;
  return FragmentInfoError.NONE;
}
