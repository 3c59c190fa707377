/**
 * L2–L4 summaries decoded by the capture library while it walks a ring block (`cap_block_walk` with summaries,
 * ffi/summary.zig), as columns beside the batch's per-packet arrays. `summaryFromColumns` turns one row into the
 * same `PacketSummary` that `decodeSummary` builds from the packet bytes (tested field for field over crafted,
 * corpus and mutated frames), so a live capture counts and prints without touching packet bytes in JavaScript.
 * `decodeSummary` stays the reference and decodes file sources.
 * @module
 */

import type { PacketBatch } from "../capture/batch.ts";
import { SummaryArena, SummaryBit } from "../native/abi.ts";
import { isDecodedLinkType } from "./link.ts";
import { Malformed, type MalformedReason, type PacketSummary, setPacketOf } from "./summary.ts";

/** VLAN ids stored per packet in `SummaryColumns.vlanIds` (packet i's at `i * SUMMARY_VLAN_IDS_MAX`). */
export const SUMMARY_VLAN_IDS_MAX = SummaryArena.vlanIdsMax;

/**
 * One typed array per summary field, indexed like the batch's arrays. Offsets are from the packet's first byte,
 * -1 when absent; `protocol` is meaningful when `ipVersion !== 0`; ports, TCP flags and ICMP type/code when
 * their `SummaryBit` is set in `bits`.
 */
export interface SummaryColumns {
  l3Offset: Int32Array;
  l4Offset: Int32Array;
  payloadOffset: Int32Array;
  payloadBytes: Uint32Array;
  etherType: Uint16Array;
  fragmentOffsetBytes: Uint16Array;
  srcPort: Uint16Array;
  dstPort: Uint16Array;
  tcpFlags: Uint16Array;
  vlanIds: Uint16Array;
  vlanCount: Uint8Array;
  ipVersion: Uint8Array;
  ttl: Uint8Array;
  protocol: Uint8Array;
  icmpType: Uint8Array;
  icmpCode: Uint8Array;
  malformed: Uint8Array;
  bits: Uint8Array;
}

/** Views of the summary columns of an arena of `packetsMax` packets (laid out as `SummaryArena` says). */
export function summaryColumnsOf(buffer: ArrayBuffer, packetsMax: number): SummaryColumns {
  const n = packetsMax;
  const a = SummaryArena;
  return {
    l3Offset: new Int32Array(buffer, a.l3Offset * n, n),
    l4Offset: new Int32Array(buffer, a.l4Offset * n, n),
    payloadOffset: new Int32Array(buffer, a.payloadOffset * n, n),
    payloadBytes: new Uint32Array(buffer, a.payloadBytes * n, n),
    etherType: new Uint16Array(buffer, a.etherType * n, n),
    fragmentOffsetBytes: new Uint16Array(buffer, a.fragmentOffsetBytes * n, n),
    srcPort: new Uint16Array(buffer, a.srcPort * n, n),
    dstPort: new Uint16Array(buffer, a.dstPort * n, n),
    tcpFlags: new Uint16Array(buffer, a.tcpFlags * n, n),
    vlanIds: new Uint16Array(buffer, a.vlanIds * n, SUMMARY_VLAN_IDS_MAX * n),
    vlanCount: new Uint8Array(buffer, a.vlanCount * n, n),
    ipVersion: new Uint8Array(buffer, a.ipVersion * n, n),
    ttl: new Uint8Array(buffer, a.ttl * n, n),
    protocol: new Uint8Array(buffer, a.protocol * n, n),
    icmpType: new Uint8Array(buffer, a.icmpType * n, n),
    icmpCode: new Uint8Array(buffer, a.icmpCode * n, n),
    malformed: new Uint8Array(buffer, a.malformed * n, n),
    bits: new Uint8Array(buffer, a.bits * n, n),
  };
}

/** An offset from the packet start to an index into `data`; -1 stays -1. */
function absolute(start: number, relative: number): number {
  return relative < 0 ? -1 : start + relative;
}

/**
 * Fills `out` (overwriting it) with packet `i`'s summary from `columns`: what `decodeSummary(batch, i, out)`
 * would set. Returns the same as `decodeSummary`.
 */
export function summaryFromColumns(
  batch: PacketBatch,
  columns: SummaryColumns,
  i: number,
  out: PacketSummary,
): boolean {
  setPacketOf(batch, i, out);
  const start = out.packetOffset;
  out.linkDecoded = isDecodedLinkType(batch.linkType);
  const vlanCount = columns.vlanCount[i];
  out.vlanCount = vlanCount;
  for (let k = 0; k < vlanCount && k < SUMMARY_VLAN_IDS_MAX; k++) {
    out.vlanIds[k] = columns.vlanIds[i * SUMMARY_VLAN_IDS_MAX + k];
  }
  out.etherType = columns.etherType[i];
  out.l3Offset = absolute(start, columns.l3Offset[i]);
  fillNetwork(columns, i, out);
  out.l4Offset = absolute(start, columns.l4Offset[i]);
  const bits = columns.bits[i];
  const ports = (bits & SummaryBit.PORTS) !== 0;
  out.srcPort = ports ? columns.srcPort[i] : -1;
  out.dstPort = ports ? columns.dstPort[i] : -1;
  out.tcpFlags = (bits & SummaryBit.TCP_FLAGS) !== 0 ? columns.tcpFlags[i] : -1;
  const icmp = (bits & SummaryBit.ICMP) !== 0;
  out.icmpType = icmp ? columns.icmpType[i] : -1;
  out.icmpCode = icmp ? columns.icmpCode[i] : -1;
  out.fragment = (bits & SummaryBit.FRAGMENT) !== 0;
  out.fragmentOffsetBytes = columns.fragmentOffsetBytes[i];
  out.payloadOffset = absolute(start, columns.payloadOffset[i]);
  out.payloadBytes = columns.payloadBytes[i];
  out.payloadTruncated = (bits & SummaryBit.PAYLOAD_TRUNCATED) !== 0;
  out.malformed = columns.malformed[i] as MalformedReason;
  return out.linkDecoded && out.malformed === Malformed.NONE;
}

/** IP version, addresses, TTL and protocol; addresses sit at fixed places in the IP header. */
function fillNetwork(columns: SummaryColumns, i: number, out: PacketSummary): void {
  const ipVersion = columns.ipVersion[i];
  out.ipVersion = ipVersion;
  out.ttl = columns.ttl[i];
  if (ipVersion === 0) {
    out.addressBytes = 0;
    out.srcAddressOffset = -1;
    out.dstAddressOffset = -1;
    out.protocol = -1;
    return;
  }
  const l3 = out.l3Offset;
  out.addressBytes = ipVersion === 4 ? 4 : 16;
  out.srcAddressOffset = l3 + (ipVersion === 4 ? 12 : 8);
  out.dstAddressOffset = l3 + (ipVersion === 4 ? 16 : 24);
  out.protocol = columns.protocol[i];
}
