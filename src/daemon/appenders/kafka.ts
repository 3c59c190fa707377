/**
 * The Kafka log appender (the deployment guide's `type: kafka`): each log line is one message on the topic, keyed
 * by host name so one agent's lines stay in order on one partition. Lines are batched by batcher.ts, so logging
 * never waits for the broker; an unreachable broker costs queued (then dropped, counted) lines, never a stall.
 * @module
 */
import type { KafkaAppender, LogFormat, LogLevel } from "../../config/types.ts";
import { createKafkaClient, type KafkaClient } from "../../output/kafka/client.ts";
import { MessageBatch } from "../../output/kafka/message_batch.ts";
import { type BatcherStats, LineBatcher, type QueuedLine } from "./batcher.ts";
import { noteOnStderr } from "./note.ts";

/** Bound on one produce request, retries included. */
const REQUEST_TIMEOUT_MS = 5000;

/** Makes the producer; replaceable in tests. */
export type KafkaClientFactory = (appender: KafkaAppender, hostname: string) => KafkaClient;

function defaultClient(appender: KafkaAppender, hostname: string): KafkaClient {
  return createKafkaClient({
    clientId: `capture-agent-log-${hostname}`,
    brokers: appender.brokers,
    acks: 1,
    idempotent: false,
    compression: "none",
    requestTimeoutMs: REQUEST_TIMEOUT_MS,
    connectTimeoutMs: REQUEST_TIMEOUT_MS,
    retries: 1,
  });
}

/** Rejects when `signal` aborts; the Kafka client takes no signal, so a hung send is abandoned this way. */
function abandonOn(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => {
    if (signal.aborted) reject(signal.reason);
    signal.addEventListener("abort", () => reject(signal.reason), { once: true });
  });
}

/** A logger sink for one `type: kafka` appender. */
export class KafkaSink {
  readonly format: LogFormat;
  readonly level: LogLevel | "";
  readonly #client: KafkaClient;
  readonly #batcher: LineBatcher;
  #closed: Promise<void> | null = null;

  constructor(appender: KafkaAppender, hostname: string, makeClient: KafkaClientFactory = defaultClient) {
    this.format = appender.format;
    this.level = appender.level;
    this.#client = makeClient(appender, hostname);
    const key = new TextEncoder().encode(hostname);
    const encoder = new TextEncoder();
    const where = `kafka appender ${appender.brokers.join(",")}/${appender.topic}`;
    this.#batcher = new LineBatcher({
      batchSize: appender.batch_size,
      flushIntervalMs: appender.flush_interval,
      queueMax: appender.queue_max,
      requestTimeoutMs: REQUEST_TIMEOUT_MS * 2,
      backoffMinMs: 500,
      backoffMaxMs: 30_000,
      send: (batch: readonly QueuedLine[], signal) =>
        Promise.race([
          this.#client.send(MessageBatch.fromMessages(batch.map((entry) => ({
            topic: appender.topic,
            key,
            value: encoder.encode(entry.line),
            headers: [],
            timestampMs: entry.timeMs,
          })))),
          abandonOn(signal),
        ]),
      onHealthChange: (healthy, reason) =>
        noteOnStderr(healthy ? `${where}: producing again` : `${where}: produce failed: ${reason}`),
    });
  }

  /** Counters of the queue. */
  get stats(): BatcherStats {
    return this.#batcher.stats;
  }

  /** Lines lost so far. */
  get dropped(): number {
    return this.#batcher.stats.dropped;
  }

  write(line: string, level: LogLevel): void {
    this.#batcher.push({ line, level, timeMs: Date.now() });
  }

  /** Produces what is queued within `boundMs`, then closes the producer (once; later calls wait for the first). */
  flush(boundMs: number): Promise<void> {
    this.#closed ??= (async () => {
      await this.#batcher.close(boundMs);
      let timer: ReturnType<typeof setTimeout> | undefined;
      const deadline = new Promise<void>((resolve) => (timer = setTimeout(resolve, 1000)));
      await Promise.race([this.#client.close().catch(() => {}), deadline]);
      clearTimeout(timer);
    })();
    return this.#closed;
  }

  close(): void {
    void this.flush(1000);
  }
}
