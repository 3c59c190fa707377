/**
 * Test helpers (not used by production code): crafted IPv4 and IPv6 fragments of a payload.
 * @module
 */

import { concat, hex } from "../../capture/_test_batch.ts";

/** Payload bytes 0, 1, 2, ... (mod 251, so shifted copies differ) of `bytes` length, plus `salt`. */
export function pattern(bytes: number, salt = 0): Uint8Array {
  const out = new Uint8Array(bytes);
  for (let k = 0; k < bytes; k++) out[k] = (k + salt) % 251;
  return out;
}

/** IPv4 fragment 10.0.0.1 → 10.0.0.2 of `payload[offset, offset+bytes)`, with `more` = MF. */
export function ipv4Fragment(
  payload: Uint8Array,
  offset: number,
  bytes: number,
  more: boolean,
  options: { id?: number; protocol?: number; src?: number } = {},
): Uint8Array {
  const header = hex("4500 0000 0000 0000 40 11 0000 0a000001 0a000002");
  const total = 20 + bytes;
  header[2] = total >> 8;
  header[3] = total & 0xff;
  const id = options.id ?? 0x1234;
  header[4] = id >> 8;
  header[5] = id & 0xff;
  const field = (more ? 0x2000 : 0) | (offset / 8);
  header[6] = field >> 8;
  header[7] = field & 0xff;
  header[9] = options.protocol ?? 17;
  header[15] = options.src ?? 1;
  return concat(header, payload.slice(offset, offset + bytes));
}

/** IPv6 fragment 2001:db8::1 → 2001:db8::2, optionally with a hop-by-hop header before the fragment header. */
export function ipv6Fragment(
  payload: Uint8Array,
  offset: number,
  bytes: number,
  more: boolean,
  options: { id?: number; next?: number; hopByHop?: boolean } = {},
): Uint8Array {
  const fixed = hex("60000000 0000 2c 40 20010db8000000000000000000000001 20010db8000000000000000000000002");
  const hopByHop = options.hopByHop ? hex("2c00 0104 00000000") : new Uint8Array(0);
  if (options.hopByHop) fixed[6] = 0;
  const id = options.id ?? 0xabcdef01;
  const field = offset | (more ? 1 : 0);
  const fragment = new Uint8Array([
    options.next ?? 17,
    0,
    field >> 8,
    field & 0xff,
    id >>> 24,
    (id >> 16) & 0xff,
    (id >> 8) & 0xff,
    id & 0xff,
  ]);
  const length = hopByHop.length + 8 + bytes;
  fixed[4] = length >> 8;
  fixed[5] = length & 0xff;
  return concat(fixed, hopByHop, fragment, payload.slice(offset, offset + bytes));
}
