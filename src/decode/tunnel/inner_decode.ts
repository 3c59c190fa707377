/**
 * Decoding of packets that are not a batch entry: the packet inside a tunnel (at an offset of the outer packet's
 * bytes) and a datagram rebuilt from fragments (in its own buffer). Both reuse the summary decoder's pieces.
 * @module
 */

import { LinkType } from "../../capture/batch.ts";
import { EtherType } from "../ethernet.ts";
import { decodeIpv4 } from "../ipv4.ts";
import { decodeIpv6 } from "../ipv6.ts";
import { decodeLink } from "../link.ts";
import { type PacketSummary, resetPacketSummary } from "../summary.ts";
import { decodeTransport } from "../transport.ts";
import { InnerKind, type TunnelInfo } from "./tunnel_info.ts";

/**
 * Decodes IP at `at` per `summary.etherType` (IPv4, IPv6, else the rest is payload). The same steps as the
 * summary decoder's private `decodeNetwork` in decode.ts; kept in step with it.
 */
export function decodeNetworkAt(summary: PacketSummary, at: number, end: number): void {
  let ipEnd: number;
  if (summary.etherType === EtherType.IPV4) ipEnd = decodeIpv4(summary, at, end);
  else if (summary.etherType === EtherType.IPV6) ipEnd = decodeIpv6(summary, at, end);
  else {
    summary.payloadOffset = at;
    summary.payloadBytes = end - at;
    return;
  }
  if (ipEnd < 0) return;
  if (summary.fragmentOffsetBytes !== 0) {
    summary.payloadOffset = summary.l4Offset;
    summary.payloadBytes = Math.max(0, ipEnd - summary.l4Offset);
    return;
  }
  decodeTransport(summary, summary.l4Offset, ipEnd);
}

/** Decodes the packet tunnel `info` carries into `inner`; capture time and interface come from `outer`. */
export function decodeInnerPacket(outer: PacketSummary, info: TunnelInfo, inner: PacketSummary): void {
  resetPacketSummary(inner);
  inner.data = outer.data;
  inner.packetOffset = info.innerOffset;
  inner.capturedBytes = info.innerEnd - info.innerOffset;
  inner.wireBytes = inner.capturedBytes;
  inner.timestampSec = outer.timestampSec;
  inner.timestampNsec = outer.timestampNsec;
  inner.interfaceIndex = outer.interfaceIndex;
  if (info.innerKind === InnerKind.ETHERNET) {
    inner.linkType = LinkType.EN10MB;
    const l3 = decodeLink(inner, info.innerOffset, info.innerEnd);
    if (l3 < 0) return;
    inner.l3Offset = l3;
    decodeNetworkAt(inner, l3, info.innerEnd);
    return;
  }
  inner.linkType = LinkType.RAW;
  inner.linkDecoded = true;
  inner.etherType = info.innerKind === InnerKind.IPV4 ? EtherType.IPV4 : EtherType.IPV6;
  inner.l3Offset = info.innerOffset;
  decodeNetworkAt(inner, info.innerOffset, info.innerEnd);
}

/**
 * Re-decodes `summary` over a reassembled IP `datagram` (its own buffer), keeping the link-layer fields (time,
 * interface, link type, VLANs, ether type) of the fragment that completed it.
 */
export function redecodeIpPacket(summary: PacketSummary, datagram: Uint8Array): void {
  const { packetOffset, capturedBytes, wireBytes, timestampSec, timestampNsec, interfaceIndex } = summary;
  const { linkType, linkDecoded, vlanCount } = summary;
  resetPacketSummary(summary);
  Object.assign(summary, { packetOffset, capturedBytes, wireBytes, timestampSec, timestampNsec, interfaceIndex });
  Object.assign(summary, { linkType, linkDecoded, vlanCount });
  summary.data = datagram;
  summary.etherType = datagram.length > 0 && datagram[0] >> 4 === 6 ? EtherType.IPV6 : EtherType.IPV4;
  summary.l3Offset = 0;
  decodeNetworkAt(summary, 0, datagram.length);
}
