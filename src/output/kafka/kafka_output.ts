/**
 * The Kafka output. Capture never waits on the broker: `write()` encodes each record and puts it in a bounded
 * memory queue that one sender drains in batches (count, bytes, linger). When the queue is full or a send fails,
 * the output switches to spooling: the queue is moved to the on-disk spool, a failed batch is put in front of it,
 * and every new record is appended behind (backlog.ts). The sender then replays the spool in order, with backoff
 * while the broker is unreachable, and returns to the memory queue once the spool is empty. Delivery is
 * at-least-once: a batch whose acknowledgement was lost is sent again (duplicates are bounded by the batches in flight
 * at failures).
 * With the idempotent producer up to `maxInFlight` direct batches are in flight at once, handled in send order
 * (in_flight.ts says how failures keep the order); otherwise one.
 *
 * @module
 */
import type { Output, OutputRecord, WriteResult } from "../output.ts";
import { Spool } from "../spool/spool.ts";
import { createKafkaClient, type KafkaClient, type KafkaMessage } from "./client.ts";
import { MessageEncoder } from "./message.ts";
import type { MessageBatch } from "./message_batch.ts";
import { clientOptions, type KafkaOutputOptions, messageOptions, type ResolvedKafkaOptions } from "./options.ts";
import { effectiveMaxInFlight, resolveKafkaOptions } from "./options.ts";
import { countDropped, type KafkaOutputStats, zeroStats } from "./stats.ts";
import { InFlightWindow } from "./in_flight.ts";
import { Backlog } from "./backlog.ts";
import { Delivery } from "./delivery.ts";

export type { KafkaOutputStats };

