/**
 * Options of the Kafka output and their defaults (src/output/defaults.ts).
 *
 * @module
 */
import { kafkaBatchRecordsLimit, kafkaDefaults, kafkaMaxInFlightLimit } from "../defaults.ts";
import type { SpoolOptions } from "../spool/spool.ts";
import type {
  KafkaAcks,
  KafkaClient,
  KafkaClientOptions,
  KafkaCompression,
  KafkaSaslOptions,
  KafkaTlsOptions,
} from "./client.ts";
import type { KafkaKeyStrategy, MessageOptions } from "./message.ts";

/** Kafka output configuration; `brokers`, `taskId`, `agentId` and one of `topic`/`topicPrefix` are needed. */
export interface KafkaOutputOptions {
  /** @default {"kafka"} */
  name?: string;
  brokers: string[];
  /** Fixed topic for every record type. */
  topic?: string;
  /** Topic per record type, `${topicPrefix}-${type}` (used when `topic` is absent). @default {"capture"} */
  topicPrefix?: string;
  /** @default {"record"} */
  keyStrategy?: KafkaKeyStrategy;
  /** @default {"call_id"} */
  keyField?: string;
  taskId: string;
  agentId: string;
  /** @default {"all"} (1 when `idempotent` is false) */
  acks?: KafkaAcks;
  /**
   * Idempotent producer (forces acks "all"); it lets `maxInFlight` batches be in flight. Defaults to true unless
   * `acks` is set to 0 or 1, as the Java client since Kafka 3.0. @default {true}
   */
  idempotent?: boolean;
  /** @default {"none"} */
  compression?: KafkaCompression;
  /** Batches in flight at once, 1 to `kafkaMaxInFlightLimit`; only with `idempotent` (else 1). */
  maxInFlight?: number;
  batchRecordsMax?: number;
  batchBytesMax?: number;
  lingerMs?: number;
  messageBytesMax?: number;
  queueRecordsMax?: number;
  queueBytesMax?: number;
  requestTimeoutMs?: number;
  connectTimeoutMs?: number;
  clientRetries?: number;
  sendTimeoutMs?: number;
  retryBackoffMinMs?: number;
  retryBackoffMaxMs?: number;
  closeTimeoutMs?: number;
  tls?: KafkaTlsOptions;
  sasl?: KafkaSaslOptions;
  /** On-disk spool for outages and overload; without it those records are dropped (and counted). */
  spool?: SpoolOptions;
  /** Replaces the default client (@platformatic/kafka), e.g. with another library. */
  createClient?: (options: KafkaClientOptions) => KafkaClient;
}

/** Options with every default filled in. */
export type ResolvedKafkaOptions =
  & Required<Omit<KafkaOutputOptions, "topic" | "tls" | "sasl" | "spool" | "createClient">>
  & Pick<KafkaOutputOptions, "topic" | "tls" | "sasl" | "spool" | "createClient">;

/** Fills in defaults and checks the limits that would otherwise fail later, at send time. */
export function resolveKafkaOptions(options: KafkaOutputOptions): ResolvedKafkaOptions {
  const resolved: ResolvedKafkaOptions = {
    name: "kafka",
    topicPrefix: "capture",
    keyStrategy: "record",
    keyField: "call_id",
    // Idempotence by default, unless acks 0 or 1 ask for less than it needs.
    idempotent: options.acks === undefined || options.acks === "all",
    acks: 1,
    compression: "none",
    ...kafkaDefaults,
    ...Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined)),
  } as ResolvedKafkaOptions;
  if (resolved.brokers.length === 0) throw new RangeError("Cannot create a Kafka output without brokers");
  if (resolved.messageBytesMax >= resolved.batchBytesMax) {
    throw new RangeError(
      `Cannot use messageBytesMax ${resolved.messageBytesMax} >= batchBytesMax ${resolved.batchBytesMax}`,
    );
  }
  const { batchRecordsMax, maxInFlight } = resolved;
  if (!Number.isInteger(batchRecordsMax) || batchRecordsMax < 1 || batchRecordsMax > kafkaBatchRecordsLimit) {
    throw new RangeError(`Cannot use batchRecordsMax ${batchRecordsMax}: 1 to ${kafkaBatchRecordsLimit}`);
  }
  if (!Number.isInteger(maxInFlight) || maxInFlight < 1 || maxInFlight > kafkaMaxInFlightLimit) {
    throw new RangeError(`Cannot use maxInFlight ${maxInFlight}: 1 to ${kafkaMaxInFlightLimit}`);
  }
  if (resolved.idempotent) resolved.acks = "all";
  return resolved;
}

/** The subset `toKafkaMessage()` reads. */
export function messageOptions(options: ResolvedKafkaOptions): MessageOptions {
  const { topic, topicPrefix, keyStrategy, keyField, taskId, agentId, messageBytesMax } = options;
  return { topic, topicPrefix, keyStrategy, keyField, taskId, agentId, messageBytesMax };
}

/** The subset the client reads. */
export function clientOptions(options: ResolvedKafkaOptions): KafkaClientOptions {
  return {
    clientId: `capture-agent-${options.agentId}`,
    brokers: options.brokers,
    acks: options.acks,
    idempotent: options.idempotent,
    maxInFlight: effectiveMaxInFlight(options),
    compression: options.compression,
    requestTimeoutMs: options.requestTimeoutMs,
    connectTimeoutMs: options.connectTimeoutMs,
    retries: options.clientRetries,
    tls: options.tls,
    sasl: options.sasl,
  };
}

/**
 * Batches the output keeps in flight: `maxInFlight` with the idempotent producer, else 1 (without sequence numbers a
 * batch that failed would be replayed after a later one the broker took: docs/decisions.md, "Batches in flight").
 */
export function effectiveMaxInFlight(options: ResolvedKafkaOptions): number {
  return options.idempotent ? options.maxInFlight : 1;
}
