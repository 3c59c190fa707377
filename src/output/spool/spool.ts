/**
 * A bounded, append-only, on-disk FIFO of records that survives restarts: the Kafka output writes here while the
 * broker is unreachable or slower than capture, and replays from here, in order, when it is back.
 *
 * Segments are files of checksummed frames (frame.ts). Replay reads a batch, sends it, then commits it; the commit
 * moves a persisted cursor and deletes finished segments, so a crash between send and commit replays that batch
 * again (at-least-once). When the byte bound is reached, `policy` decides: `block` refuses new records (the
 * caller counts them as dropped), `drop_oldest` deletes the oldest segment (its records are counted).
 *
 * @module
 */
import { spoolDefaults } from "../defaults.ts";
import { decodeFrames, encodeFrames, frameHeaderBytes, frameLength } from "./frame.ts";
import {
  firstSegmentId,
  peekTimestampMs,
  readFully,
  recoverSegments,
  type Segment,
  segmentPath,
  writeCursor,
  writeFully,
} from "./segment_files.ts";

/** What the spool does with a record that does not fit in `bytesMax`. */
export type SpoolFullPolicy = "block" | "drop_oldest";

/** Spool configuration; only `dir` is required. */
export interface SpoolOptions {
  /** Directory of this spool; one spool instance per directory at a time. */
  dir: string;
  /** Bound on the bytes of not yet replayed records. @default {1 GiB} */
  bytesMax?: number;
  /** Segment file size. @default {16 MiB} */
  segmentBytes?: number;
  /** @default {"block"} */
  policy?: SpoolFullPolicy;
}

/** Counters, cumulative since open unless named pending/oldest. */
export interface SpoolStats {
  pendingRecords: number;
  pendingBytes: number;
  appendedRecords: number;
  appendedBytes: number;
  committedRecords: number;
  /** Refused under `block` because the spool was full (or the record alone exceeds `bytesMax`). */
  droppedFullRecords: number;
  /** Deleted unread under `drop_oldest`. */
  droppedOldestRecords: number;
  /** Damaged frames found at open (a torn last write after a crash) and the bytes truncated with them. */
  tornRecords: number;
  tornBytes: number;
  /** Capture time of the oldest pending record in ms since the epoch, or null when empty. */
  oldestTimestampMs: number | null;
  segments: number;
}

/** Records read for replay; pass to `commit()` once delivered. */
export interface SpoolBatch {
  payloads: Uint8Array[];
  timestampsMs: number[];
  /** Bytes of the frames (headers included). */
  bytes: number;
  readonly segmentId: number;
  readonly startOffset: number;
  readonly endOffset: number;
  readonly generation: number;
}

/** The spool; see the module documentation. */
export class Spool {
  readonly dir: string;
  readonly bytesMax: number;
  readonly segmentBytes: number;
  readonly policy: SpoolFullPolicy;
  #segments: Segment[];
  #headOffset: number;
  #headRecordsRead: number;
  /** Append handle of the last segment; null until the first append after open, roll or delete. */
  #tail: Deno.FsFile | null = null;
  /** Bumped when unread records are deleted, so a batch read before can no longer be committed. */
  #generation = 0;
  #closed = false;
  #stats: SpoolStats;

