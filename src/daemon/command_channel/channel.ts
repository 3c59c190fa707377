/**
 * The Kafka command channel: reads envelopes one at a time, decides whether each runs here (admission.ts), runs
 * it (operations.ts), replies on the response topic keyed by host name, then commits the message, also when it was
 * malformed or refused, so one bad message cannot block the topic. A consumer failure (broker gone, rebalance
 * error) is counted and the consumer is reopened after a pause; nothing here throws into the daemon.
 * @module
 */
import type { KafkaClient } from "../../output/kafka/client.ts";
import type { ConsumedMessage, KafkaConsumer } from "../../output/kafka/consumer.ts";
import { MessageBatch } from "../../output/kafka/message_batch.ts";
import { type AdmissionPolicy, admit, type RefusalCounter } from "./admission.ts";
import { type Envelope, makeReply, parseEnvelope, type Reply, type ReplyError } from "./envelope.ts";
import { CommandError, type CommandTargets, runCommand } from "./operations.ts";
import { RecentIds } from "./recent_ids.ts";

/** Request ids remembered for deduplication. */
export const RECENT_IDS_MAX = 4096;
/** Shortest pause between two warnings of the same kind, so a flood of bad messages cannot flood the logs. */
const WARN_INTERVAL_MS = 10_000;

/** Plain counters, read by metrics and `daemon_stats`. */
export interface CommandChannelStats {
  received: number;
  executed: number;
  /** Commands that ran and were refused (not found, invalid task, ...). */
  failed: number;
  ignored_target: number;
  expired: number;
  duplicates: number;
  rejected_signature: number;
  malformed: number;
  replies_sent: number;
  replies_failed: number;
  commit_errors: number;
  /** Failed broker connections and consumer failures (each followed by a retry). */
  consumer_errors: number;
}

/** Where the channel reports. */
export interface ChannelLog {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
}

/** Everything the channel needs; the consumer factory is called again after each consumer failure. */
export interface CommandChannelOptions {
  hostname: string;
  labels: readonly string[];
  ttlMs: number;
  secret: Uint8Array | null;
  /** "" sends no replies. */
  responseTopic: string;
  /** What commands act on; the channel decides `shutdownAllowed` (signed commands only). */
  targets: Pick<CommandTargets, "tasks" | "agent">;
  /** `onBrokerFailed` is to be called each time a broker connection fails (counted and reported). */
  openConsumer: (onBrokerFailed: (broker: string) => void) => KafkaConsumer;
  /** Producer for replies; null sends none. */
  replies: KafkaClient | null;
  log: ChannelLog;
  /** Pause before reopening a failed consumer. */
  retryDelayMs: number;
  nowMs?: () => number;
  /** Fields of the "command channel started" log line. */
  describe?: Record<string, unknown>;
}

/** A running command channel; see the module doc. */
export class CommandChannel {
  /** Counters since start. */
  readonly stats: CommandChannelStats = {
    received: 0,
    executed: 0,
    failed: 0,
    ignored_target: 0,
    expired: 0,
    duplicates: 0,
    rejected_signature: 0,
    malformed: 0,
    replies_sent: 0,
    replies_failed: 0,
    commit_errors: 0,
    consumer_errors: 0,
  };
  readonly #options: CommandChannelOptions;
  readonly #policy: AdmissionPolicy;
  readonly #nowMs: () => number;
  readonly #lastWarnMs = new Map<string, number>();
  #closing = false;
  #consumer: KafkaConsumer | null = null;
  #inFlight: Promise<void> = Promise.resolve();
  #loop: Promise<void> = Promise.resolve();
  #wake: () => void = () => {};

