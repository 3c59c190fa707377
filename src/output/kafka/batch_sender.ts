/**
 * The output's produce path: @platformatic/kafka keeps what it does well (bootstrap, metadata, connections, TLS,
 * SASL, API versions, retries, InitProducerId, codecs, error codes), but the record batches are ours
 * (record_batch.ts, and produce_request.ts for the request around them): the library's `Producer.send()` spends
 * 5–13 µs per record building Maps, small Buffers and BigInt murmur2 hashes, which made it the output's bottleneck
 * (docs/decisions.md, "Kafka client").
 *
 * One `send()` is one Produce request per partition leader, each holding one batch per partition. Idempotence:
 * one producer id per instance (re-initialised after a failed send, as the library does), per-partition sequences
 * assigned when the batches are built, so a retry resends the same sequences and the broker drops duplicates. A
 * retry resends only the partitions the broker's answer did not take (without idempotence, others would be doubled).
 *
 * Several `send()`s may be in flight (the output pipelines up to 5 with idempotence): each builds its batches and
 * writes its requests only after the previous one has written its own, so sequences reach every partition in call
 * order (the library's connections keep write order). After a failure the producer id has a sequence gap, and a new
 * id is taken only once nothing is in flight; a send started while an earlier one failed and others are still in
 * flight fails at once, since under a new id it could be appended before the failed batch is replayed. The
 * "new id, send again" repair of `UNKNOWN_PRODUCER_ID` and `OUT_OF_ORDER_SEQUENCE_NUMBER` happens only when the
 * failed send is the only one in flight, for the same reason.
 *
 * @module
 */
import {
  compressionsAlgorithms,
  findErrorBy,
  kGetApi,
  kGetConnection,
  kPerformWithRetry,
  type Producer,
} from "@platformatic/kafka";
import { Buffer } from "node:buffer";
import type { KafkaAcks, KafkaCompression } from "./client.ts";
import { Partitioner } from "./partitioner.ts";
import { checksum, dropAppended, type PartitionBatch, produceApi } from "./produce_request.ts";
import {
  type BatchAllocator,
  batchRecords,
  encodeRecordBatch,
  sealRecordBatch,
  withCompressedRecords,
} from "./record_batch.ts";
import { BufferPool } from "./buffer_pool.ts";
import type { MessageBatch } from "./message_batch.ts";

/** What the sender needs besides the library's `Producer` (which carries connections and metadata). */
export interface BatchSenderOptions {
  acks: KafkaAcks;
  idempotent: boolean;
  compression: KafkaCompression;
  /** Broker-side wait for replicas (the Produce request's timeout). */
  requestTimeoutMs: number;
  /** Attempts after the first before `send()` rejects. */
  retries: number;
  /** Record batch buffers kept for reuse (0: none); unused with acks 0, which no answer ends. */
  buffersPooledMax?: number;
}

const sequenceModulus = 2 ** 31; // Kafka sequences wrap to 0 after Integer.MAX_VALUE.
/**
 * Sends reuse the cluster metadata this long: each `Producer.metadata()` call, even answered from the library's cache,
 * cost ≈ 5 % of the output's CPU at full rate (its queue and tracing). A failed send drops it, and a retry always asks
 * the broker afresh, so a moved leader costs one failed attempt, as it would anyway.
 */
const metadataReuseMs = 1000;

type Metadata = Awaited<ReturnType<Producer["metadata"]>>;

function callbackPromise<T>(start: (callback: (error: Error | null, value?: T) => void) => void): Promise<T> {
  return new Promise((resolve, reject) => start((error, value) => error ? reject(error) : resolve(value as T)));
}

/** See the module documentation. */
export class BatchSender {
  readonly #producer: Producer;
  readonly #options: BatchSenderOptions;
  readonly #acks: number;
  readonly #partitioner = new Partitioner();
  #producerInfo: { producerId: bigint; producerEpoch: number } | null = null;
  readonly #sequences = new Map<string, number>();
  /** `send()`s started and not settled. */
  #inFlight = 0;
  /** A send failed under the current producer id: its sequences have a gap (idempotence). */
  #stale = false;
  #metadata: { topics: string; value: Metadata; atMs: number } | null = null;
  /** Resolves once the latest `send()` has written its requests (or failed before): the next one goes after. */
  #written: Promise<void> = Promise.resolve();
  readonly #pool: BufferPool | null;
  readonly #allocate: BatchAllocator | undefined;

