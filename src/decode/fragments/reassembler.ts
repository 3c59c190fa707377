/**
 * IPv4 and IPv6 fragment reassembly with explicit limits (see `limits.ts`) and the first-copy-wins overlap policy
 * (see `datagram.ts`). Datagrams are keyed by (version, source, destination, identification) plus the protocol for
 * IPv4 (RFC 791; RFC 8200 keys IPv6 without it). A completed datagram is returned as a whole IP packet:
 * - IPv4: the offset-0 fragment's header (options included) with fragment fields cleared, total length and
 *   checksum rewritten, then the payload;
 * - IPv6: the unfragmentable part with the fragment header removed (the byte that named it now names the
 *   payload's protocol) and the payload length rewritten, then the payload.
 * Only fragments allocate (per datagram); nothing here throws on bad input.
 * @module
 */

import { Datagram, InsertResult } from "./datagram.ts";
import { createFragmentInfo, type FragmentInfo, FragmentInfoError, readFragmentInfo } from "./fragment_info.ts";
import {
  createReassemblyCounters,
  DEFAULT_REASSEMBLY_LIMITS,
  type ReassemblyCounters,
  type ReassemblyLimits,
} from "./limits.ts";

/** Reassembles fragments offered one by one (in packet time order, any arrival order). */
export class IpReassembler {
  readonly limits: Readonly<ReassemblyLimits>;
  readonly counters: ReassemblyCounters = createReassemblyCounters();
  /** Insertion order = first-fragment order, so the oldest datagram is the first entry. */
  readonly #datagrams = new Map<string, Datagram>();
  readonly #info: FragmentInfo = createFragmentInfo();
  #bufferedBytes = 0;

  constructor(limits: Partial<ReassemblyLimits> = {}) {
    this.limits = { ...DEFAULT_REASSEMBLY_LIMITS, ...limits };
  }

  /** Datagrams waiting for fragments. */
  get datagramsInFlight(): number {
    return this.#datagrams.size;
  }

  /** Bytes held by datagrams in flight. */
  get bufferedBytes(): number {
    return this.#bufferedBytes;
  }

  /**
   * Offers the IP packet at `data[at, end)` (a fragment) at packet time `nowMs`.
   * @returns the reassembled IP packet when this fragment completed a datagram (or was an IPv6 atomic fragment),
   * else null (kept for later, or dropped and counted).
   */
  add(data: Uint8Array, at: number, end: number, nowMs: number): Uint8Array | null {
    this.expire(nowMs);
    const info = this.#info;
    this.counters.fragments++;
    const error = readFragmentInfo(data, at, end, info);
    if (error !== FragmentInfoError.NONE) {
      this.counters.malformed++;
      return null;
    }
    if (info.truncated) {
      this.counters.truncated++;
      return null;
    }
    if (info.offsetBytes === 0 && !info.moreFragments) {
      this.counters.datagramsAtomic++;
      return buildPacket(data, info, data.subarray(info.payloadOffset, info.payloadOffset + info.payloadBytes));
    }
    if (info.payloadBytes === 0 || (info.moreFragments && info.payloadBytes % 8 !== 0)) {
      this.counters.lengthInvalid++;
      return null;
    }
    return this.#insert(data, info, nowMs);
  }

  #insert(data: Uint8Array, info: FragmentInfo, nowMs: number): Uint8Array | null {
    const key = datagramKey(data, info);
    let datagram = this.#datagrams.get(key);
    const end = info.offsetBytes + info.payloadBytes;
    // The rebuilt length field is 16 bits: a larger datagram ("ping of death") cannot be represented.
    const lengthField = end + info.headerBytes - (info.version === 4 ? 0 : 40);
    if (end > this.limits.datagramBytesMax || lengthField > 0xffff) {
      this.counters.datagramBytesMax++;
      if (datagram !== undefined) this.#drop(datagram);
      return null;
    }
    if (datagram === undefined) datagram = this.#admit(key, nowMs);
    if (!this.#checkEnd(datagram, info, end)) return null;
    if (++datagram.fragments > this.limits.fragmentsPerDatagramMax) {
      this.counters.fragmentsPerDatagramMax++;
      this.#drop(datagram);
      return null;
    }
    const before = datagram.bufferedBytes;
    const result = datagram.insert(
      data,
      info.payloadOffset,
      info.payloadBytes,
      info.offsetBytes,
      this.limits.datagramBytesMax,
    );
    if (result === InsertResult.DUPLICATE) this.counters.duplicate++;
    else if (result === InsertResult.OVERLAP) this.counters.overlap++;
    if (info.offsetBytes === 0 && datagram.header === null) {
      datagram.header = data.slice(info.headerOffset, info.headerOffset + info.headerBytes);
      datagram.nextHeaderFieldAt = info.nextHeaderFieldAt;
      datagram.protocol = info.protocol;
    }
    this.#bufferedBytes += datagram.bufferedBytes - before;
    if (datagram.isComplete()) {
      this.#drop(datagram);
      this.counters.datagramsCompleted++;
      return buildPacket(datagram.header!, info, datagram.payload(), datagram);
    }
    this.#evictForBytes(datagram);
    return null;
  }

