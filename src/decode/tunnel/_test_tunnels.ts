/**
 * Test helpers (not used by production code): inner packets with their own addresses and tunnel headers.
 * @module
 */

import { concat, ethernet, hex, ipv4, ipv6, tcp, udp } from "../../capture/_test_batch.ts";

export { concat, ethernet, hex, ipv4, ipv6, tcp, udp };

/** `ipv4()` with source and destination replaced (dotted quads). */
export function ipv4Between(src: string, dst: string, protocol: number, payload: Uint8Array): Uint8Array {
  const packet = ipv4(protocol, payload);
  packet.set(src.split(".").map(Number), 12);
  packet.set(dst.split(".").map(Number), 16);
  return packet;
}

/** `ipv6()` with the last byte of source and destination replaced (2001:db8::S → 2001:db8::D). */
export function ipv6Between(srcLast: number, dstLast: number, next: number, payload: Uint8Array): Uint8Array {
  const packet = ipv6(next, payload);
  packet[23] = srcLast;
  packet[39] = dstLast;
  return packet;
}

/** The inner packet used by most tests: 192.168.1.1:1234 → 192.168.1.2:80 TCP SYN. */
export function innerTcp(): Uint8Array {
  return ipv4Between("192.168.1.1", "192.168.1.2", 6, tcp(1234, 80, 0x02, new Uint8Array(0)));
}

function u16(value: number): Uint8Array {
  return new Uint8Array([value >> 8, value & 0xff]);
}

function u32(value: number): Uint8Array {
  return new Uint8Array([value >>> 24, (value >> 16) & 0xff, (value >> 8) & 0xff, value & 0xff]);
}

/** VXLAN header with the I flag and `vni`. */
export function vxlan(vni: number, frame: Uint8Array): Uint8Array {
  return concat(hex("08000000"), u32(vni << 8), frame);
}

/** Geneve header with `optionWords` 4-byte words of options. */
export function geneve(vni: number, protocol: number, optionWords: number, payload: Uint8Array): Uint8Array {
  return concat(
    new Uint8Array([optionWords & 0x3f, 0]),
    u16(protocol),
    u32(vni << 8),
    new Uint8Array(optionWords * 4),
    payload,
  );
}

/** GRE v0 header with the given optional fields. */
export function gre(
  protocol: number,
  payload: Uint8Array,
  options: { checksum?: boolean; key?: number; sequence?: number } = {},
): Uint8Array {
  let flags = 0;
  const fields: Uint8Array[] = [];
  if (options.checksum) {
    flags |= 0x8000;
    fields.push(hex("00000000"));
  }
  if (options.key !== undefined) {
    flags |= 0x2000;
    fields.push(u32(options.key));
  }
  if (options.sequence !== undefined) {
    flags |= 0x1000;
    fields.push(u32(options.sequence));
  }
  return concat(u16(flags), u16(protocol), ...fields, payload);
}

/** ERSPAN type II header (version 1) with `session`. */
export function erspanII(session: number, frame: Uint8Array): Uint8Array {
  return concat(new Uint8Array([0x10, 0x01, (session >> 8) & 0x03, session & 0xff]), hex("00000000"), frame);
}

/** ERSPAN type III header (version 2) with `session`, optionally with the 8-byte platform subheader. */
export function erspanIII(session: number, frame: Uint8Array, subheader = false): Uint8Array {
  const header = concat(new Uint8Array([0x20, 0x01, (session >> 8) & 0x03, session & 0xff]), hex("00000000 0000 0000"));
  if (subheader) header[11] = 0x01;
  return concat(header, subheader ? new Uint8Array(8) : new Uint8Array(0), frame);
}
