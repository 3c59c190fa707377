/**
 * The L2–L4 summary of one packet: ONE mutable object reused for every packet (no per-packet allocation).
 * Addresses are offsets into `data`; strings are made only when printing (`format.ts`).
 * @module
 */

import type { PacketBatch } from "../capture/batch.ts";

/** Why a packet could not be decoded fully. Values are stable: they index `MALFORMED_NAMES` (metric labels). */
export const Malformed = {
  NONE: 0,
  LINK_TRUNCATED: 1,
  VLAN_TRUNCATED: 2,
  IP_VERSION_INVALID: 3,
  IPV4_TRUNCATED: 4,
  IPV4_HEADER_INVALID: 5,
  IPV6_TRUNCATED: 6,
  IPV6_EXTENSION_TRUNCATED: 7,
  TCP_TRUNCATED: 8,
  TCP_HEADER_INVALID: 9,
  UDP_TRUNCATED: 10,
  UDP_LENGTH_INVALID: 11,
  ICMP_TRUNCATED: 12,
  SCTP_TRUNCATED: 13,
} as const;

/** A `Malformed` value. */
export type MalformedReason = typeof Malformed[keyof typeof Malformed];

/** Label of each `Malformed` value, indexed by the value. */
export const MALFORMED_NAMES: readonly string[] = [
  "none",
  "link_truncated",
  "vlan_truncated",
  "ip_version_invalid",
  "ipv4_truncated",
  "ipv4_header_invalid",
  "ipv6_truncated",
  "ipv6_extension_truncated",
  "tcp_truncated",
  "tcp_header_invalid",
  "udp_truncated",
  "udp_length_invalid",
  "icmp_truncated",
  "sctp_truncated",
];

/** VLAN ids kept per packet; deeper stacks are counted in `vlanCount` but not stored. */
export const VLAN_IDS_MAX = 4;

/** IP protocol numbers the summary decodes further. */
export const IpProtocol = { ICMP: 1, TCP: 6, UDP: 17, ICMPV6: 58, NO_NEXT_HEADER: 59, SCTP: 132 } as const;

/** Decoded fields of one packet; offsets are absolute indices into `data`. -1 means "absent". */
export interface PacketSummary {
  data: Uint8Array;
  packetOffset: number;
  capturedBytes: number;
  wireBytes: number;
  timestampSec: number;
  timestampNsec: number;
  interfaceIndex: number;
  linkType: number;
  /** False when the link type is not one the decoder knows (the caller counts those, not as malformed). */
  linkDecoded: boolean;
  /** VLAN tags, the kernel-offloaded one first; ids of the first `VLAN_IDS_MAX` in `vlanIds`. */
  vlanCount: number;
  vlanIds: Uint16Array;
  /** Ether type after VLAN tags (0x0800, 0x86dd, ...); 0 when the frame has none (802.3 length, unknown family). */
  etherType: number;
  l3Offset: number;
  /** 4 or 6 when an IP header was decoded, else 0. */
  ipVersion: number;
  /** 4 or 16; the addresses are `data[srcAddressOffset, +addressBytes)` and the same for dst. */
  addressBytes: number;
  srcAddressOffset: number;
  dstAddressOffset: number;
  /** TTL or hop limit. */
  ttl: number;
  /** Upper protocol after IPv6 extension headers (valid when `ipVersion !== 0`). */
  protocol: number;
  /** True for any fragment; ports are absent unless it is the first one. */
  fragment: boolean;
  fragmentOffsetBytes: number;
  l4Offset: number;
  srcPort: number;
  dstPort: number;
  tcpFlags: number;
  icmpType: number;
  icmpCode: number;
  /** Payload after the last decoded header, cut to the IP total length and UDP length (no Ethernet padding). */
  payloadOffset: number;
  payloadBytes: number;
  /** The headers announce more payload than was captured (snap length or cut file). */
  payloadTruncated: boolean;
  malformed: MalformedReason;
}

/** Creates the one summary object a decoding loop reuses. */
export function createPacketSummary(): PacketSummary {
  const summary = {
    data: new Uint8Array(0),
    vlanIds: new Uint16Array(VLAN_IDS_MAX),
  } as PacketSummary;
  resetPacketSummary(summary);
  return summary;
}

/** Copies packet `i`'s place in `batch` and its capture metadata into `out`: what every summary starts from. */
export function setPacketOf(batch: PacketBatch, i: number, out: PacketSummary): void {
  out.data = batch.data;
  out.packetOffset = batch.offsets[i];
  out.capturedBytes = batch.capturedBytes[i];
  out.wireBytes = batch.wireBytes[i];
  out.timestampSec = batch.timestampSec[i];
  out.timestampNsec = batch.timestampNsec[i];
  out.interfaceIndex = batch.interfaceIndex;
  out.linkType = batch.linkType;
}

/** Clears every decoded field (not `data`/`vlanIds` storage); done at the start of each decode. */
export function resetPacketSummary(summary: PacketSummary): void {
  summary.packetOffset = 0;
  summary.capturedBytes = 0;
  summary.wireBytes = 0;
  summary.timestampSec = 0;
  summary.timestampNsec = 0;
  summary.interfaceIndex = 0;
  summary.linkType = 0;
  summary.linkDecoded = false;
  summary.vlanCount = 0;
  summary.etherType = 0;
  summary.l3Offset = -1;
  summary.ipVersion = 0;
  summary.addressBytes = 0;
  summary.srcAddressOffset = -1;
  summary.dstAddressOffset = -1;
  summary.ttl = 0;
  summary.protocol = -1;
  summary.fragment = false;
  summary.fragmentOffsetBytes = 0;
  summary.l4Offset = -1;
  summary.srcPort = -1;
  summary.dstPort = -1;
  summary.tcpFlags = -1;
  summary.icmpType = -1;
  summary.icmpCode = -1;
  summary.payloadOffset = -1;
  summary.payloadBytes = 0;
  summary.payloadTruncated = false;
  summary.malformed = Malformed.NONE;
}

/** Records a VLAN id (counting it even past `VLAN_IDS_MAX`). */
export function pushVlanId(summary: PacketSummary, vlanId: number): void {
  if (summary.vlanCount < VLAN_IDS_MAX) summary.vlanIds[summary.vlanCount] = vlanId;
  summary.vlanCount++;
}