  /** Checks the fragment against the known end; a last fragment fixes the end. False = dropped (counted). */
  #checkEnd(datagram: Datagram, info: FragmentInfo, end: number): boolean {
    const known = datagram.totalBytes;
    const conflict = info.moreFragments
      ? known >= 0 && end > known
      : (known >= 0 && end !== known) || (known < 0 && end < datagram.receivedEnd);
    if (conflict) {
      this.counters.lengthConflict++;
      return false;
    }
    if (!info.moreFragments) datagram.totalBytes = end;
    return true;
  }

  #admit(key: string, nowMs: number): Datagram {
    if (this.#datagrams.size >= this.limits.datagramsMax) {
      this.counters.datagramsMax++;
      this.#drop(this.#datagrams.values().next().value!);
    }
    const datagram = new Datagram(key, nowMs);
    this.#datagrams.set(key, datagram);
    return datagram;
  }

  /** Evicts the oldest datagrams (never `keep`) while the byte budget is exceeded. */
  #evictForBytes(keep: Datagram): void {
    for (const datagram of this.#datagrams.values()) {
      if (this.#bufferedBytes <= this.limits.bufferedBytesMax) return;
      if (datagram === keep) continue;
      this.counters.bufferedBytesMax++;
      this.#drop(datagram);
    }
    if (this.#bufferedBytes > this.limits.bufferedBytesMax) {
      this.counters.bufferedBytesMax++;
      this.#drop(keep);
    }
  }

  #drop(datagram: Datagram): void {
    if (this.#datagrams.delete(datagram.key)) this.#bufferedBytes -= datagram.bufferedBytes;
  }

  /** Drops datagrams older than `timeoutMs` at packet time `nowMs` (also done by every `add`). */
  expire(nowMs: number): void {
    for (const datagram of this.#datagrams.values()) {
      if (nowMs - datagram.firstMs < this.limits.timeoutMs) return;
      this.counters.timeout++;
      this.#drop(datagram);
    }
  }
}

function datagramKey(data: Uint8Array, info: FragmentInfo): string {
  const bytes = info.version === 4 ? 4 : 16;
  let key = info.version === 4 ? `4:${info.protocol}:${info.identification}` : `6:${info.identification}`;
  for (let k = 0; k < bytes; k++) key += `.${data[info.srcAddressOffset + k]}`;
  key += ">";
  for (let k = 0; k < bytes; k++) key += `.${data[info.dstAddressOffset + k]}`;
  return key;
}

/**
 * Builds the reassembled IP packet from a header and the payload. `source` is the header's owner: for a datagram,
 * `header` is its saved header; for an atomic fragment, the packet itself (`info` locates the header in it).
 */
function buildPacket(header: Uint8Array, info: FragmentInfo, payload: Uint8Array, datagram?: Datagram): Uint8Array {
  const headerAt = datagram === undefined ? info.headerOffset : 0;
  const headerBytes = datagram === undefined ? info.headerBytes : header.length;
  const fieldAt = datagram === undefined ? info.nextHeaderFieldAt : datagram.nextHeaderFieldAt;
  const protocol = datagram === undefined ? info.protocol : datagram.protocol;
  const packet = new Uint8Array(headerBytes + payload.length);
  packet.set(header.subarray(headerAt, headerAt + headerBytes));
  packet.set(payload, headerBytes);
  if (packet[0] >> 4 === 4) {
    writeU16(packet, 2, packet.length);
    writeU16(packet, 6, 0);
    writeU16(packet, 10, 0);
    writeU16(packet, 10, ipv4Checksum(packet, headerBytes));
  } else {
    packet[fieldAt] = protocol;
    writeU16(packet, 4, packet.length - 40);
  }
  return packet;
}

function writeU16(data: Uint8Array, at: number, value: number): void {
  data[at] = (value >> 8) & 0xff;
  data[at + 1] = value & 0xff;
}

function ipv4Checksum(header: Uint8Array, bytes: number): number {
  let sum = 0;
  for (let k = 0; k < bytes; k += 2) sum += (header[k] << 8) | header[k + 1];
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}
