/**
 * Symmetric flow key: the 5-tuple of a packet written in a canonical endpoint order, so A→B and B→A give the same
 * bytes and the same hash. Used for worker affinity (both directions of a call or connection reach one worker) and
 * as the key of flow tables. Writing a key allocates nothing: callers keep one `FlowKey` and reuse it.
 * @module
 */

import type { PacketSummary } from "./summary.ts";

/** Key layout: version(1) protocol(1) addressA(16) addressB(16) portA(2) portB(2); IPv4 addresses use 4 of 16. */
export const FLOW_KEY_BYTES = 38;
const ADDRESS_A = 2;
const ADDRESS_B = 18;
const PORT_A = 34;
const PORT_B = 36;
const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/** A reusable key: canonical bytes, their hash, and whether the packet ran from endpoint B to endpoint A. */
export interface FlowKey {
  bytes: Uint8Array;
  /** 32-bit unsigned hash of `bytes`; equal for both directions. */
  hash: number;
  /** True when the packet's source is the canonical endpoint B (the "larger" one). */
  reversed: boolean;
}

/** Creates a key to reuse for every packet. */
export function createFlowKey(): FlowKey {
  return { bytes: new Uint8Array(FLOW_KEY_BYTES), hash: 0, reversed: false };
}

/**
 * Compares endpoint (address, port) at `a` with the one at `b`: negative when a sorts first. Addresses compare
 * byte by byte, then ports, so the order is total and the same from either direction.
 */
function compareEndpoints(data: Uint8Array, a: number, aPort: number, b: number, bPort: number, bytes: number): number {
  for (let k = 0; k < bytes; k++) {
    const diff = data[a + k] - data[b + k];
    if (diff !== 0) return diff;
  }
  return aPort - bPort;
}

/**
 * Writes the symmetric key of `summary` (addresses, ports, protocol) into `key`. Packets without an IP header
 * get an all-zero key (hash of zeros); ports absent (-1, e.g. ICMP, later fragments) count as 0.
 * Pass `withPorts = false` to key by addresses and protocol only: a dispatcher that spreads packets over workers
 * BEFORE reassembly must do that for fragments (later fragments carry no ports), or simply for all packets.
 */
export function writeFlowKey(summary: PacketSummary, key: FlowKey, withPorts = true): void {
  const out = key.bytes;
  out.fill(0);
  key.reversed = false;
  if (summary.ipVersion !== 0 && summary.srcAddressOffset >= 0 && summary.dstAddressOffset >= 0) {
    const data = summary.data;
    const bytes = summary.addressBytes;
    const srcPort = summary.srcPort < 0 || !withPorts ? 0 : summary.srcPort;
    const dstPort = summary.dstPort < 0 || !withPorts ? 0 : summary.dstPort;
    const src = summary.srcAddressOffset;
    const dst = summary.dstAddressOffset;
    const reversed = compareEndpoints(data, src, srcPort, dst, dstPort, bytes) > 0;
    out[0] = summary.ipVersion;
    out[1] = summary.protocol < 0 ? 0 : summary.protocol;
    // Byte loops, not subarray(): a view object per packet would allocate on the hot path.
    const first = reversed ? dst : src;
    const second = reversed ? src : dst;
    for (let k = 0; k < bytes; k++) {
      out[ADDRESS_A + k] = data[first + k];
      out[ADDRESS_B + k] = data[second + k];
    }
    writePort(out, PORT_A, reversed ? dstPort : srcPort);
    writePort(out, PORT_B, reversed ? srcPort : dstPort);
    key.reversed = reversed;
  }
  key.hash = hashFlowKeyBytes(out);
}

function writePort(out: Uint8Array, at: number, port: number): void {
  out[at] = port >> 8;
  out[at + 1] = port & 0xff;
}

/** FNV-1a over the key bytes, then an avalanche step so low bits (used by `% workers`) depend on every byte. */
export function hashFlowKeyBytes(bytes: Uint8Array): number {
  let hash = FNV_OFFSET;
  for (let k = 0; k < bytes.length; k++) hash = Math.imul(hash ^ bytes[k], FNV_PRIME);
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  return hash >>> 0;
}

/** True when two keys hold the same bytes. */
export function flowKeysEqual(a: Uint8Array, b: Uint8Array): boolean {
  for (let k = 0; k < FLOW_KEY_BYTES; k++) if (a[k] !== b[k]) return false;
  return true;
}

/** The worker (0..workers-1) a flow hash maps to; the same for both directions of a flow. */
export function workerOfFlow(hash: number, workers: number): number {
  return workers <= 1 ? 0 : (hash >>> 0) % workers;
}
