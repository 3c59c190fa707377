/**
 * JSON rendering of a `DecodedPacket` for records: the 5-tuple and payload come from the innermost level, the
 * tunnels (type, id, outer endpoints) are listed outermost first under `tunnels`. The reference agent mixed outer
 * addresses with inner ports; here every address/port pair comes from one level.
 * @module
 */

import { formatAddress, summaryToJson } from "../format.ts";
import type { DecodedPacket } from "../full_decoder.ts";
import type { PacketSummary } from "../summary.ts";
import { TUNNEL_TYPE_NAMES } from "./tunnel_info.ts";

/** The outer endpoints of one tunnel level. */
export interface TunnelEndpointsJson {
  type: string;
  id?: number;
  src: string;
  dst: string;
  protocol: number;
  srcPort?: number;
  dstPort?: number;
}

/** Outer endpoints of the tunnel leaving `summary`. */
export function tunnelEndpointsJson(summary: PacketSummary, type: number, id: number): TunnelEndpointsJson {
  const json: TunnelEndpointsJson = {
    type: TUNNEL_TYPE_NAMES[type] ?? "unknown",
    src: formatAddress(summary.data, summary.srcAddressOffset, summary.addressBytes),
    dst: formatAddress(summary.data, summary.dstAddressOffset, summary.addressBytes),
    protocol: summary.protocol,
  };
  if (id >= 0) json.id = id;
  if (summary.srcPort >= 0) {
    json.srcPort = summary.srcPort;
    json.dstPort = summary.dstPort;
  }
  return json;
}

/** A flat record of the innermost level plus `tunnels` (outermost first) and `reassembled` when it applies. */
export function decodedPacketToJson(packet: DecodedPacket): Record<string, unknown> {
  const inner = packet.levels[packet.depth - 1];
  const record = summaryToJson(inner);
  // Time and frame lengths are the captured packet's, not the inner slice's.
  const outer = packet.levels[0];
  record.length = outer.wireBytes;
  record.capturedLength = outer.capturedBytes;
  if (packet.depth > 1) {
    const tunnels: TunnelEndpointsJson[] = [];
    for (let k = 0; k < packet.depth - 1; k++) {
      tunnels.push(tunnelEndpointsJson(packet.levels[k], packet.tunnels[k].type, packet.tunnels[k].id));
    }
    record.tunnels = tunnels;
  }
  if (packet.reassembledLevels !== 0) record.reassembled = true;
  return record;
}
