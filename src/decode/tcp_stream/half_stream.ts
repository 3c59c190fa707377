/**
 * One direction of a TCP connection: delivers bytes in sequence order exactly once. Sequence numbers are compared
 * modulo 2^32 (`(a - b) | 0`), so streams crossing the wrap-around work. Retransmitted bytes are dropped, a
 * segment overlapping delivered bytes gives only its new bytes (first copy wins), segments ahead of a hole are
 * copied into a bounded buffer, and a hole the buffer cannot wait for is reported as a gap.
 * @module
 */

import type { TcpStreamCounters, TcpStreamLimits } from "./limits.ts";

/** Where a half stream sends its bytes (the connection forwards them to the handler). */
export interface HalfStreamSink {
  data(data: Uint8Array, offset: number, bytes: number): void;
  gap(bytes: number): void;
}

/** Shared accounting between all half streams of one reassembler. */
export interface BufferBudget {
  bufferedBytes: number;
}

interface Segment {
  seq: number;
  data: Uint8Array;
}

/** Signed distance a - b in sequence space. */
export function seqDiff(a: number, b: number): number {
  return (a - b) | 0;
}

/** Sequence state and out-of-order buffer of one direction. */
export class HalfStream {
  initialized = false;
  /** The sequence number the direction started at, and whether that was a SYN's. */
  initialSeq = 0;
  initialSyn = false;
  nextSeq = 0;
  finSeen = false;
  finSeq = 0;
  bufferedBytes = 0;
  readonly #segments: Segment[] = [];
  readonly #limits: Readonly<TcpStreamLimits>;
  readonly #counters: TcpStreamCounters;
  readonly #budget: BufferBudget;

  constructor(limits: Readonly<TcpStreamLimits>, counters: TcpStreamCounters, budget: BufferBudget) {
    this.#limits = limits;
    this.#counters = counters;
    this.#budget = budget;
  }

  /** True when a FIN was seen and every byte before it delivered. */
  get finished(): boolean {
    return this.finSeen && this.nextSeq === this.finSeq;
  }

  /** Starts the sequence space at `seq` (the SYN's, or the first segment's when the SYN was missed). */
  start(seq: number, syn: boolean): void {
    this.initialized = true;
    this.initialSeq = seq;
    this.initialSyn = syn;
    this.nextSeq = syn ? (seq + 1) >>> 0 : seq;
  }

  /** Handles the payload `data[offset, +bytes)` starting at sequence `seq` (after any SYN). */
  segment(seq: number, data: Uint8Array, offset: number, bytes: number, sink: HalfStreamSink): void {
    if (bytes <= 0) return;
    let rel = seqDiff(seq, this.nextSeq);
    if (rel + bytes <= 0) {
      this.#counters.retransmission++;
      return;
    }
    if (rel < 0) {
      this.#counters.overlap++;
      offset -= rel;
      bytes += rel;
      seq = this.nextSeq;
      rel = 0;
    }
    if (rel === 0) {
      this.#deliver(data, offset, bytes, sink);
      this.#drain(sink);
      return;
    }
    this.#buffer(seq, data, offset, bytes, sink);
  }

  /** Records a FIN at `seq` (the sequence number after the segment's payload). */
  fin(seq: number): void {
    if (this.finSeen) return;
    this.finSeen = true;
    this.finSeq = seq >>> 0;
  }

  /** Delivers everything buffered, reporting the holes before it as gaps (on close). */
  flush(sink: HalfStreamSink): void {
    while (this.#segments.length > 0) this.#skipToFirstBuffered(sink);
    if (this.finSeen && seqDiff(this.finSeq, this.nextSeq) > 0) this.#gap(seqDiff(this.finSeq, this.nextSeq), sink);
  }

  #deliver(data: Uint8Array, offset: number, bytes: number, sink: HalfStreamSink): void {
    this.nextSeq = (this.nextSeq + bytes) >>> 0;
    this.#counters.deliveredBytes += bytes;
    sink.data(data, offset, bytes);
  }

  #gap(bytes: number, sink: HalfStreamSink): void {
    this.#counters.gaps++;
    this.#counters.gapBytes += bytes;
    this.nextSeq = (this.nextSeq + bytes) >>> 0;
    sink.gap(bytes);
  }

  /** Delivers buffered segments that now start at or before `nextSeq`. */
  #drain(sink: HalfStreamSink): void {
    const segments = this.#segments;
    while (segments.length > 0 && seqDiff(segments[0].seq, this.nextSeq) <= 0) {
      const segment = segments.shift()!;
      this.#release(segment.data.length);
      const old = seqDiff(this.nextSeq, segment.seq);
      if (old >= segment.data.length) {
        this.#counters.retransmission++;
        continue;
      }
      if (old > 0) this.#counters.overlap++;
      this.#deliver(segment.data, old, segment.data.length - old, sink);
    }
  }

  #buffer(seq: number, data: Uint8Array, offset: number, bytes: number, sink: HalfStreamSink): void {
    const limits = this.#limits;
    // Bounded: each pass drains at least one buffered segment.
    while (this.#segments.length > 0) {
      if (this.#segments.length >= limits.outOfOrderSegmentsMax) this.#counters.outOfOrderSegmentsMax++;
      else if (this.bufferedBytes + bytes > limits.bufferedBytesPerDirectionMax) {
        this.#counters.bufferedBytesPerDirectionMax++;
      } else if (this.#budget.bufferedBytes + bytes > limits.bufferedBytesMax) this.#counters.bufferedBytesMax++;
      else break;
      this.#skipToFirstBuffered(sink);
      const rel = seqDiff(seq, this.nextSeq);
      if (rel <= 0) return this.segment(seq, data, offset, bytes, sink);
    }
    const fits = bytes <= limits.bufferedBytesPerDirectionMax && limits.outOfOrderSegmentsMax > 0 &&
      this.#budget.bufferedBytes + bytes <= limits.bufferedBytesMax;
    if (!fits) {
      this.#gap(seqDiff(seq, this.nextSeq), sink);
      return this.segment(seq, data, offset, bytes, sink);
    }
    this.#counters.outOfOrder++;
    this.#insert({ seq, data: data.slice(offset, offset + bytes) });
  }

  #insert(segment: Segment): void {
    const segments = this.#segments;
    const rel = seqDiff(segment.seq, this.nextSeq);
    let k = segments.length;
    // Later arrivals go after equal sequence numbers, so at drain time the first copy wins.
    while (k > 0 && seqDiff(segments[k - 1].seq, this.nextSeq) > rel) k--;
    segments.splice(k, 0, segment);
    this.bufferedBytes += segment.data.length;
    this.#budget.bufferedBytes += segment.data.length;
  }

  #release(bytes: number): void {
    this.bufferedBytes -= bytes;
    this.#budget.bufferedBytes -= bytes;
  }

  /** Gives up on the hole before the first buffered segment and delivers what follows it. */
  #skipToFirstBuffered(sink: HalfStreamSink): void {
    const hole = seqDiff(this.#segments[0].seq, this.nextSeq);
    if (hole > 0) this.#gap(hole, sink);
    this.#drain(sink);
  }
}
