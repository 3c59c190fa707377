/**
 * The batches the Kafka output has handed to the client and not yet handled, oldest first. Sends complete in any
 * order; the output handles them in send order, which is what keeps the spool in capture order:
 *
 * - the oldest batch succeeded: it is done;
 * - the oldest batch failed: every later batch is waited for, and the failed one plus each later one that did not
 *   succeed go to the spool together, in send order. A later batch that succeeded is not spooled.
 *
 * Why that keeps per-partition order of first deliveries (docs/decisions.md, "Batches in flight"): the output pipelines
 * only with the idempotent producer, where the broker appends a partition's batch only if every earlier sequence of
 * the same producer id is appended, so a later batch that succeeded on a partition implies the earlier batches'
 * parts on that partition were appended too; replaying the failed batches then only duplicates, never reorders. The
 * client must not re-send a batch under a new producer id while an earlier one is unsettled (batch_sender.ts).
 *
 * @module
 */
import type { MessageBatch } from "./message_batch.ts";

/** One batch handed to the client. */
interface InFlightBatch {
  batch: MessageBatch;
  /** true: acknowledged; false: failed; null: not settled yet. */
  ok: boolean | null;
  settled: Promise<void>;
}

/** What handling the oldest batch gave. */
export type InFlightOutcome =
  /** The oldest batch was acknowledged (`batch` is null when there was none). */
  | { kind: "sent"; batch: MessageBatch | null }
  /** The oldest failed: these batches (it first) were not acknowledged, in send order; the window is now empty. */
  | { kind: "failed"; batches: MessageBatch[] }
  /** `abandon()` was called meanwhile: the batches are its caller's now. */
  | { kind: "abandoned" };

/** See the module documentation. */
export class InFlightWindow {
  /** Most batches in flight at once. */
  readonly limit: number;
  #batches: InFlightBatch[] = [];

  constructor(limit: number) {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`Cannot keep ${limit} batches in flight`);
    this.limit = limit;
  }

  /** Batches handed to the client and not yet handled. */
  get size(): number {
    return this.#batches.length;
  }

  /** No room for another batch. */
  get full(): boolean {
    return this.#batches.length >= this.limit;
  }

  /** Notes a batch just handed to the client; `sent` resolves true once acknowledged, false on failure. */
  add(batch: MessageBatch, sent: Promise<boolean>): void {
    if (this.full) throw new RangeError(`Cannot keep more than ${this.limit} batches in flight`);
    const entry: InFlightBatch = { batch, ok: null, settled: Promise.resolve() };
    entry.settled = sent.then((ok) => {
      entry.ok = ok;
    }, () => {
      entry.ok = false;
    });
    this.#batches.push(entry);
  }

  /** Resolves once the oldest batch settles (at once when there is none). */
  oldestSettled(): Promise<void> {
    return this.#batches[0]?.settled ?? Promise.resolve();
  }

  /** Waits for the oldest batch and handles it as the module documentation says. */
  async handleOldest(): Promise<InFlightOutcome> {
    const batches = this.#batches;
    const oldest = batches[0];
    if (oldest === undefined) return { kind: "sent", batch: null };
    await oldest.settled;
    if (this.#batches !== batches) return { kind: "abandoned" };
    if (oldest.ok) {
      batches.shift();
      return { kind: "sent", batch: oldest.batch };
    }
    await Promise.all(batches.map((batch) => batch.settled));
    if (this.#batches !== batches) return { kind: "abandoned" };
    this.#batches = [];
    return { kind: "failed", batches: batches.filter((batch) => !batch.ok).map((entry) => entry.batch) };
  }

  /**
   * Gives up on every batch not acknowledged yet (close() ran out of time), in send order; their late results are
   * ignored, and a `handleOldest()` waiting on them returns "abandoned".
   */
  abandon(): MessageBatch[] {
    const batches = this.#batches;
    this.#batches = [];
    return batches.filter((entry) => entry.ok !== true).map((entry) => entry.batch);
  }
}