  constructor(producer: Producer, options: BatchSenderOptions) {
    this.#producer = producer;
    this.#options = options;
    this.#acks = options.idempotent || options.acks === "all" ? -1 : options.acks;
    // A request's buffers are free once it is answered; without an answer (acks 0) nothing says when.
    const pooled = this.#acks === 0 ? 0 : options.buffersPooledMax ?? 0;
    this.#pool = pooled > 0 ? new BufferPool(pooled) : null;
    this.#allocate = this.#pool === null ? undefined : (bytes) => this.#pool!.take(bytes);
  }

  /**
   * Resolves once every partition's batch is acknowledged per `acks`; rejects after the retries. Calls may overlap:
   * see the module documentation for the order they keep.
   */
  async send(batch: MessageBatch): Promise<void> {
    if (batch.count === 0) return;
    const previous = this.#written;
    let written!: () => void;
    this.#written = new Promise((resolve) => written = resolve);
    this.#inFlight++;
    try {
      await previous;
      await this.#sendInOrder(batch, written);
    } finally {
      written();
      this.#inFlight--;
    }
  }

  async #sendInOrder(messages: MessageBatch, written: () => void): Promise<void> {
    const idempotent = this.#options.idempotent;
    if (idempotent && this.#stale) {
      if (this.#inFlight > 1) throw new Error("An earlier send failed and others are in flight: not sent");
      this.#resetProducer();
    }
    try {
      await this.#sendBatches(await this.#partitionBatches(messages), written);
    } catch (error) {
      this.#metadata = null;
      if (!idempotent) throw error;
      this.#stale = true;
      if (!this.#producerStateLost(error) || this.#inFlight > 1) throw error;
      // The broker forgot this producer (or a sequence gap after a failed send): new id, sequences from 0, once.
      this.#resetProducer();
      try {
        await this.#sendBatches(await this.#partitionBatches(messages), () => {});
      } catch (retryError) {
        this.#stale = true;
        throw retryError;
      }
    }
  }

  /** The sequences have a gap: start over with a new producer id (only with nothing in flight). */
  #resetProducer(): void {
    this.#producerInfo = null;
    this.#sequences.clear();
    this.#stale = false;
  }

