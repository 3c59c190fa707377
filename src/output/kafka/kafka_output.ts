/**
 * The Kafka output. Capture never waits on the broker: `write()` encodes each record and puts it in a bounded
 * memory queue that one sender drains in batches (count, bytes, linger). When the queue is full or a send fails,
 * the output switches to spooling: the queue is moved to the on-disk spool, a failed batch is put in front of it,
 * and every new record is appended behind. The sender then replays the spool in order, with backoff while the
 * broker is unreachable, and returns to the memory queue once the spool is empty. Delivery is at-least-once: a
 * batch whose acknowledgement was lost is sent again (duplicates are bounded by the batches in flight at failures).
 * With the idempotent producer up to `maxInFlight` direct batches are in flight at once, handled in send order
 * (in_flight.ts says how failures keep the order); otherwise one.
 *
 * @module
 */
import type { Output, OutputRecord, WriteResult } from "../output.ts";
import { Spool } from "../spool/spool.ts";
import { createKafkaClient, type KafkaClient, type KafkaMessage } from "./client.ts";
import { MessageEncoder } from "./message.ts";
import { decodeMessage, encodeMessage } from "./message_spool.ts";
import { clientOptions, type KafkaOutputOptions, messageOptions, type ResolvedKafkaOptions } from "./options.ts";
import { effectiveMaxInFlight, resolveKafkaOptions } from "./options.ts";
import { ACK_LATENCY_BOUNDS_S, BATCH_RECORDS_BOUNDS, FixedHistogram } from "./histogram.ts";
import { type KafkaOutputCounters, type KafkaOutputStats, zeroStats } from "./stats.ts";
import { InFlightWindow } from "./in_flight.ts";

export type { KafkaOutputStats };

/** See the module documentation. */
export class KafkaOutput implements Output {
  readonly name: string;
  readonly #options: ResolvedKafkaOptions;
  readonly #encoder: MessageEncoder;
  readonly #client: KafkaClient;
  readonly #spool: Spool | null;
  readonly #stats = zeroStats();
  readonly #ackLatency = new FixedHistogram(ACK_LATENCY_BOUNDS_S);
  readonly #batchRecords = new FixedHistogram(BATCH_RECORDS_BOUNDS);
  #queue: KafkaMessage[] = [];
  /** `messageBytes()` of each queued message, in queue order. */
  #queueSizes: number[] = [];
  #queueBytes = 0;
  #spooling = false;
  #closing = false;
  #closed = false;
  readonly #inFlight: InFlightWindow;
  #wake: (() => void) | null = null;
  /** The sender waits for an empty queue to fill. */
  #idle = false;
  #flushing = 0;
  #closingDone: Promise<void> | null = null;
  #backoffMs: number;
  readonly #sender: Promise<void>;

  /** Creates the client and opens the spool (replaying whatever a previous instance left in it). */
  constructor(options: KafkaOutputOptions) {
    this.#options = resolveKafkaOptions(options);
    this.name = this.#options.name;
    this.#encoder = new MessageEncoder(messageOptions(this.#options));
    this.#client = (this.#options.createClient ?? createKafkaClient)(clientOptions(this.#options));
    this.#spool = this.#options.spool === undefined ? null : new Spool(this.#options.spool);
    this.#spooling = (this.#spool?.pendingRecords ?? 0) > 0;
    this.#backoffMs = this.#options.retryBackoffMinMs;
    this.#inFlight = new InFlightWindow(effectiveMaxInFlight(this.#options));
    this.#sender = this.#run();
  }

