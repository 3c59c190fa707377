/**
 * One datagram under reassembly: a growing payload buffer and the sorted byte ranges received so far.
 *
 * Overlap policy: FIRST COPY WINS. Bytes already received are never overwritten; a fragment only fills the bytes
 * nobody sent before (like BSD-Right/"first" in target-based reassembly for the payload that overlaps). The choice
 * makes the result independent of retransmitted or forged later copies and is the same for IPv4 and IPv6.
 * @module
 */

/** How a fragment's bytes related to what was received. */
export const InsertResult = { NEW: 0, OVERLAP: 1, DUPLICATE: 2 } as const;

/** An `InsertResult` value. */
export type InsertResultValue = typeof InsertResult[keyof typeof InsertResult];

const BUFFER_BYTES_MIN = 2048;

/** Reassembly state of one datagram. */
export class Datagram {
  readonly key: string;
  /** Packet time of the first fragment; the timeout counts from here. */
  readonly firstMs: number;
  fragments = 0;
  /** Payload length, known once the last fragment (MF=0) arrived; -1 before. */
  totalBytes = -1;
  /** Header bytes of the offset-0 fragment (IPv4 header, or IPv6 unfragmentable part). */
  header: Uint8Array | null = null;
  nextHeaderFieldAt = 0;
  protocol = 0;
  #buffer: Uint8Array = new Uint8Array(0);
  /** Disjoint, sorted, coalesced [start, end) pairs. */
  #ranges: number[] = [];

  constructor(key: string, firstMs: number) {
    this.key = key;
    this.firstMs = firstMs;
  }

  /** Bytes held by this datagram (buffer capacity plus header). */
  get bufferedBytes(): number {
    return this.#buffer.length + (this.header?.length ?? 0);
  }

  /** Highest payload byte received (exclusive). */
  get receivedEnd(): number {
    return this.#ranges.length === 0 ? 0 : this.#ranges[this.#ranges.length - 1];
  }

  /**
   * Copies payload `data[at, at+bytes)` placed at `offset`, keeping earlier bytes where they overlap.
   * `bytesMax` bounds the buffer; the caller checked `offset + bytes <= bytesMax`.
   */
  insert(data: Uint8Array, at: number, bytes: number, offset: number, bytesMax: number): InsertResultValue {
    const end = offset + bytes;
    this.#reserve(end, bytesMax);
    let cursor = offset;
    let copied = 0;
    const ranges = this.#ranges;
    for (let k = 0; k < ranges.length && cursor < end; k += 2) {
      if (ranges[k + 1] <= cursor) continue;
      if (ranges[k] >= end) break;
      if (ranges[k] > cursor) {
        this.#copy(data, at + (cursor - offset), cursor, ranges[k] - cursor);
        copied += ranges[k] - cursor;
      }
      cursor = Math.max(cursor, ranges[k + 1]);
    }
    if (cursor < end) {
      this.#copy(data, at + (cursor - offset), cursor, end - cursor);
      copied += end - cursor;
    }
    this.#addRange(offset, end);
    if (copied === bytes) return InsertResult.NEW;
    return copied === 0 ? InsertResult.DUPLICATE : InsertResult.OVERLAP;
  }

  /** True when the header, the last fragment and every byte before it arrived. */
  isComplete(): boolean {
    const ranges = this.#ranges;
    return this.header !== null && this.totalBytes >= 0 && ranges.length === 2 && ranges[0] === 0 &&
      ranges[1] === this.totalBytes;
  }

  /** The payload bytes `[0, totalBytes)`; valid once `isComplete()`. */
  payload(): Uint8Array {
    return this.#buffer.subarray(0, this.totalBytes);
  }

  #reserve(end: number, bytesMax: number): void {
    if (end <= this.#buffer.length) return;
    const bytes = Math.min(Math.max(end, this.#buffer.length * 2, BUFFER_BYTES_MIN), Math.max(bytesMax, end));
    const grown = new Uint8Array(bytes);
    grown.set(this.#buffer);
    this.#buffer = grown;
  }

  #copy(data: Uint8Array, from: number, to: number, bytes: number): void {
    this.#buffer.set(data.subarray(from, from + bytes), to);
  }

  #addRange(start: number, end: number): void {
    const ranges = this.#ranges;
    const merged: number[] = [];
    let inserted = false;
    for (let k = 0; k < ranges.length; k += 2) {
      if (!inserted && start < ranges[k]) {
        merged.push(start, end);
        inserted = true;
      }
      merged.push(ranges[k], ranges[k + 1]);
    }
    if (!inserted) merged.push(start, end);
    const out: number[] = [];
    for (let k = 0; k < merged.length; k += 2) {
      const last = out.length - 1;
      if (out.length > 0 && merged[k] <= out[last]) out[last] = Math.max(out[last], merged[k + 1]);
      else out.push(merged[k], merged[k + 1]);
    }
    this.#ranges = out;
  }
}
