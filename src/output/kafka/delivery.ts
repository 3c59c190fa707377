/**
 * One batch handed to the Kafka client, and what its acknowledgement adds to the output's stats: the sent counters,
 * the last capture-to-ack latency, and the two histograms (per-record ack latency, records per batch). A failed or
 * timed-out send adds nothing; the output counts the failure where it decides what happens to the batch.
 *
 * @module
 */
import type { KafkaClient } from "./client.ts";
import type { MessageBatch } from "./message_batch.ts";
import { ACK_LATENCY_BOUNDS_S, BATCH_RECORDS_BOUNDS, FixedHistogram, type HistogramSnapshot } from "./histogram.ts";
import type { KafkaOutputCounters } from "./stats.ts";

/** See the module documentation. */
export class Delivery {
  readonly #client: KafkaClient;
  readonly #sendTimeoutMs: number;
  /** The output's counters, shared: sent batches, records and bytes, and the last ack latency are counted here. */
  readonly #stats: KafkaOutputCounters;
  readonly #ackLatency = new FixedHistogram(ACK_LATENCY_BOUNDS_S);
  readonly #batchRecords = new FixedHistogram(BATCH_RECORDS_BOUNDS);

  constructor(client: KafkaClient, sendTimeoutMs: number, stats: KafkaOutputCounters) {
    this.#client = client;
    this.#sendTimeoutMs = sendTimeoutMs;
    this.#stats = stats;
  }

  /**
   * Sends `batch` and resolves true once acknowledged, false when the client rejects or
   * does not settle within `sendTimeoutMs`; never rejects.
   */
  async send(batch: MessageBatch): Promise<boolean> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error("send timed out")), this.#sendTimeoutMs);
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
    this.#stats.sentRecords += batch.count;
    this.#stats.sentBytes += batch.bytes;
    const ackMs = Date.now();
    this.#stats.lastAckLatencyMs = Math.max(0, ackMs - batch.timestampMs(0));
    // Per record, not per batch: a batch holds up to lingerMs (or a spool's worth) of capture time.
    for (let i = 0; i < batch.count; i++) this.#ackLatency.observe((ackMs - batch.timestampMs(i)) / 1000);
    this.#batchRecords.observe(batch.count);
    return true;
  }

  /** Capture-to-ack seconds per acknowledged record. */
  ackLatencySeconds(): HistogramSnapshot {
    return this.#ackLatency.snapshot();
  }

  /** Records per acknowledged batch. */
  batchRecords(): HistogramSnapshot {
    return this.#batchRecords.snapshot();
  }
}