  constructor(options: CommandChannelOptions) {
    this.#options = options;
    this.#nowMs = options.nowMs ?? Date.now;
    this.#policy = {
      names: new Set([options.hostname, ...options.labels].filter((name) => name !== "")),
      ttlMs: options.ttlMs,
      secret: options.secret,
      recent: new RecentIds(RECENT_IDS_MAX),
    };
  }

  /** Starts consuming in the background; returns at once (an unreachable broker never delays the daemon). */
  start(): void {
    this.#options.log.info("command channel started", this.#options.describe ?? {});
    this.#loop = this.#run();
  }

  async #run(): Promise<void> {
    while (!this.#closing) {
      let consumer: KafkaConsumer | null = null;
      try {
        const opened: KafkaConsumer = consumer = this.#options.openConsumer((broker) => {
          this.stats.consumer_errors++;
          this.#warn("consumer", "command channel cannot reach a broker; reconnecting", { broker });
          // A client that lost its broker can stay stuck after the broker is back: start afresh after the pause.
          void opened.close().catch(() => {});
        });
        this.#consumer = consumer;
        for await (const message of consumer.messages()) {
          this.#inFlight = this.handle(message);
          await this.#inFlight;
          if (this.#closing) break;
        }
      } catch (error) {
        if (!this.#closing) {
          this.stats.consumer_errors++;
          this.#warn("consumer", "command channel consumer failed; retrying", { reason: errorText(error) });
        }
      } finally {
        await consumer?.close().catch(() => {});
      }
      if (!this.#closing) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, this.#options.retryDelayMs);
          this.#wake = () => (clearTimeout(timer), resolve());
        });
      }
    }
  }

  /** Handles one message and commits it; never throws. Public for tests. */
  async handle(message: ConsumedMessage): Promise<void> {
    this.stats.received++;
    try {
      await this.#process(message.value);
    } catch (error) {
      // #process catches everything it expects; this is a last guard so the loop never dies on one message.
      this.stats.malformed++;
      this.#warn("internal", "command handling failed", { reason: errorText(error) });
    }
    try {
      await message.commit();
    } catch (error) {
      this.stats.commit_errors++;
      this.#warn("commit", "command commit failed", { reason: errorText(error) });
    }
  }

  async #process(value: Uint8Array): Promise<void> {
    const parsed = parseEnvelope(value);
    if (!parsed.ok) {
      this.stats.malformed++;
      this.#warn("malformed", "malformed command skipped", { reason: parsed.reason });
      return;
    }
    const envelope = parsed.envelope;
    const verdict = admit(envelope, this.#policy, this.#nowMs());
    if (verdict.action === "ignore") {
      this.stats[verdict.counter]++;
      this.#options.log.debug("command ignored", { ...describe(envelope), reason: verdict.reason });
      return;
    }
    if (verdict.action === "reject") {
      this.#refuse(envelope, verdict.counter, verdict.error);
      await this.#reply(envelope, { error: verdict.error });
      return;
    }
    await this.#execute(envelope);
  }

  #refuse(envelope: Envelope, counter: RefusalCounter, error: ReplyError): void {
    this.stats[counter]++;
    this.#warn(counter, "command refused", { ...describe(envelope), reason: error.message });
  }

  async #execute(envelope: Envelope): Promise<void> {
    const targets: CommandTargets = {
      ...this.#options.targets,
      shutdownAllowed: this.#policy.secret !== null,
      channelStats: () => ({ ...this.stats }),
    };
    let after: (() => void) | undefined;
    try {
      const outcome = await runCommand(envelope.command, envelope.payload, targets);
      after = outcome.after;
      this.stats.executed++;
      this.#options.log.info("command executed", describe(envelope));
      await this.#reply(envelope, { result: outcome.result });
    } catch (error) {
      const refusal = error instanceof CommandError ? error : new CommandError("internal", errorText(error));
      this.stats.failed++;
      this.#options.log.info("command failed", { ...describe(envelope), code: refusal.code, reason: refusal.message });
      await this.#reply(envelope, { error: { code: refusal.code, message: refusal.message } });
    }
    after?.();
  }

  async #reply(envelope: Envelope, outcome: { result: unknown } | { error: ReplyError }): Promise<void> {
    const { replies, responseTopic, hostname } = this.#options;
    if (replies === null || responseTopic === "" || envelope.requestId === "") return;
    const reply: Reply = makeReply(hostname, envelope, outcome, this.#nowMs());
    try {
      await replies.send(MessageBatch.fromMessages([{
        topic: responseTopic,
        key: new TextEncoder().encode(hostname),
        value: new TextEncoder().encode(JSON.stringify(reply)),
        headers: [],
        timestampMs: this.#nowMs(),
      }]));
      this.stats.replies_sent++;
    } catch (error) {
      this.stats.replies_failed++;
      this.#warn("reply", "command reply not sent", { ...describe(envelope), reason: errorText(error) });
    }
  }

  #warn(kind: string, message: string, fields: Record<string, unknown>): void {
    const nowMs = Date.now();
    if (nowMs - (this.#lastWarnMs.get(kind) ?? -Infinity) < WARN_INTERVAL_MS) return;
    this.#lastWarnMs.set(kind, nowMs);
    this.#options.log.warn(message, { ...fields, counters: { ...this.stats } });
  }

  /** Stops consuming: lets the command in hand finish (up to `boundMs`), closes the consumer and the producer. */
  async close(boundMs = 5000): Promise<void> {
    this.#closing = true;
    this.#wake();
    await withinMs(this.#inFlight, boundMs);
    await withinMs(this.#consumer?.close() ?? Promise.resolve(), boundMs);
    await withinMs(this.#loop, boundMs);
    await withinMs(this.#options.replies?.close() ?? Promise.resolve(), boundMs);
  }
}

function describe(envelope: Envelope): Record<string, unknown> {
  return { command: envelope.command, request_id: envelope.requestId, target: envelope.target };
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

async function withinMs(promise: Promise<unknown>, boundMs: number): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<void>((resolve) => (timer = setTimeout(resolve, boundMs)));
  await Promise.race([promise.then(() => {}, () => {}), deadline]);
  clearTimeout(timer);
}