  #producerStateLost(error: unknown): boolean {
    const cause = error instanceof Error ? error : null;
    return findErrorBy(cause, "apiId", "UNKNOWN_PRODUCER_ID") !== null ||
      findErrorBy(cause, "apiId", "OUT_OF_ORDER_SEQUENCE_NUMBER") !== null;
  }

  /** Metadata of `topics` (created if missing), reused for `metadataReuseMs`. */
  async #topicsMetadata(topics: string[]): Promise<Metadata> {
    const key = topics.join("\n");
    const cached = this.#metadata;
    if (cached !== null && cached.topics === key && Date.now() - cached.atMs < metadataReuseMs) return cached.value;
    const value = await this.#producer.metadata({ topics, autocreateTopics: true });
    this.#metadata = { topics: key, value, atMs: Date.now() };
    return value;
  }

  /**
   * Groups by topic and partition (the library's partitioner rules) and encodes one batch per partition; the
   * metadata they were grouped by goes with them.
   */
  async #partitionBatches(messages: MessageBatch): Promise<{ batches: PartitionBatch[]; metadata: Metadata }> {
    const topicSet = new Set<string>();
    for (let i = 0; i < messages.count; i++) topicSet.add(messages.topic(i));
    const metadata = await this.#topicsMetadata([...topicSet]);
    if (this.#options.idempotent && this.#producerInfo === null) {
      const info = await this.#producer.initIdempotentProducer({});
      this.#producerInfo = { producerId: info.producerId, producerEpoch: info.producerEpoch };
      this.#sequences.clear();
    }
    // Per message only a partition choice and an index: most sends hold one topic, often one partition.
    const batches: PartitionBatch[] = [];
    const indices: number[][] = [];
    const byTopic = new Map<string, { count: number; partitions: number[] }>();
    let topic = "";
    let current: { count: number; partitions: number[] } | undefined;
    for (let i = 0; i < messages.count; i++) {
      if (current === undefined || messages.topic(i) !== topic) {
        topic = messages.topic(i);
        current = byTopic.get(topic);
        if (current === undefined) {
          current = { count: metadata.topics.get(topic)?.partitionsCount ?? 1, partitions: [] };
          byTopic.set(topic, current);
        }
      }
      const partition = this.#partitioner.partition(topic, messages.key(i), current.count);
      const at = current.partitions[partition];
      if (at === undefined) {
        current.partitions[partition] = batches.length;
        batches.push({ topic, partition, batch: new Uint8Array(0) }); // First-seen order, as before.
        indices.push([i]);
      } else indices[at].push(i);
    }
    for (let b = 0; b < batches.length; b++) {
      batches[b].batch = await this.#encode(batches[b], messages, indices[b]);
    }
    return { batches, metadata };
  }

  async #encode(group: PartitionBatch, messages: MessageBatch, indices: number[]): Promise<Uint8Array> {
    const info = this.#producerInfo;
    let baseSequence = -1;
    if (info !== null) {
      const id = `${group.topic}:${group.partition}`;
      baseSequence = this.#sequences.get(id) ?? 0;
      this.#sequences.set(id, (baseSequence + indices.length) % sequenceModulus);
    }
    const header = { producerId: info?.producerId ?? -1n, producerEpoch: info?.producerEpoch ?? -1, baseSequence };
    let batch = encodeRecordBatch(messages, indices, header, this.#allocate);
    if (this.#options.compression !== "none") {
      const codec = compressionsAlgorithms[this.#options.compression];
      const records = Buffer.from(batchRecords(batch));
      // gzip has an asynchronous form (zlib's thread pool); the others are synchronous WebAssembly or zlib.
      const compressed = "compress" in codec ? await codec.compress(records) : codec.compressSync(records);
      const uncompressed = batch;
      batch = withCompressedRecords(uncompressed, codec.bitmask, compressed);
      this.#pool?.release(uncompressed); // The compressed batch is a buffer of its own.
    }
    return sealRecordBatch(batch, checksum);
  }

  /** One Produce request per leader, concurrently; each retried on its own. `written()` once all are written. */
  async #sendBatches(
    { batches, metadata }: { batches: PartitionBatch[]; metadata: Metadata },
    written: () => void,
  ): Promise<void> {
    const byLeader = new Map<number, PartitionBatch[]>();
    for (const batch of batches) {
      const leader = metadata.topics.get(batch.topic)?.partitions[batch.partition]?.leader ?? -1;
      const list = byLeader.get(leader);
      if (list === undefined) byLeader.set(leader, [batch]);
      else list.push(batch);
    }
    let unwritten = byLeader.size;
    const oneWritten = () => {
      if (--unwritten === 0) written();
    };
    // Every request settled (answered, or failed after its retries): no retry can send these buffers again.
    const settled = await Promise.allSettled(
      [...byLeader.values()].map((group) => this.#produce(group, metadata, oneWritten)),
    );
    if (this.#pool !== null) { for (const batch of batches) this.#pool.release(batch.batch); }
    for (const outcome of settled) if (outcome.status === "rejected") throw outcome.reason;
  }

  /** Sends with the library's retries; `written()` once, when the first attempt wrote its request or failed. */
  #produce(batches: PartitionBatch[], metadata: Metadata, written: () => void): Promise<unknown> {
    const retries = this.#options.retries;
    let firstWritten = false;
    const writtenOnce = () => {
      if (firstWritten) return;
      firstWritten = true;
      written();
    };
    return callbackPromise((done) => {
      this.#producer[kPerformWithRetry]<unknown>(
        "produce",
        (retry, attempt) => {
          this.#produceOnce(batches, attempt > 0 ? null : metadata, (error, value) => {
            writtenOnce();
            if (error !== null) dropAppended(batches, error); // The retry resends only what was not taken.
            retry(error, value);
          }, writtenOnce);
        },
        done,
        0,
        [],
        undefined,
        retries,
      );
    });
  }

  /**
   * One attempt: the leader of the first partition (from `metadata`, or asked afresh for a retry), its connection,
   * the request.
   */
  #produceOnce(
    batches: PartitionBatch[],
    metadata: Metadata | null,
    done: (error: Error | null, value?: unknown) => void,
    written: () => void,
  ) {
    if (metadata !== null) return this.#produceTo(batches, metadata, done, written);
    this.#metadata = null;
    this.#producer.metadata({ topics: [batches[0].topic], forceUpdate: true }, (error, fresh) => {
      if (error) return done(error);
      this.#produceTo(batches, fresh!, done, written);
    });
  }

  /** The request to the leader of the first partition per `metadata`, on that broker's connection. */
  #produceTo(
    batches: PartitionBatch[],
    metadata: Metadata,
    done: (error: Error | null, value?: unknown) => void,
    written: () => void,
  ) {
    const producer = this.#producer;
    const { topic, partition } = batches[0];
    const leader = metadata.topics.get(topic)?.partitions[partition]?.leader ?? -1;
    const broker = metadata.brokers.get(leader);
    if (broker === undefined) return done(new Error(`No leader for ${topic}:${partition}`));
    producer[kGetConnection](broker, (error, connection) => {
      if (error) return done(error);
      producer[kGetApi]("Produce", (error, api) => {
        if (error) return done(error);
        produceApi(api!.version)(connection, this.#acks, this.#options.requestTimeoutMs, batches, done);
        written(); // The connection keeps the order of what it was given.
      });
    });
  }
}
