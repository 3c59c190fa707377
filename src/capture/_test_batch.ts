/**
 * Test helpers (not used by production code): hex input, packet builders and batches over crafted frames.
 * @module
 */

import { createPacketBatch, LinkType, type PacketBatch } from "./batch.ts";

/** Bytes from a hex string; spaces are ignored. */
export function hex(text: string): Uint8Array {
  const clean = text.replace(/\s+/g, "");
  const bytes = new Uint8Array(clean.length / 2);
  for (let k = 0; k < bytes.length; k++) bytes[k] = parseInt(clean.slice(2 * k, 2 * k + 2), 16);
  return bytes;
}

/** Concatenates byte arrays. */
export function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

function u16(value: number): Uint8Array {
  return new Uint8Array([value >> 8, value & 0xff]);
}

/** Ethernet II header (dst 02:..:02, src 02:..:01) followed by `payload`. */
export function ethernet(etherType: number, payload: Uint8Array): Uint8Array {
  return concat(hex("020000000002 020000000001"), u16(etherType), payload);
}

/** A VLAN tag (TCI with `vlanId`) and the inner ether type, to put after an outer TPID. */
export function vlanTag(vlanId: number, innerType: number): Uint8Array {
  return concat(u16(vlanId), u16(innerType));
}

/** IPv4 header 10.0.0.1 → 10.0.0.2 with `protocol`, total length covering `payload` unless given. */
export function ipv4(protocol: number, payload: Uint8Array, options: { totalBytes?: number; fragment?: number } = {}) {
  const header = hex("4500 0000 1234 0000 40 00 0000 0a000001 0a000002");
  header.set(u16(options.totalBytes ?? 20 + payload.length), 2);
  header.set(u16(options.fragment ?? 0), 6);
  header[9] = protocol;
  return concat(header, payload);
}

/** IPv6 header 2001:db8::1 → 2001:db8::2 with next header `next` and a payload length covering `payload`. */
export function ipv6(next: number, payload: Uint8Array): Uint8Array {
  const header = hex("60000000 0000 00 40 20010db8000000000000000000000001 20010db8000000000000000000000002");
  header.set(u16(payload.length), 4);
  header[6] = next;
  return concat(header, payload);
}

/** UDP header with a length covering `payload`. */
export function udp(srcPort: number, dstPort: number, payload: Uint8Array): Uint8Array {
  return concat(u16(srcPort), u16(dstPort), u16(8 + payload.length), u16(0), payload);
}

/** TCP header (20 bytes, no options) with `flags`. */
export function tcp(srcPort: number, dstPort: number, flags: number, payload: Uint8Array): Uint8Array {
  return concat(
    u16(srcPort),
    u16(dstPort),
    hex("00000001 00000000 50"),
    new Uint8Array([flags]),
    hex("ffff 0000 0000"),
    payload,
  );
}

/** A batch over the given frames (laid out back to back), one link type, timestamps 1000+i seconds. */
export function batchOf(frames: Uint8Array[], linkType: number = LinkType.EN10MB): PacketBatch {
  const batch = createPacketBatch(Math.max(frames.length, 1), concat(...frames));
  batch.linkType = linkType;
  let at = 0;
  for (const frame of frames) {
    const i = batch.count++;
    batch.offsets[i] = at;
    batch.capturedBytes[i] = frame.length;
    batch.wireBytes[i] = frame.length;
    batch.timestampSec[i] = 1000 + i;
    batch.timestampNsec[i] = 123456789;
    at += frame.length;
  }
  return batch;
}