  /** Opens (creating if needed) the spool in `options.dir`, repairing torn segments. */
  constructor(options: SpoolOptions) {
    this.dir = options.dir;
    this.bytesMax = options.bytesMax ?? spoolDefaults.bytesMax;
    this.segmentBytes = Math.min(options.segmentBytes ?? spoolDefaults.segmentBytes, Math.ceil(this.bytesMax / 4));
    this.policy = options.policy ?? "block";
    if (!(this.bytesMax > frameHeaderBytes)) throw new RangeError(`Cannot open spool with bytesMax ${this.bytesMax}`);
    const recovery = recoverSegments(this.dir);
    this.#segments = recovery.segments;
    this.#headOffset = recovery.headOffset;
    this.#headRecordsRead = recovery.headRecordsRead;
    this.#stats = {
      pendingRecords: 0,
      pendingBytes: 0,
      appendedRecords: 0,
      appendedBytes: 0,
      committedRecords: 0,
      droppedFullRecords: 0,
      droppedOldestRecords: 0,
      tornRecords: recovery.tornRecords,
      tornBytes: recovery.tornBytes,
      oldestTimestampMs: null,
      segments: 0,
    };
    this.#refreshOldest();
  }

  /** Records not yet committed. */
  get pendingRecords(): number {
    let records = 0;
    for (const segment of this.#segments) records += segment.records;
    return records - this.#headRecordsRead;
  }

  /** Bytes on disk of records not yet committed. */
  get pendingBytes(): number {
    let bytes = 0;
    for (const segment of this.#segments) bytes += segment.bytes;
    return bytes - this.#headOffset;
  }

  /**
   * Appends records in order; returns how many were stored. Under `block`, the records after the first that does
   * not fit are refused (and counted); under `drop_oldest`, whole oldest segments are deleted to make room.
   */
  append(payloads: readonly Uint8Array[], timestampsMs: readonly number[]): number {
    if (this.#closed) throw new Error("Cannot append to a closed spool");
    const droppedBefore = this.#stats.droppedOldestRecords;
    let pendingBytes = this.pendingBytes;
    let chunkStart = 0; // Records [chunkStart, i) are counted in the tail segment but not yet written.
    let i = 0;
    for (; i < payloads.length; i++) {
      const frameBytes = frameHeaderBytes + payloads[i].length;
      if (pendingBytes + frameBytes > this.bytesMax) {
        chunkStart = this.#writeChunk(payloads, timestampsMs, chunkStart, i);
        if (!this.#makeRoom(frameBytes)) break;
        pendingBytes = this.pendingBytes;
      }
      const tail = this.#segments.at(-1);
      if (
        this.#tail === null || tail === undefined || (tail.bytes > 0 && tail.bytes + frameBytes > this.segmentBytes)
      ) {
        chunkStart = this.#writeChunk(payloads, timestampsMs, chunkStart, i);
        this.#roll();
      }
      const segment = this.#segments.at(-1)!;
      segment.bytes += frameBytes;
      segment.records++;
      pendingBytes += frameBytes;
      this.#stats.appendedBytes += frameBytes;
    }
    this.#writeChunk(payloads, timestampsMs, chunkStart, i);
    this.#stats.appendedRecords += i;
    this.#stats.droppedFullRecords += payloads.length - i;
    const dropped = this.#stats.droppedOldestRecords !== droppedBefore;
    if (i > 0 && (this.#stats.oldestTimestampMs === null || dropped)) this.#refreshOldest();
    return i;
  }

  /**
   * Puts records in front of everything pending, as their own segment: for a batch that failed after newer
   * records were already spooled. Not bounded by `bytesMax` (the records were already accepted). Falls back to
   * `append()` when replay has started on the head segment (then order is not kept), and returns false then.
   */
  prepend(payloads: readonly Uint8Array[], timestampsMs: readonly number[]): boolean {
    if (payloads.length === 0) return true;
    if (this.#headOffset !== 0 || this.#segments.length === 0) {
      this.append(payloads, timestampsMs);
      return this.#headOffset === 0;
    }
    const id = this.#segments[0].id - 1;
    const bytes = encodeFrames(payloads, timestampsMs);
    Deno.writeFileSync(segmentPath(this.dir, id), bytes);
    this.#segments.unshift({ id, bytes: bytes.length, records: payloads.length });
    writeCursor(this.dir, { segmentId: id, offset: 0 }); // A cursor on a later segment would delete this one.
    this.#stats.appendedRecords += payloads.length;
    this.#stats.appendedBytes += bytes.length;
    this.#generation++;
    this.#refreshOldest();
    return true;
  }

  /** Reads the oldest pending records (without removing them), within one segment; null when empty. */
  read(recordsMax: number = spoolDefaults.readRecordsMax, bytesMax: number = spoolDefaults.readBytesMax) {
    const head = this.#segments[0];
    if (head === undefined || this.#closed) return null;
    const available = head.bytes - this.#headOffset;
    const file = Deno.openSync(segmentPath(this.dir, head.id), { read: true });
    try {
      file.seekSync(this.#headOffset, Deno.SeekMode.Start);
      let buffer = new Uint8Array(Math.min(available, Math.max(bytesMax, frameHeaderBytes)));
      let filled = readFully(file, buffer);
      const firstLength = frameLength(buffer.subarray(0, filled), 0);
      if (firstLength > filled && firstLength <= available) {
        // A single record larger than bytesMax still has to go out on its own.
        const whole = new Uint8Array(firstLength);
        whole.set(buffer.subarray(0, filled));
        filled += readFully(file, whole.subarray(filled));
        buffer = whole;
      }
      const decoded = decodeFrames(buffer.subarray(0, filled), recordsMax);
      if (decoded.frames.length === 0) return null;
      return {
        payloads: decoded.frames.map((frame) => frame.payload),
        timestampsMs: decoded.frames.map((frame) => frame.timestampMs),
        bytes: decoded.bytes,
        segmentId: head.id,
        startOffset: this.#headOffset,
        endOffset: this.#headOffset + decoded.bytes,
        generation: this.#generation,
      } satisfies SpoolBatch;
    } finally {
      file.close();
    }
  }

  /** Marks a batch from `read()` as delivered; false when it is stale (records were dropped meanwhile). */
  commit(batch: SpoolBatch): boolean {
    const head = this.#segments[0];
    const current = head !== undefined && batch.generation === this.#generation && batch.segmentId === head.id &&
      batch.startOffset === this.#headOffset;
    if (!current) return false;
    this.#headOffset = batch.endOffset;
    this.#headRecordsRead += batch.payloads.length;
    this.#stats.committedRecords += batch.payloads.length;
    if (this.#headOffset >= head.bytes) {
      this.#deleteHead();
    } else {
      writeCursor(this.dir, { segmentId: head.id, offset: this.#headOffset });
    }
    this.#refreshOldest();
    return true;
  }

  /** Forces written segments to disk (appends are only in the page cache until then: enough for a process crash). */
  sync(): void {
    this.#tail?.syncSync();
  }

  /** Syncs and closes the append handle; pending records stay on disk for the next open. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#tail?.syncSync();
    this.#tail?.close();
    this.#tail = null;
  }

  /** A snapshot of the counters. */
  stats(): SpoolStats {
    return {
      ...this.#stats,
      pendingRecords: this.pendingRecords,
      pendingBytes: this.pendingBytes,
      segments: this.#segments.length,
    };
  }

  /** Writes records [start, end) to the tail in one write; returns `end`, the next chunk's start. */
  #writeChunk(payloads: readonly Uint8Array[], timestampsMs: readonly number[], start: number, end: number): number {
    if (end > start) writeFully(this.#tail!, encodeFrames(payloads.slice(start, end), timestampsMs.slice(start, end)));
    return end;
  }

  /** Starts a new tail segment after the last one. */
  #roll(): void {
    this.#tail?.close();
    const id = (this.#segments.at(-1)?.id ?? firstSegmentId - 1) + 1;
    this.#tail = Deno.openSync(segmentPath(this.dir, id), { write: true, create: true, truncate: true });
    this.#segments.push({ id, bytes: 0, records: 0 });
  }

  /** True when `frameBytes` more fit, after dropping oldest segments if the policy allows. */
  #makeRoom(frameBytes: number): boolean {
    if (frameBytes > this.bytesMax) return false;
    let pendingBytes = this.pendingBytes;
    while (pendingBytes + frameBytes > this.bytesMax) {
      if (this.policy === "block" || this.#segments.length === 0) return false;
      const head = this.#segments[0];
      this.#stats.droppedOldestRecords += head.records - this.#headRecordsRead;
      pendingBytes -= head.bytes - this.#headOffset;
      this.#deleteHead();
      this.#generation++;
    }
    return true;
  }

  #deleteHead(): void {
    const head = this.#segments.shift()!;
    if (this.#segments.length === 0) {
      this.#tail?.close(); // The head was also the tail.
      this.#tail = null;
    }
    Deno.removeSync(segmentPath(this.dir, head.id));
    this.#headOffset = 0;
    this.#headRecordsRead = 0;
    const next = this.#segments[0];
    writeCursor(this.dir, next === undefined ? null : { segmentId: next.id, offset: 0 });
  }

  #refreshOldest(): void {
    const head = this.#segments[0];
    this.#stats.oldestTimestampMs = head === undefined || head.bytes === 0
      ? null
      : peekTimestampMs(this.dir, head.id, this.#headOffset);
  }
}
