/**
 * The queue behind remote log appenders (Kafka, Loki). `push()` only stores the line: it never waits for the
 * network, so an unreachable sink can never stall logging or capture (the reference's Loki writer flushed inside
 * `Write()` under its mutex and stalled every log call for the length of an outage). One batch is in flight at a
 * time; a failed batch is retried with exponential backoff while new lines queue up to `queueMax`, beyond which
 * the oldest are dropped and counted. `close()` sends what is left within a bound.
 * @module
 */
import type { LogLevel } from "../../config/types.ts";

/** One queued log line. */
export interface QueuedLine {
  line: string;
  level: LogLevel;
  /** When the line was logged, ms since the epoch. */
  timeMs: number;
}

/** Thrown by a sender for a batch the sink will never accept (retrying would not help): the batch is dropped. */
export class PermanentSendError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "PermanentSendError";
  }
}

/** Settings of a batcher. */
export interface BatcherOptions {
  /** Lines per request. */
  batchSize: number;
  /** Longest wait before a partial batch is sent. */
  flushIntervalMs: number;
  /** Lines held (queued plus in flight) before the oldest are dropped. */
  queueMax: number;
  /** Bound on one request. */
  requestTimeoutMs: number;
  backoffMinMs: number;
  backoffMaxMs: number;
  /** Sends one batch; resolves once the sink accepted it. Must stop when `signal` aborts. */
  send(batch: readonly QueuedLine[], signal: AbortSignal): Promise<void>;
  /** Told when sending starts failing (with the reason) and when it works again (reason ""). */
  onHealthChange(healthy: boolean, reason: string): void;
}

/** Counters of a batcher. */
export interface BatcherStats {
  /** Lines waiting (including a batch in flight). */
  queued: number;
  sent: number;
  /** Lines lost: queue full, rejected by the sink, or still queued when the close bound ran out. */
  dropped: number;
  /** Requests that failed (each retry counts). */
  failedRequests: number;
}

/** See the module doc. */
export class LineBatcher {
  readonly #options: BatcherOptions;
  #queue: QueuedLine[] = [];
  #head = 0;
  #batch: QueuedLine[] | null = null;
  #sending: Promise<void> | null = null;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #backoffMs = 0;
  #healthy = true;
  #closing = false;
  readonly #closed = new AbortController();
  #sent = 0;
  #dropped = 0;
  #failedRequests = 0;

  constructor(options: BatcherOptions) {
    if (options.batchSize < 1 || options.queueMax < 1) throw new RangeError("batchSize and queueMax must be positive");
    this.#options = options;
  }

  /** Current counters. */
  get stats(): BatcherStats {
    const queued = this.#queue.length - this.#head + (this.#batch?.length ?? 0);
    return { queued, sent: this.#sent, dropped: this.#dropped, failedRequests: this.#failedRequests };
  }

  /** Queues a line; never blocks, never throws. */
  push(entry: QueuedLine): void {
    if (this.#closing) {
      this.#dropped++;
      return;
    }
    this.#queue.push(entry);
    if (this.#queue.length - this.#head + (this.#batch?.length ?? 0) > this.#options.queueMax) {
      this.#head++;
      this.#dropped++;
    }
    // Compact now and then instead of shift() per line (O(n) each).
    if (this.#head > 1024 && this.#head * 2 > this.#queue.length) {
      this.#queue = this.#queue.slice(this.#head);
      this.#head = 0;
    }
    if (this.#sending !== null || this.#timer !== undefined) return;
    if (this.#queue.length - this.#head >= this.#options.batchSize) this.#pump();
    else this.#schedule(this.#options.flushIntervalMs);
  }

  #schedule(delayMs: number): void {
    if (this.#closing) return;
    clearTimeout(this.#timer);
    const timer = setTimeout(() => {
      this.#timer = undefined;
      this.#pump();
    }, delayMs);
    // A pending flush must not keep the process alive; close() flushes explicitly.
    Deno.unrefTimer(timer);
    this.#timer = timer;
  }

  #take(): QueuedLine[] | null {
    if (this.#batch !== null) return this.#batch;
    const count = Math.min(this.#options.batchSize, this.#queue.length - this.#head);
    if (count === 0) return null;
    this.#batch = this.#queue.slice(this.#head, this.#head + count);
    this.#head += count;
    return this.#batch;
  }

  #pump(): void {
    if (this.#sending !== null) return;
    const batch = this.#take();
    if (batch === null) return;
    this.#sending = this.#sendOnce(batch).finally(() => {
      this.#sending = null;
      if (this.#closing) return;
      if (this.#batch !== null) this.#schedule(this.#backoffMs);
      else if (this.#queue.length - this.#head >= this.#options.batchSize) this.#pump();
      else if (this.#queue.length - this.#head > 0) this.#schedule(this.#options.flushIntervalMs);
    });
  }

  async #sendOnce(batch: QueuedLine[]): Promise<void> {
    const signal = AbortSignal.any([AbortSignal.timeout(this.#options.requestTimeoutMs), this.#closed.signal]);
    try {
      await this.#options.send(batch, signal);
      this.#sent += batch.length;
      this.#batch = null;
      this.#backoffMs = 0;
      this.#setHealth(true, "");
    } catch (error) {
      this.#failedRequests++;
      const reason = describeError(error);
      this.#setHealth(false, reason);
      if (error instanceof PermanentSendError) {
        this.#dropped += batch.length;
        this.#batch = null;
        return;
      }
      const { backoffMinMs, backoffMaxMs } = this.#options;
      this.#backoffMs = Math.min(backoffMaxMs, Math.max(backoffMinMs, this.#backoffMs * 2));
    }
  }

  #setHealth(healthy: boolean, reason: string): void {
    if (healthy === this.#healthy) return;
    this.#healthy = healthy;
    this.#options.onHealthChange(healthy, reason);
  }

  /** Sends what is queued within `boundMs` (no backoff, one attempt per batch); what remains is dropped. */
  async close(boundMs: number): Promise<void> {
    if (this.#closing) return;
    this.#closing = true;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const abortTimer = setTimeout(() => this.#closed.abort(), boundMs);
    try {
      await this.#sending;
      while (!this.#closed.signal.aborted) {
        const batch = this.#take();
        if (batch === null) break;
        await this.#sendOnce(batch);
        if (this.#batch !== null) break; // Failed: the sink is down, waiting longer would only delay the exit.
      }
    } finally {
      clearTimeout(abortTimer);
      this.#closed.abort();
      this.#dropped += this.stats.queued;
      this.#batch = null;
      this.#queue = [];
      this.#head = 0;
    }
  }
}

/** The message of `error` and of its cause (fetch says only "fetch failed"; the cause says "Connection refused"). */
function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? error.cause.message : "";
  return cause === "" || error.message.includes(cause) ? error.message : `${error.message}: ${cause}`;
}
