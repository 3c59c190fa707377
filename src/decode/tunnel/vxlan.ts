/**
 * VXLAN (RFC 7348, UDP 4789): an 8-byte header (flags with the I bit, 24-bit VNI) before an Ethernet frame.
 * @module
 */

import { InnerKind, TunnelError, type TunnelInfo, TunnelType } from "./tunnel_info.ts";

const HEADER_BYTES = 8;
const FLAG_VNI_VALID = 0x08;

/**
 * Decodes the VXLAN header at `data[at, end)` into `info`. A header without the I flag still carries a frame
 * (Wireshark decodes it too); its VNI is reported as -1. Returns false when the header is cut short.
 */
export function decodeVxlan(data: Uint8Array, at: number, end: number, info: TunnelInfo): boolean {
  info.type = TunnelType.VXLAN;
  if (at + HEADER_BYTES > end) {
    info.error = TunnelError.VXLAN_TRUNCATED;
    return false;
  }
  info.id = (data[at] & FLAG_VNI_VALID) !== 0 ? (data[at + 4] << 16) | (data[at + 5] << 8) | data[at + 6] : -1;
  info.innerKind = InnerKind.ETHERNET;
  info.innerOffset = at + HEADER_BYTES;
  info.innerEnd = end;
  return true;
}
