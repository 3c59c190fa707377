/**
 * A Kafka consumer reduced to what the command channel needs: read one topic as a member of a consumer group,
 * one message at a time, and commit each message after it was handled. Kept beside client.ts so that
 * @platformatic/kafka is imported only under src/output/kafka/.
 * @module
 */
import { Consumer, type Message } from "@platformatic/kafka";
import type { Buffer } from "node:buffer";

/** Session timeout of group members (the broker's minimum is 6 s by default). */
export const SESSION_TIMEOUT_MS = 10_000;

/** One consumed message. */
export interface ConsumedMessage {
  key: Uint8Array | null;
  value: Uint8Array;
  partition: number;
  offset: bigint;
  /** Kafka record timestamp, ms since the epoch. */
  timestampMs: number;
  /** Commits this message's offset for the group (rejects when the broker refuses). */
  commit(): Promise<void>;
}

/** Settings of a consumer. */
export interface KafkaConsumerOptions {
  clientId: string;
  /** "host:port" bootstrap brokers. */
  brokers: string[];
  groupId: string;
  topic: string;
  /** Longest wait of one fetch request; bounds how long `close()` waits for a fetch in flight. */
  maxWaitMs: number;
  /** Largest fetch response, which bounds the memory of one poll. */
  maxBytes: number;
  connectTimeoutMs: number;
  /** Told each time a connection to a broker fails (the consumer keeps retrying by itself meanwhile). */
  onBrokerFailed?: (broker: string) => void;
}

/** The consumer contract: an async stream of messages that ends when `close()` is called. */
export interface KafkaConsumer {
  messages(): AsyncIterable<ConsumedMessage>;
  close(): Promise<void>;
}

function toMessage(message: Message<Buffer, Buffer, Buffer, Buffer>): ConsumedMessage {
  const value = message.value ?? new Uint8Array(0);
  return {
    key: message.key === undefined || message.key === null || message.key.length === 0 ? null : message.key,
    value,
    partition: message.partition,
    offset: message.offset,
    timestampMs: Number(message.timestamp),
    commit: async () => {
      await message.commit();
    },
  };
}

/**
 * A consumer starting at the group's committed offset, or at the earliest offset for a new group (commands carry
 * their own expiry, so old ones are dropped by the reader, not missed by the consumer).
 */
export function createKafkaConsumer(options: KafkaConsumerOptions): KafkaConsumer {
  const consumer = new Consumer({
    clientId: options.clientId,
    bootstrapBrokers: options.brokers,
    groupId: options.groupId,
    connectTimeout: options.connectTimeoutMs,
    autocreateTopics: true,
    retries: 3,
    retryDelay: 1000,
    autocommit: false,
    maxWaitTime: options.maxWaitMs,
    maxBytes: options.maxBytes,
    // A member that vanished (agent killed, consumer recycled while the broker was down) holds up the next join
    // until its session expires: the library's one minute (and two for a rebalance) would stall commands that long.
    sessionTimeout: SESSION_TIMEOUT_MS,
    heartbeatInterval: SESSION_TIMEOUT_MS / 4,
    rebalanceTimeout: SESSION_TIMEOUT_MS * 1.5,
  });
  const onBrokerFailed = options.onBrokerFailed;
  if (onBrokerFailed !== undefined) {
    consumer.on("client:broker:failed", ({ broker }) => onBrokerFailed(`${broker.host}:${broker.port}`));
  }
  return {
    async *messages() {
      const stream = await consumer.consume({
        topics: [options.topic],
        mode: "committed",
        fallbackMode: "earliest",
        autocommit: false,
      });
      try {
        for await (const message of stream) yield toMessage(message as Message<Buffer, Buffer, Buffer, Buffer>);
      } finally {
        await stream.close().catch(() => {});
      }
    },
    async close() {
      await consumer.close(true);
    },
  };
}
