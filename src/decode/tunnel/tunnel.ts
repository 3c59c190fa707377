/**
 * Tunnel dispatch: looks at a decoded packet (`PacketSummary`) and, when it carries a tunnel, fills a
 * `TunnelInfo` with the inner packet's place and kind. UDP tunnels are chosen by destination port (a port table,
 * so the check allocates nothing); GRE, IPIP (4) and IPv6 encapsulation (41) by IP protocol.
 * @module
 */

import { IpProtocol, type PacketSummary } from "../summary.ts";
import { decodeGeneve } from "./geneve.ts";
import { decodeGre } from "./gre.ts";
import { InnerKind, resetTunnelInfo, type TunnelInfo, TunnelType } from "./tunnel_info.ts";
import { decodeVxlan } from "./vxlan.ts";

const PROTOCOL_IPIP = 4;
const PROTOCOL_IPV6 = 41;
const PROTOCOL_GRE = 47;
const PORT_VXLAN = 1;
const PORT_GENEVE = 2;

/** UDP ports that carry tunnels. */
export interface TunnelPortOptions {
  /** @default [4789] (add 8472 for the pre-IANA Linux default) */
  vxlanPorts?: readonly number[];
  /** @default [6081] */
  genevePorts?: readonly number[];
}

/** A table indexed by UDP port: which tunnel the port carries (0 = none). */
export type TunnelPorts = Uint8Array;

/** Builds the port table once per decoder. */
export function createTunnelPorts(options: TunnelPortOptions = {}): TunnelPorts {
  const ports = new Uint8Array(65536);
  for (const port of options.vxlanPorts ?? [4789]) ports[port & 0xffff] = PORT_VXLAN;
  for (const port of options.genevePorts ?? [6081]) ports[port & 0xffff] = PORT_GENEVE;
  return ports;
}

/**
 * Decodes the tunnel header carried by `summary`, if any, into `info`.
 * @returns true when there is an inner packet to decode at `info.innerOffset`; false when the packet is not a
 * tunnel (`info.type` NONE) or the tunnel header is unusable (`info.type` set, `info.error` says why).
 */
export function decodeTunnel(summary: PacketSummary, ports: TunnelPorts, info: TunnelInfo): boolean {
  resetTunnelInfo(info);
  if (summary.ipVersion === 0 || summary.fragment || summary.payloadOffset < 0) return false;
  const data = summary.data;
  const at = summary.payloadOffset;
  const end = at + summary.payloadBytes;
  switch (summary.protocol) {
    case IpProtocol.UDP: {
      const port = ports[summary.dstPort & 0xffff];
      if (port === PORT_VXLAN) return decodeVxlan(data, at, end, info);
      if (port === PORT_GENEVE) return decodeGeneve(data, at, end, info);
      return false;
    }
    case PROTOCOL_GRE:
      return decodeGre(data, at, end, info);
    case PROTOCOL_IPIP:
      return setIpInIp(info, summary.ipVersion === 4 ? TunnelType.IPIP : TunnelType.IPV4_IN_IPV6, at, end);
    case PROTOCOL_IPV6:
      return setIpInIp(info, summary.ipVersion === 4 ? TunnelType.IPV6_IN_IPV4 : TunnelType.IPV6_IN_IPV6, at, end);
    default:
      return false;
  }
}

function setIpInIp(info: TunnelInfo, type: TunnelInfo["type"], at: number, end: number): boolean {
  info.type = type;
  info.innerKind = type === TunnelType.IPIP || type === TunnelType.IPV4_IN_IPV6 ? InnerKind.IPV4 : InnerKind.IPV6;
  info.innerOffset = at;
  info.innerEnd = end;
  return true;
}
