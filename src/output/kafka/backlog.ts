/**
 * Where the Kafka output's records wait for the sender, in capture order: a bounded memory queue, or the on-disk
 * spool. An overflow or a failed send switches to spooling: the queue moves to the spool, a failed batch goes in
 * front of it, and new records are appended behind, until replay drains the spool and the memory queue takes over
 * again. Without a spool, what the queue cannot hold is dropped and counted.
 *
 * @module
 */
import type { WriteResult } from "../output.ts";
import type { Spool, SpoolBatch } from "../spool/spool.ts";
import type { KafkaMessage } from "./client.ts";
import { decodeMessage, encodeMessage } from "./message_spool.ts";
import { countDropped, type KafkaOutputCounters } from "./stats.ts";

/** Bounds of the memory queue. */
export interface BacklogLimits {
  queueRecordsMax: number;
  queueBytesMax: number;
}

/** A batch taken for sending, with the `messageBytes()` it held in the queue. */
export interface QueuedBatch {
  messages: KafkaMessage[];
  bytes: number;
}

/** A batch read from the spool for replay; records that did not decode are counted and left out. */
export interface ReplayBatch {
  messages: KafkaMessage[];
  spooled: SpoolBatch;
}

/** The backlog's share of `KafkaOutput.stats()`. */
export type BacklogStats = Pick<
  KafkaOutputCounters,
  | "spoolPendingRecords"
  | "spoolPendingBytes"
  | "spoolTornRecords"
  | "droppedSpoolOldest"
  | "queueRecords"
  | "queueBytes"
  | "oldestAgeMs"
  | "spooling"
>;

/** See the module documentation. */
export class Backlog {
  readonly #limits: BacklogLimits;
  readonly #spool: Spool | null;
  /** The output's counters, shared: spooled, replayed, failed and dropped records are counted here. */
  readonly #stats: KafkaOutputCounters;
  #queue: KafkaMessage[] = [];
  /** `messageBytes()` of each queued message, in queue order. */
  #queueSizes: number[] = [];
  #queueBytes = 0;
  #spooling: boolean;

  /** Starts spooling when the spool holds records (what a previous instance left: they go first). */
  constructor(limits: BacklogLimits, spool: Spool | null, stats: KafkaOutputCounters) {
    this.#limits = limits;
    this.#spool = spool;
    this.#stats = stats;
    this.#spooling = (spool?.pendingRecords ?? 0) > 0;
  }

  /** Records go through the spool (new ones included) until replay drains it. */
  get spooling(): boolean {
    return this.#spooling;
  }

  /** Whether there is a spool to switch to. */
  get hasSpool(): boolean {
    return this.#spool !== null;
  }

  /** Messages in the memory queue. */
  get queueRecords(): number {
    return this.#queue.length;
  }

  /** Sum of their `messageBytes()`. */
  get queueBytes(): number {
    return this.#queueBytes;
  }

  /** Appends to the memory queue; false, and nothing queued, when it is full. */
  enqueue(message: KafkaMessage, bytes: number): boolean {
    const full = this.#queue.length >= this.#limits.queueRecordsMax ||
      this.#queueBytes + bytes > this.#limits.queueBytesMax;
    if (full) return false;
    this.#queue.push(message);
    this.#queueSizes.push(bytes);
    this.#queueBytes += bytes;
    return true;
  }

  /** Takes the oldest queued messages, at most `recordsMax` and `bytesMax` (but at least one). */
  take(recordsMax: number, bytesMax: number): QueuedBatch {
    let count = 0;
    let bytes = 0;
    while (count < this.#queue.length && count < recordsMax) {
      const next = this.#queueSizes[count];
      if (count > 0 && bytes + next > bytesMax) break;
      bytes += next;
      count++;
    }
    const messages = this.#queue.splice(0, count);
    this.#queueSizes.splice(0, count);
    this.#queueBytes -= bytes;
    return { messages, bytes };
  }

  /** Moves the memory queue to the spool; from now on new records go there too, until replay empties it. */
  startSpooling(): void {
    if (this.#spool === null) return;
    this.#spooling = true;
    const queued = this.#queue;
    this.#queue = [];
    this.#queueSizes = [];
    this.#queueBytes = 0;
    this.toSpool(queued, null);
  }

  /** Appends to the spool; records it refuses (full under `block`) are counted as dropped. Returns those stored. */
  toSpool(messages: KafkaMessage[], result: WriteResult | null): number {
    if (messages.length === 0 || this.#spool === null) return 0;
    const payloads = messages.map(encodeMessage);
    const stored = this.#spool.append(payloads, messages.map((message) => message.timestampMs));
    this.#stats.spooledRecords += stored;
    for (let i = 0; i < stored; i++) this.#stats.spooledBytes += payloads[i].length;
    countDropped(this.#stats, "droppedSpoolFull", messages.length - stored, result);
    return stored;
  }

  /**
   * Direct batches failed (in send order): they go in front of the spool (they are older than anything there), or
   * are dropped.
   */
  putBackFailed(batches: KafkaMessage[][]): void {
    if (batches.length === 0) return;
    const messages = batches.flat();
    this.#stats.failedBatches += batches.length;
    this.#stats.failedRecords += messages.length;
    if (this.#spool === null) return countDropped(this.#stats, "droppedSendFailed", messages.length, null);
    this.startSpooling();
    this.#spool.prepend(messages.map(encodeMessage), messages.map((message) => message.timestampMs));
    this.#stats.spooledRecords += messages.length;
  }

  /** The next batch to replay (only while spooling); null once the spool is drained, which ends spooling. */
  readReplay(recordsMax: number, bytesMax: number): ReplayBatch | null {
    const spooled = this.#spool!.read(recordsMax, bytesMax);
    if (spooled === null) {
      this.#spooling = false; // Drained: new records use the memory queue again.
      return null;
    }
    const messages: KafkaMessage[] = [];
    for (const payload of spooled.payloads) {
      const message = decodeMessage(payload);
      if (message === null) countDropped(this.#stats, "droppedSpoolCorrupt", 1, null);
      else messages.push(message);
    }
    return { messages, spooled };
  }

  /** Marks a replayed batch as delivered (counted unless the spool dropped its records meanwhile). */
  commitReplay(replay: ReplayBatch): void {
    if (this.#spool!.commit(replay.spooled)) this.#stats.replayedRecords += replay.messages.length;
  }

  /** At close: what is still queued goes to disk, for the next instance (dropped, counted, without a spool). */
  close(): void {
    if (this.#queue.length > 0) this.startSpooling();
    countDropped(this.#stats, "droppedClosed", this.#queue.length, null);
    this.#queue = [];
    this.#queueSizes = [];
    this.#queueBytes = 0;
    this.#spool?.close();
  }

  /** Queue and spool depths, and the age of the oldest record waiting in either. */
  stats(): BacklogStats {
    const spool = this.#spool?.stats();
    const oldestMs = Math.min(this.#queue[0]?.timestampMs ?? Infinity, spool?.oldestTimestampMs ?? Infinity);
    return {
      spoolPendingRecords: spool?.pendingRecords ?? 0,
      spoolPendingBytes: spool?.pendingBytes ?? 0,
      spoolTornRecords: spool?.tornRecords ?? 0,
      droppedSpoolOldest: spool?.droppedOldestRecords ?? 0,
      queueRecords: this.#queue.length,
      queueBytes: this.#queueBytes,
      oldestAgeMs: Number.isFinite(oldestMs) ? Math.max(0, Date.now() - oldestMs) : 0,
      spooling: this.#spooling ? 1 : 0,
    };
  }
}
