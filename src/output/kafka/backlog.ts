/**
 * Where the Kafka output's records wait for the sender, in capture order: a bounded memory queue of message batches
 * (message_batch.ts: the batches the sender takes, filled up to the batch limits as records come), or the on-disk
 * spool. An overflow or a failed send switches to spooling: the queue moves to the spool, a failed batch goes in
 * front of it, and new records are appended behind, until replay drains the spool and the memory queue takes over
 * again. Without a spool, what the queue cannot hold is dropped and counted.
 *
 * @module
 */
import type { OutputRecord, WriteResult } from "../output.ts";
import type { Spool, SpoolBatch } from "../spool/spool.ts";
import type { KafkaMessage } from "./client.ts";
import { MessageBatch } from "./message_batch.ts";
import { decodeMessage, encodeMessage } from "./message_spool.ts";
import { countDropped, type KafkaOutputCounters } from "./stats.ts";

/** Bounds of the memory queue and of the batches it is made of. */
export interface BacklogLimits {
  queueRecordsMax: number;
  queueBytesMax: number;
  batchRecordsMax: number;
  /** A batch closes before a message would take it past this (a message larger than it has a batch of its own). */
  batchBytesMax: number;
}

/** A batch read from the spool for replay; records that did not decode are counted and left out. */
export interface ReplayBatch {
  batch: MessageBatch;
  spooled: SpoolBatch;
}

/** What `append()` needs of the encoder (message.ts `MessageEncoder`). */
export interface RecordAppender {
  /** Appends the record's message to `batch`; false, nothing appended, when it cannot be encoded. */
  append(batch: MessageBatch, record: OutputRecord): boolean;
  /** `messageBytes()` of the message appended last. */
  readonly lastBytes: number;
}

/** What `append()` did with a record. */
export type AppendOutcome = "queued" | "full" | "encode";

/** Emptied batches kept for reuse: the batches in flight plus a few, so steady sending allocates none. */
const batchPoolMax = 8;

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
  /** Oldest first; the last one is still filling unless `#lastClosed`. */
  #batches: MessageBatch[] = [];
  #lastClosed = false;
  #queueRecords = 0;
  #queueBytes = 0;
  #spooling: boolean;
  readonly #pool: MessageBatch[] = [];

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
    return this.#queueRecords;
  }

  /** Sum of their `messageBytes()`. */
  get queueBytes(): number {
    return this.#queueBytes;
  }

  /**
   * Encodes `record` into the memory queue's last batch: "full" (nothing queued) when the queue cannot hold it,
   * "encode" when its value cannot be encoded.
   */
  append(encoder: RecordAppender, record: OutputRecord): AppendOutcome {
    const limits = this.#limits;
    if (this.#queueRecords >= limits.queueRecordsMax) return "full";
    let batch = this.#fillingBatch();
    if (!encoder.append(batch, record)) return this.#unfilled("encode");
    const bytes = encoder.lastBytes;
    if (this.#queueBytes + bytes > limits.queueBytesMax) {
      batch.pop();
      return this.#unfilled("full");
    }
    if (batch.count > 1 && batch.bytes > limits.batchBytesMax) {
      this.#lastClosed = true;
      const next = this.#fillingBatch();
      next.moveLastFrom(batch);
      batch = next;
    }
    this.#queueRecords++;
    this.#queueBytes += bytes;
    if (batch.full || batch.bytes >= limits.batchBytesMax) this.#lastClosed = true;
    return "queued";
  }

  /** Takes the oldest batch of the memory queue (null when empty); `recycle()` it once acknowledged. */
  take(): MessageBatch | null {
    const batch = this.#batches.shift();
    if (batch === undefined) return null;
    if (this.#batches.length === 0) this.#lastClosed = false;
    this.#queueRecords -= batch.count;
    this.#queueBytes -= batch.bytes;
    return batch;
  }

  /** Returns an acknowledged batch for reuse (nothing may read it afterwards). */
  recycle(batch: MessageBatch): void {
    if (this.#pool.length >= batchPoolMax || batch.recordsMax !== this.#limits.batchRecordsMax) return;
    batch.reset();
    this.#pool.push(batch);
  }

  /** The batch records are appended to: the last one, or a new one once that is closed. */
  #fillingBatch(): MessageBatch {
    const last = this.#batches.at(-1);
    if (last !== undefined && !this.#lastClosed) return last;
    const batch = this.#pool.pop() ?? new MessageBatch(this.#limits.batchRecordsMax);
    this.#batches.push(batch);
    this.#lastClosed = false;
    return batch;
  }

  /** Nothing was appended: a batch `#fillingBatch()` just opened goes back to the pool (the queue has no empty batch). */
  #unfilled(outcome: AppendOutcome): AppendOutcome {
    const last = this.#batches.at(-1);
    if (last !== undefined && last.count === 0) {
      this.recycle(this.#batches.pop()!);
      this.#lastClosed = this.#batches.length > 0; // A batch is opened only after the one before it closed.
    }
    return outcome;
  }

  /** The queued messages as objects (for the spool), the queue emptied. */
  #drainQueue(): KafkaMessage[] {
    const messages = this.#batches.flatMap((batch) => batch.messages());
    for (const batch of this.#batches) this.recycle(batch);
    this.#batches = [];
    this.#lastClosed = false;
    this.#queueRecords = 0;
    this.#queueBytes = 0;
    return messages;
  }

  /** Moves the memory queue to the spool; from now on new records go there too, until replay empties it. */
  startSpooling(): void {
    if (this.#spool === null) return;
    this.#spooling = true;
    this.toSpool(this.#drainQueue(), null);
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
  putBackFailed(batches: MessageBatch[]): void {
    if (batches.length === 0) return;
    const messages = batches.flatMap((batch) => batch.messages());
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
    return { batch: MessageBatch.fromMessages(messages), spooled };
  }

  /** Marks a replayed batch as delivered (counted unless the spool dropped its records meanwhile). */
  commitReplay(replay: ReplayBatch): void {
    if (this.#spool!.commit(replay.spooled)) this.#stats.replayedRecords += replay.batch.count;
  }

  /** At close: what is still queued goes to disk, for the next instance (dropped, counted, without a spool). */
  close(): void {
    if (this.#queueRecords > 0) this.startSpooling();
    countDropped(this.#stats, "droppedClosed", this.#drainQueue().length, null);
    this.#spool?.close();
  }

  /** Queue and spool depths, and the age of the oldest record waiting in either. */
  stats(): BacklogStats {
    const spool = this.#spool?.stats();
    const first = this.#batches[0];
    const queuedMs = first === undefined || first.count === 0 ? Infinity : first.timestampMs(0);
    const oldestMs = Math.min(queuedMs, spool?.oldestTimestampMs ?? Infinity);
    return {
      spoolPendingRecords: spool?.pendingRecords ?? 0,
      spoolPendingBytes: spool?.pendingBytes ?? 0,
      spoolTornRecords: spool?.tornRecords ?? 0,
      droppedSpoolOldest: spool?.droppedOldestRecords ?? 0,
      queueRecords: this.#queueRecords,
      queueBytes: this.#queueBytes,
      oldestAgeMs: Number.isFinite(oldestMs) ? Math.max(0, Date.now() - oldestMs) : 0,
      spooling: this.#spooling ? 1 : 0,
    };
  }
}
