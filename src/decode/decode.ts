/**
 * `decodeSummary`: one packet of a batch → the reusable `PacketSummary` (link, VLANs, IP, ports, flags, payload).
 * Allocation-free: the caller keeps one summary and decodes every packet into it.
 * @module
 */

import { type PacketBatch, PacketFlag } from "../capture/batch.ts";
import { EtherType } from "./ethernet.ts";
import { decodeIpv4 } from "./ipv4.ts";
import { decodeIpv6 } from "./ipv6.ts";
import { decodeLink } from "./link.ts";
import { Malformed, type PacketSummary, pushVlanId, resetPacketSummary, setPacketOf } from "./summary.ts";
import { decodeTransport } from "./transport.ts";

/**
 * Decodes packet `i` of `batch` into `out` (overwriting it).
 * @returns true when the link type is known and nothing was malformed; otherwise `out.linkDecoded` and
 * `out.malformed` say why (the caller counts them). Fields decoded before the problem stay set.
 * @example
 * ```ts
 * const summary = createPacketSummary();
 * for (let i = 0; i < batch.count; i++) {
 *   if (!decodeSummary(batch, i, summary)) malformedCounts[summary.malformed]++;
 * }
 * ```
 */
export function decodeSummary(batch: PacketBatch, i: number, out: PacketSummary): boolean {
  resetPacketSummary(out);
  setPacketOf(batch, i, out);
  const start = out.packetOffset;
  const end = start + out.capturedBytes;
  // The kernel strips the outermost tag; it comes before any tag still in the frame.
  if ((batch.flags[i] & PacketFlag.VLAN_VALID) !== 0) pushVlanId(out, batch.vlanTci[i] & 0x0fff);
  const l3 = decodeLink(out, start, end);
  if (l3 >= 0) {
    out.l3Offset = l3;
    decodeNetwork(out, l3, end);
  }
  return out.linkDecoded && out.malformed === Malformed.NONE;
}

function decodeNetwork(out: PacketSummary, at: number, end: number): void {
  let ipEnd: number;
  if (out.etherType === EtherType.IPV4) ipEnd = decodeIpv4(out, at, end);
  else if (out.etherType === EtherType.IPV6) ipEnd = decodeIpv6(out, at, end);
  else {
    out.payloadOffset = at;
    out.payloadBytes = end - at;
    return;
  }
  if (ipEnd < 0) return;
  if (out.fragmentOffsetBytes !== 0) {
    // A later fragment continues the upper-layer payload: no header to read.
    out.payloadOffset = out.l4Offset;
    out.payloadBytes = Math.max(0, ipEnd - out.l4Offset);
    return;
  }
  decodeTransport(out, out.l4Offset, ipEnd);
}
