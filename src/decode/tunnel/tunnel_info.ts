/**
 * What a tunnel decoder found: the tunnel type, its id (VNI, GRE key, ERSPAN session), and where the inner packet
 * starts and what it is (an Ethernet frame or an IP packet). One reusable object per nesting level.
 * @module
 */

/** Tunnel types. Values are stable: they index `TUNNEL_TYPE_NAMES` (metric and record labels). */
export const TunnelType = {
  NONE: 0,
  VXLAN: 1,
  GENEVE: 2,
  GRE: 3,
  ERSPAN_I: 4,
  ERSPAN_II: 5,
  ERSPAN_III: 6,
  IPIP: 7,
  IPV6_IN_IPV4: 8,
  IPV6_IN_IPV6: 9,
  IPV4_IN_IPV6: 10,
} as const;

/** A `TunnelType` value. */
export type TunnelTypeValue = typeof TunnelType[keyof typeof TunnelType];

/** Label of each `TunnelType`, indexed by value. */
export const TUNNEL_TYPE_NAMES: readonly string[] = [
  "none",
  "vxlan",
  "geneve",
  "gre",
  "erspan_i",
  "erspan_ii",
  "erspan_iii",
  "ipip",
  "ipv6_in_ipv4",
  "ipv6_in_ipv6",
  "ipv4_in_ipv6",
];

/** Why a tunnel header could not be used. Values index `TUNNEL_ERROR_NAMES`. */
export const TunnelError = {
  NONE: 0,
  VXLAN_TRUNCATED: 1,
  GENEVE_TRUNCATED: 2,
  GENEVE_VERSION_UNSUPPORTED: 3,
  GENEVE_PROTOCOL_UNSUPPORTED: 4,
  GRE_TRUNCATED: 5,
  GRE_VERSION_UNSUPPORTED: 6,
  GRE_ROUTING_UNSUPPORTED: 7,
  GRE_PROTOCOL_UNSUPPORTED: 8,
  ERSPAN_TRUNCATED: 9,
  ERSPAN_VERSION_INVALID: 10,
  ERSPAN_FRAME_TYPE_UNSUPPORTED: 11,
} as const;

/** A `TunnelError` value. */
export type TunnelErrorValue = typeof TunnelError[keyof typeof TunnelError];

/** Label of each `TunnelError`, indexed by value. */
export const TUNNEL_ERROR_NAMES: readonly string[] = [
  "none",
  "vxlan_truncated",
  "geneve_truncated",
  "geneve_version_unsupported",
  "geneve_protocol_unsupported",
  "gre_truncated",
  "gre_version_unsupported",
  "gre_routing_unsupported",
  "gre_protocol_unsupported",
  "erspan_truncated",
  "erspan_version_invalid",
  "erspan_frame_type_unsupported",
];

/** What the tunnel carries. */
export const InnerKind = { ETHERNET: 1, IPV4: 4, IPV6: 6 } as const;

/** An `InnerKind` value. */
export type InnerKindValue = typeof InnerKind[keyof typeof InnerKind];

/** One decoded tunnel header. */
export interface TunnelInfo {
  type: TunnelTypeValue;
  /** VXLAN/Geneve VNI, GRE key, ERSPAN session id; -1 when the header has none. */
  id: number;
  /** GRE sequence number (S bit), -1 when absent. */
  sequence: number;
  innerKind: InnerKindValue;
  /** The inner packet is `data[innerOffset, innerEnd)`. */
  innerOffset: number;
  innerEnd: number;
  error: TunnelErrorValue;
}

/** Creates a reusable `TunnelInfo`. */
export function createTunnelInfo(): TunnelInfo {
  const info = {} as TunnelInfo;
  resetTunnelInfo(info);
  return info;
}

/** Clears `info` before decoding. */
export function resetTunnelInfo(info: TunnelInfo): void {
  info.type = TunnelType.NONE;
  info.id = -1;
  info.sequence = -1;
  info.innerKind = InnerKind.ETHERNET;
  info.innerOffset = -1;
  info.innerEnd = -1;
  info.error = TunnelError.NONE;
}

/** Maps an ether type to the inner kind, or 0 when it is not one a tunnel decoder descends into. */
export function innerKindOfEtherType(etherType: number): InnerKindValue | 0 {
  if (etherType === 0x6558) return InnerKind.ETHERNET;
  if (etherType === 0x0800) return InnerKind.IPV4;
  if (etherType === 0x86dd) return InnerKind.IPV6;
  return 0;
}