/** See the module documentation. */
export class KafkaOutput implements Output {
  readonly name: string;
  readonly #options: ResolvedKafkaOptions;
  readonly #encoder: MessageEncoder;
  readonly #client: KafkaClient;
  readonly #stats = zeroStats();
  readonly #backlog: Backlog;
  readonly #delivery: Delivery;
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
    const spool = this.#options.spool === undefined ? null : new Spool(this.#options.spool);
    this.#backlog = new Backlog(this.#options, spool, this.#stats);
    this.#delivery = new Delivery(this.#client, this.#options.sendTimeoutMs, this.#stats);
    this.#backoffMs = this.#options.retryBackoffMinMs;
    this.#inFlight = new InFlightWindow(effectiveMaxInFlight(this.#options));
    this.#sender = this.#run();
  }

  /** Queues or spools each record; never waits and never throws for bad data. */
  write(records: readonly OutputRecord[]): WriteResult {
    const result: WriteResult = { queued: 0, spooled: 0, dropped: 0 };
    this.#stats.writtenRecords += records.length;
    if (this.#closing) {
      countDropped(this.#stats, "droppedClosed", records.length, result);
      return result;
    }
    const encoder = this.#encoder;
    const backlog = this.#backlog;
    let spilled: KafkaMessage[] | null = null;
    for (let i = 0; i < records.length; i++) {
      if (!backlog.spooling) {
        const outcome = backlog.append(encoder, records[i]);
        if (outcome === "queued") {
          result.queued++;
          if (encoder.lastCut) this.#stats.cutRecords++;
          continue;
        }
        if (outcome === "encode" || !backlog.hasSpool) {
          countDropped(this.#stats, outcome === "encode" ? "droppedEncode" : "droppedQueueFull", 1, result);
          continue;
        }
        backlog.startSpooling();
      }
      // A record the queue refused is encoded again, as a message for the spool: once per switch to spooling.
      const message = encoder.next(records[i]);
      if (message === null) {
        countDropped(this.#stats, "droppedEncode", 1, result);
        continue;
      }
      if (encoder.lastCut) this.#stats.cutRecords++;
      (spilled ??= []).push(message);
    }
    if (spilled !== null) result.spooled += backlog.toSpool(spilled, result);
    const batchReady = backlog.queueRecords >= this.#options.batchRecordsMax ||
      backlog.queueBytes >= this.#options.batchBytesMax;
    // Waking on every write would cut the linger short; in backoff it would hammer a broker that is down.
    if (this.#idle || (batchReady && !backlog.spooling)) this.#wakeSender();
    return result;
  }

  /** Resolves when the queue is empty and no batch is in flight (records may still wait in the spool). */
  async flush(): Promise<void> {
    this.#flushing++;
    try {
      while (!this.#closed && (this.#backlog.queueRecords > 0 || this.#inFlight.size > 0)) {
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
    if (timedOut) this.#backlog.putBackFailed(this.#inFlight.abandon()); // Their late acks are ignored.
    this.#closed = true;
    this.#wakeSender();
    this.#backlog.close(); // Still queued: to disk, for the next instance.
    await this.#client.close().catch(() => {});
  }

  /** A snapshot of the counters. */
  stats(): KafkaOutputStats {
    const backlog = this.#backlog.stats();
    return {
      ...this.#stats,
      ...backlog,
      droppedRecords: this.#stats.droppedRecords + backlog.droppedSpoolOldest,
      ackLatencySeconds: this.#delivery.ackLatencySeconds(),
      batchRecords: this.#delivery.batchRecords(),
    };
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
        if (this.#inFlight.size > 0 && (this.#backlog.spooling || this.#inFlight.full)) {
          // Replay waits for the direct batches: a failed one goes in front of the spool.
          await this.#handleOldest();
        } else if (this.#backlog.spooling) {
          if (!(await this.#replayOnce())) break;
        } else if (this.#backlog.queueRecords === 0 && this.#inFlight.size === 0) {
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
    const backlog = this.#backlog;
    const ready = () =>
      backlog.queueRecords >= options.batchRecordsMax || backlog.queueBytes >= options.batchBytesMax ||
      ((this.#closing || this.#flushing > 0) && backlog.queueRecords > 0);
    if (!ready()) {
      if (this.#inFlight.size === 0) await this.#sleep(options.lingerMs);
      else {
        await this.#sleep(60_000, this.#inFlight.oldestSettled());
        if (!ready()) return this.#handleOldest();
      }
    }
    if (backlog.spooling || backlog.queueRecords === 0 || this.#inFlight.full) return; // Spilled while lingering.
    const batch = backlog.take()!;
    this.#inFlight.add(batch, this.#send(batch));
  }

  /** Handles the oldest batch in flight once it settles; after a failure, every batch in flight (in_flight.ts). */
  async #handleOldest(): Promise<void> {
    const outcome = await this.#inFlight.handleOldest();
    if (outcome.kind === "sent" && outcome.batch !== null) this.#backlog.recycle(outcome.batch);
    if (outcome.kind !== "failed") return; // Sent, or close() gave up on the batches and spooled them.
    this.#backlog.putBackFailed(outcome.batches);
    if (!this.#backlog.hasSpool) await this.#sleep(this.#nextBackoffMs());
  }

  /** Replays one batch from the spool; returns false when the sender should stop (closing and not delivering). */
  async #replayOnce(): Promise<boolean> {
    const replay = this.#backlog.readReplay(this.#options.batchRecordsMax, this.#options.batchBytesMax);
    if (replay === null) return true; // Drained: back to the memory queue.
    const batch = replay.batch;
    const ok = batch.count === 0 || await this.#send(batch);
    if (this.#closed) return false;
    if (ok) {
      this.#backlog.commitReplay(replay);
      return true;
    }
    this.#stats.failedBatches++;
    this.#stats.failedRecords += batch.count;
    if (this.#closing) return false; // The records stay on disk for the next instance.
    await this.#sleep(this.#nextBackoffMs());
    return true;
  }

  /** Sends through the delivery (delivery.ts); an acknowledgement ends the backoff. */
  async #send(batch: MessageBatch): Promise<boolean> {
    const ok = await this.#delivery.send(batch);
    if (ok) this.#backoffMs = this.#options.retryBackoffMinMs;
    return ok;
  }

  #nextBackoffMs(): number {
    const backoffMs = this.#backoffMs;
    this.#backoffMs = Math.min(this.#backoffMs * 2, this.#options.retryBackoffMaxMs);
    return backoffMs;
  }
}
