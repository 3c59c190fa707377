/**
 * The Kafka client behind the output, reduced to what the output needs: send a batch and wait for the
 * acknowledgement, close. @platformatic/kafka is imported only under src/output/kafka/ (docs/decisions.md says why
 * that client, and why batch_sender.ts encodes the record batches rather than its `Producer`); another client fits
 * behind `KafkaClient` without touching the output.
 *
 * @module
 */
import { Producer } from "@platformatic/kafka";
import { readFileSync } from "node:fs";
import { kafkaBatchBuffersPooledMax, kafkaDefaults } from "../defaults.ts";
import { BatchSender } from "./batch_sender.ts";
import type { MessageBatch } from "./message_batch.ts";

/** One message ready to produce. */
export interface KafkaMessage {
  topic: string;
  key: Uint8Array | null;
  value: Uint8Array;
  headers: Array<[string, Uint8Array]>;
  /** Kafka record timestamp (CreateTime), ms since the epoch. */
  timestampMs: number;
}

/** Compression codecs; all five work with @platformatic/kafka 2.12.1 under Deno 2 (tests/kafka_output_test.ts). */
export type KafkaCompression = "none" | "gzip" | "snappy" | "lz4" | "zstd";

/** 0: no acknowledgement (failures are invisible), 1: leader, "all": every in-sync replica. */
export type KafkaAcks = 0 | 1 | "all";

/** TLS settings; paths are read once when the client is created. */
export interface KafkaTlsOptions {
  /** PEM CA bundle to trust instead of the system store. */
  caFile?: string;
  /** PEM client certificate and key for mutual TLS. */
  certFile?: string;
  keyFile?: string;
  /** Server name to verify; defaults to the broker host. */
  serverName?: string;
}

/** SASL settings. */
export interface KafkaSaslOptions {
  mechanism: "PLAIN" | "SCRAM-SHA-256" | "SCRAM-SHA-512";
  username: string;
  password: string;
}

/** Settings of the client; the output fills them from its options. */
export interface KafkaClientOptions {
  clientId: string;
  /** "host:port" bootstrap brokers. */
  brokers: string[];
  acks: KafkaAcks;
  idempotent: boolean;
  /** Produce requests on the wire at once per connection (the output's batches in flight). @default 5 */
  maxInFlight?: number;
  compression: KafkaCompression;
  requestTimeoutMs: number;
  connectTimeoutMs: number;
  /** Retries inside the client before `send()` rejects (finite: the output's spool handles longer outages). */
  retries: number;
  tls?: KafkaTlsOptions;
  sasl?: KafkaSaslOptions;
}

/**
 * The client contract. `send()` resolves once the batch is acknowledged per `acks`, rejects otherwise. With
 * `idempotent`, the output calls `send()` again before earlier calls settle (up to `maxInFlight`): a client must keep
 * call order per partition and must not deliver a later call's records before an earlier call that failed
 * (batch_sender.ts says how ours does).
 */
export interface KafkaClient {
  /** `batch` is the caller's again once the promise settles (an acknowledged batch is reused). */
  send(batch: MessageBatch): Promise<void>;
  close(): Promise<void>;
}

function tlsSettings(tls: KafkaTlsOptions | undefined) {
  if (tls === undefined) return {};
  return {
    tls: {
      ca: tls.caFile === undefined ? undefined : readFileSync(tls.caFile),
      cert: tls.certFile === undefined ? undefined : readFileSync(tls.certFile),
      key: tls.keyFile === undefined ? undefined : readFileSync(tls.keyFile),
      servername: tls.serverName,
    },
  };
}

/**
 * A `KafkaClient` on @platformatic/kafka (pure JavaScript; it uses the native @node-rs/crc32 when that loads): its
 * `Producer` for connections, metadata and producer ids, our `BatchSender` for the record batches.
 */
export function createKafkaClient(options: KafkaClientOptions): KafkaClient {
  const producer = new Producer({
    clientId: options.clientId,
    bootstrapBrokers: options.brokers,
    acks: options.acks === "all" ? -1 : options.acks,
    // Idempotence is BatchSender's (producer id, sequences, acks=all), never the library's: its idempotent Producer
    // forces one request on the wire per connection, so batches the output had "in flight" waited in the connection's
    // queue for the previous acknowledgement, and the output waited on the broker a third of the time
    // (docs/benchmarks.md). The connection writes queued requests in order, which is all the sequences need.
    idempotent: false,
    maxInflights: options.maxInFlight ?? kafkaDefaults.maxInFlight,
    retries: options.retries,
    retryDelay: 200,
    compression: options.compression,
    timeout: options.requestTimeoutMs,
    requestTimeout: options.requestTimeoutMs,
    connectTimeout: options.connectTimeoutMs,
    autocreateTopics: true,
    ...tlsSettings(options.tls),
    ...(options.sasl === undefined ? {} : { sasl: { ...options.sasl } }),
  });
  const sender = new BatchSender(producer, {
    acks: options.acks,
    idempotent: options.idempotent,
    compression: options.compression,
    requestTimeoutMs: options.requestTimeoutMs,
    retries: options.retries,
    buffersPooledMax: kafkaBatchBuffersPooledMax,
  });
  return {
    send(batch) {
      return sender.send(batch);
    },
    async close() {
      await producer.close(true);
    },
  };
}
