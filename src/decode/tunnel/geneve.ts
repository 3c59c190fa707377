/**
 * Geneve (RFC 8926, UDP 6081): an 8-byte header plus options (length in 4-byte words), then a payload named by
 * an ether type: Ethernet (0x6558) or IP directly (0x0800, 0x86dd, as Google Cloud sends it).
 * @module
 */

import { readU16 } from "../cursor.ts";
import { innerKindOfEtherType, TunnelError, type TunnelInfo, TunnelType } from "./tunnel_info.ts";

const HEADER_BYTES = 8;

/** Decodes the Geneve header at `data[at, end)` into `info`; false (with `info.error`) when it cannot be used. */
export function decodeGeneve(data: Uint8Array, at: number, end: number, info: TunnelInfo): boolean {
  info.type = TunnelType.GENEVE;
  if (at + HEADER_BYTES > end) {
    info.error = TunnelError.GENEVE_TRUNCATED;
    return false;
  }
  if (data[at] >> 6 !== 0) {
    info.error = TunnelError.GENEVE_VERSION_UNSUPPORTED;
    return false;
  }
  const headerBytes = HEADER_BYTES + (data[at] & 0x3f) * 4;
  if (at + headerBytes > end) {
    info.error = TunnelError.GENEVE_TRUNCATED;
    return false;
  }
  info.id = (data[at + 4] << 16) | (data[at + 5] << 8) | data[at + 6];
  const kind = innerKindOfEtherType(readU16(data, at + 2, end));
  if (kind === 0) {
    info.error = TunnelError.GENEVE_PROTOCOL_UNSUPPORTED;
    return false;
  }
  info.innerKind = kind;
  info.innerOffset = at + headerBytes;
  info.innerEnd = end;
  return true;
}
