/**
 * Link-layer dispatch: Ethernet, Linux cooked (SLL, SLL2), BSD loopback (NULL, LOOP) and raw IP link types.
 * Each ends in an ether type and the offset of the L3 header.
 * @module
 */

import { LinkType } from "../capture/batch.ts";
import { readU16, readU32, readU32Le } from "./cursor.ts";
import { decodeEthernet, decodeEtherTypeChain, EtherType } from "./ethernet.ts";
import { Malformed, type PacketSummary } from "./summary.ts";

/** DLT_RAW as some systems wrote it into pcap files before LINKTYPE_RAW (101) existed. */
const LINKTYPE_RAW_LEGACY_A = 12;
const LINKTYPE_RAW_LEGACY_B = 14;
const SLL_HEADER_BYTES = 16;
const SLL2_HEADER_BYTES = 20;
const NULL_HEADER_BYTES = 4;

/** True for link types `decodeLink` understands. */
export function isDecodedLinkType(linkType: number): boolean {
  switch (linkType) {
    case LinkType.EN10MB:
    case LinkType.LINUX_SLL:
    case LinkType.LINUX_SLL2:
    case LinkType.NULL:
    case LinkType.LOOP:
    case LinkType.RAW:
    case LINKTYPE_RAW_LEGACY_A:
    case LINKTYPE_RAW_LEGACY_B:
    case LinkType.IPV4:
    case LinkType.IPV6:
      return true;
    default:
      return false;
  }
}

/**
 * Decodes the link header of `summary.linkType` at `at`; sets `etherType` (and VLAN ids) and returns the L3
 * offset, or -1 when there is no L3 header to decode (unknown link type, non-IP family, malformed).
 */
export function decodeLink(summary: PacketSummary, at: number, end: number): number {
  const linkType = summary.linkType;
  summary.linkDecoded = isDecodedLinkType(linkType);
  switch (linkType) {
    case LinkType.EN10MB:
      return decodeEthernet(summary, at, end);
    case LinkType.LINUX_SLL:
      if (!hasHeader(summary, at, end, SLL_HEADER_BYTES)) return -1;
      return decodeCookedProtocol(summary, at + SLL_HEADER_BYTES, end, readU16(summary.data, at + 14, end));
    case LinkType.LINUX_SLL2:
      if (!hasHeader(summary, at, end, SLL2_HEADER_BYTES)) return -1;
      return decodeCookedProtocol(summary, at + SLL2_HEADER_BYTES, end, readU16(summary.data, at, end));
    case LinkType.NULL:
    case LinkType.LOOP:
      return decodeLoopback(summary, at, end);
    case LinkType.IPV4:
      summary.etherType = EtherType.IPV4;
      return at;
    case LinkType.IPV6:
      summary.etherType = EtherType.IPV6;
      return at;
    case LinkType.RAW:
    case LINKTYPE_RAW_LEGACY_A:
    case LINKTYPE_RAW_LEGACY_B:
      return decodeRawIp(summary, at, end);
    default:
      return -1;
  }
}

function hasHeader(summary: PacketSummary, at: number, end: number, bytes: number): boolean {
  if (at + bytes <= end) return true;
  summary.malformed = Malformed.LINK_TRUNCATED;
  return false;
}

/** SLL protocol values below 0x0600 are ARPHRD-specific (802.3, LLC, CAN), not ether types. */
function decodeCookedProtocol(summary: PacketSummary, at: number, end: number, protocol: number): number {
  if (protocol < 0x0600) {
    summary.etherType = 0;
    return -1;
  }
  return decodeEtherTypeChain(summary, at, end, protocol);
}

/** The address family is in the capturing host's byte order for NULL, big-endian for LOOP. */
function decodeLoopback(summary: PacketSummary, at: number, end: number): number {
  if (!hasHeader(summary, at, end, NULL_HEADER_BYTES)) return -1;
  let family = readU32(summary.data, at, end);
  // A family is a small number: when the big-endian read is large, the writer was little-endian.
  if (summary.linkType === LinkType.NULL && family > 0xffff) family = readU32Le(summary.data, at, end);
  if (family === 2) summary.etherType = EtherType.IPV4;
  // AF_INET6 differs by OS: Linux 10, NetBSD/OpenBSD 24, FreeBSD 28, Darwin 30.
  else if (family === 10 || family === 24 || family === 28 || family === 30) summary.etherType = EtherType.IPV6;
  else {
    summary.etherType = 0;
    return -1;
  }
  return at + NULL_HEADER_BYTES;
}

function decodeRawIp(summary: PacketSummary, at: number, end: number): number {
  if (!hasHeader(summary, at, end, 1)) return -1;
  const version = summary.data[at] >> 4;
  if (version === 4) summary.etherType = EtherType.IPV4;
  else if (version === 6) summary.etherType = EtherType.IPV6;
  else {
    summary.malformed = Malformed.IP_VERSION_INVALID;
    return -1;
  }
  return at;
}