  /** Queues or spools each record; never waits and never throws for bad data. */
  write(records: readonly OutputRecord[]): WriteResult {
    const result: WriteResult = { queued: 0, spooled: 0, dropped: 0 };
    this.#stats.writtenRecords += records.length;
    if (this.#closing) {
      this.#drop("droppedClosed", records.length, result);
      return result;
    }
    const encoder = this.#encoder;
    let spilled: KafkaMessage[] | null = null;
    for (let i = 0; i < records.length; i++) {
      const message = encoder.next(records[i]);
      if (message === null) {
        this.#drop("droppedEncode", 1, result);
        continue;
      }
      if (encoder.lastCut) this.#stats.cutRecords++;
      if (!this.#spooling && this.#enqueue(message, encoder.lastBytes)) {
        result.queued++;
      } else if (this.#spool === null) {
        this.#drop("droppedQueueFull", 1, result);
      } else {
        if (!this.#spooling) this.#startSpooling();
        (spilled ??= []).push(message);
      }
    }
    if (spilled !== null) result.spooled += this.#toSpool(spilled, result);
    const batchReady = this.#queue.length >= this.#options.batchRecordsMax ||
      this.#queueBytes >= this.#options.batchBytesMax;
    // Waking on every write would cut the linger short; in backoff it would hammer a broker that is down.
    if (this.#idle || (batchReady && !this.#spooling)) this.#wakeSender();
    return result;
  }

  /** Resolves when the queue is empty and no batch is in flight (records may still wait in the spool). */
  async flush(): Promise<void> {
    this.#flushing++;
    try {
      while (!this.#closed && (this.#queue.length > 0 || this.#inFlight.size > 0)) {
        this.#wakeSender();
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
    } finally {
      this.#flushing--;
    }
  }

  /**
   * Delivers what it can within `closeTimeoutMs`, spools the rest (or drops it, counted, without a spool), then
   * closes the client and the spool. Idempotent.
   */
  close(): Promise<void> {
    this.#closingDone ??= this.#close();
    return this.#closingDone;
  }

  async #close(): Promise<void> {
    this.#closing = true;
    this.#wakeSender();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timedOut = await Promise.race([
      this.#sender.then(() => false),
      new Promise<boolean>((resolve) => timer = setTimeout(() => resolve(true), this.#options.closeTimeoutMs)),
    ]);
    clearTimeout(timer);
    if (timedOut) this.#failBatches(this.#inFlight.abandon()); // Their late acks are ignored.
    this.#closed = true;
    this.#wakeSender();
    if (this.#queue.length > 0) this.#startSpooling(); // Still queued: to disk, for the next instance.
    this.#drop("droppedClosed", this.#queue.length, null);
    this.#queue = [];
    this.#queueSizes = [];
    this.#spool?.close();
    await this.#client.close().catch(() => {});
  }

  /** A snapshot of the counters. */
  stats(): KafkaOutputStats {
    const spool = this.#spool?.stats();
    const oldestMs = Math.min(this.#queue[0]?.timestampMs ?? Infinity, spool?.oldestTimestampMs ?? Infinity);
    return {
      ...this.#stats,
      spoolPendingRecords: spool?.pendingRecords ?? 0,
      spoolPendingBytes: spool?.pendingBytes ?? 0,
      spoolTornRecords: spool?.tornRecords ?? 0,
      droppedSpoolOldest: spool?.droppedOldestRecords ?? 0,
      droppedRecords: this.#stats.droppedRecords + (spool?.droppedOldestRecords ?? 0),
      queueRecords: this.#queue.length,
      queueBytes: this.#queueBytes,
      oldestAgeMs: Number.isFinite(oldestMs) ? Math.max(0, Date.now() - oldestMs) : 0,
      spooling: this.#spooling ? 1 : 0,
      ackLatencySeconds: this.#ackLatency.snapshot(),
      batchRecords: this.#batchRecords.snapshot(),
    };
  }

  #drop(reason: keyof KafkaOutputCounters, count: number, result: WriteResult | null): void {
    this.#stats[reason] += count;
    this.#stats.droppedRecords += count;
    if (result !== null) result.dropped += count;
  }

  #enqueue(message: KafkaMessage, bytes: number): boolean {
    const full = this.#queue.length >= this.#options.queueRecordsMax ||
      this.#queueBytes + bytes > this.#options.queueBytesMax;
    if (full) return false;
    this.#queue.push(message);
    this.#queueSizes.push(bytes);
    this.#queueBytes += bytes;
    return true;
  }

  /** Moves the memory queue to the spool; from now on new records go there too, until replay empties it. */
  #startSpooling(): void {
    if (this.#spool === null) return;
    this.#spooling = true;
    const queued = this.#queue;
    this.#queue = [];
    this.#queueSizes = [];
    this.#queueBytes = 0;
    this.#toSpool(queued, null);
  }

  /** Appends to the spool; records it refuses (full under `block`) are counted as dropped. */
  #toSpool(messages: KafkaMessage[], result: WriteResult | null): number {
    if (messages.length === 0 || this.#spool === null) return 0;
    const payloads = messages.map(encodeMessage);
    const stored = this.#spool.append(payloads, messages.map((message) => message.timestampMs));
    this.#stats.spooledRecords += stored;
    for (let i = 0; i < stored; i++) this.#stats.spooledBytes += payloads[i].length;
    this.#drop("droppedSpoolFull", messages.length - stored, result);
    return stored;
  }

  /**
   * Direct batches failed (in send order): they go in front of the spool (they are older than anything there), or
   * are dropped.
   */
  #failBatches(batches: KafkaMessage[][]): void {
    if (batches.length === 0) return;
    const messages = batches.flat();
    this.#stats.failedBatches += batches.length;
    this.#stats.failedRecords += messages.length;
    if (this.#spool === null) return this.#drop("droppedSendFailed", messages.length, null);
    this.#startSpooling();
    this.#spool.prepend(messages.map(encodeMessage), messages.map((message) => message.timestampMs));
    this.#stats.spooledRecords += messages.length;
  }

  #wakeSender(): void {
    this.#wake?.();
  }

  /** Sleeps up to `ms`, or until `write()`, `flush()` or `close()` wakes the sender, or `until` settles. */
  #sleep(ms: number, until?: Promise<void>): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        if (this.#wake === done) this.#wake = null;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.#wake = done;
      until?.then(done);
    });
  }

  async #run(): Promise<void> {
    while (!this.#closed) {
      try {
        if (this.#inFlight.size > 0 && (this.#spooling || this.#inFlight.full)) {
          // Replay waits for the direct batches: a failed one goes in front of the spool.
          await this.#handleOldest();
        } else if (this.#spooling) {
          if (!(await this.#replayOnce())) break;
        } else if (this.#queue.length === 0 && this.#inFlight.size === 0) {
          if (this.#closing) break;
          this.#idle = true;
          await this.#sleep(60_000);
          this.#idle = false;
        } else {
          await this.#sendDirect();
        }
      } catch {
        // Spool I/O failed (disk full, directory removed): count it and keep the sender alive.
        this.#stats.senderErrors++;
        await this.#sleep(this.#nextBackoffMs());
      }
    }
  }

  /**
   * Starts one batch from the memory queue, after the linger time unless the batch is already full. With batches in
   * flight, a partial batch waits for a full one or for the oldest in flight instead.
   */
  async #sendDirect(): Promise<void> {
    const options = this.#options;
    const ready = () =>
      this.#queue.length >= options.batchRecordsMax || this.#queueBytes >= options.batchBytesMax ||
      ((this.#closing || this.#flushing > 0) && this.#queue.length > 0);
    if (!ready()) {
      if (this.#inFlight.size === 0) await this.#sleep(options.lingerMs);
      else {
        await this.#sleep(60_000, this.#inFlight.oldestSettled());
        if (!ready()) return this.#handleOldest();
      }
    }
    if (this.#spooling || this.#queue.length === 0 || this.#inFlight.full) return; // Spilled while lingering.
    let count = 0;
    let bytes = 0;
    while (count < this.#queue.length && count < options.batchRecordsMax) {
      const next = this.#queueSizes[count];
      if (count > 0 && bytes + next > options.batchBytesMax) break;
      bytes += next;
      count++;
    }
    const batch = this.#queue.splice(0, count);
    this.#queueSizes.splice(0, count);
    this.#queueBytes -= bytes;
    this.#inFlight.add(batch, this.#send(batch, bytes));
  }

  /** Handles the oldest batch in flight once it settles; after a failure, every batch in flight (in_flight.ts). */
  async #handleOldest(): Promise<void> {
    const outcome = await this.#inFlight.handleOldest();
    if (outcome.kind !== "failed") return; // Sent, or close() gave up on the batches and spooled them.
    this.#failBatches(outcome.batches);
    if (this.#spool === null) await this.#sleep(this.#nextBackoffMs());
  }

  /** Replays one batch from the spool; returns false when the sender should stop (closing and not delivering). */
  async #replayOnce(): Promise<boolean> {
    const spool = this.#spool!;
    const batch = spool.read(this.#options.batchRecordsMax, this.#options.batchBytesMax);
    if (batch === null) {
      this.#spooling = false; // Drained: new records use the memory queue again.
      return true;
    }
    const messages: KafkaMessage[] = [];
    for (const payload of batch.payloads) {
      const message = decodeMessage(payload);
      if (message === null) this.#drop("droppedSpoolCorrupt", 1, null);
      else messages.push(message);
    }
    const ok = messages.length === 0 || await this.#send(messages, batch.bytes);
    if (this.#closed) return false;
    if (ok) {
      if (spool.commit(batch)) this.#stats.replayedRecords += messages.length;
      return true;
    }
    this.#stats.failedBatches++;
    this.#stats.failedRecords += messages.length;
    if (this.#closing) return false; // The records stay on disk for the next instance.
    await this.#sleep(this.#nextBackoffMs());
    return true;
  }

  async #send(batch: KafkaMessage[], bytes: number): Promise<boolean> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error("send timed out")), this.#options.sendTimeoutMs);
    });
    try {
      // A client that never settles (a broker that accepts connections but does not answer) must not stall the
      // output: after sendTimeoutMs the batch counts as failed; if it lands later, it is a duplicate.
      await Promise.race([this.#client.send(batch), timeout]);
    } catch {
      return false;
    } finally {
      clearTimeout(timer);
    }
    this.#stats.sentBatches++;
    this.#stats.sentRecords += batch.length;
    this.#stats.sentBytes += bytes;
    const ackMs = Date.now();
    this.#stats.lastAckLatencyMs = Math.max(0, ackMs - batch[0].timestampMs);
    // Per record, not per batch: a batch holds up to lingerMs (or a spool's worth) of capture time.
    for (let i = 0; i < batch.length; i++) this.#ackLatency.observe((ackMs - batch[i].timestampMs) / 1000);
    this.#batchRecords.observe(batch.length);
    this.#backoffMs = this.#options.retryBackoffMinMs;
    return true;
  }

  #nextBackoffMs(): number {
    const backoffMs = this.#backoffMs;
    this.#backoffMs = Math.min(this.#backoffMs * 2, this.#options.retryBackoffMaxMs);
    return backoffMs;
  }
}
