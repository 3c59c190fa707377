/**
 * Default limits of the outputs, in one place so the config loader and the docs quote the same numbers.
 *
 * @module
 */

/** Kafka output defaults. */
export const kafkaDefaults = {
  /**
   * Records per produce request; the request also closes at `batchBytesMax` or after `lingerMs`. librdkafka's defaults
   * (`batch.num.messages`, `batch.size`): a broker handles one request per connection at a time, so at full rate the
   * output waits on it, and batches of 1000 records took 12 % longer end to end (docs/benchmarks.md, 2026-12-07).
   */
  batchRecordsMax: 10_000,
  /**
   * Bytes per produce request as the output counts them (`messageBytes()`, never less than the encoded size): below
   * the broker's default `message.max.bytes` (1,048,588) so a full batch fits.
   */
  batchBytesMax: 1_000_000,
  /** How long a partial batch waits for more records: trades latency for fewer, larger requests. */
  lingerMs: 5,
  /** Largest message (key + value + headers); larger values are cut and flagged with a `truncated` header. */
  messageBytesMax: 512 * 1024,
  /** In-memory queue between `write()` and the producer; when full, records go to the spool. */
  queueRecordsMax: 20_000,
  queueBytesMax: 32 * 1024 * 1024,
  /** Per-request timeout and retries inside the client before a batch counts as failed and goes to the spool. */
  requestTimeoutMs: 5000,
  connectTimeoutMs: 3000,
  clientRetries: 1,
  /** A send not settled by then counts as failed and its batch is spooled (a late ack then means a duplicate). */
  sendTimeoutMs: 15_000,
  /**
   * Direct batches sent before the oldest is acknowledged, with the idempotent producer (one without it). The limit
   * is Kafka's: a broker remembers the last 5 batches per producer and partition to drop duplicates.
   */
  maxInFlight: 5,
  /** Backoff between replay attempts while the broker is unreachable. */
  retryBackoffMinMs: 100,
  retryBackoffMaxMs: 2000,
  /** How long `close()` keeps trying to deliver queued records before spooling (or dropping) them. */
  closeTimeoutMs: 5000,
} as const;

/**
 * Record batch buffers a Kafka client keeps for reuse once their request is answered (kafka/buffer_pool.ts); each is
 * at most about one request (`batchBytesMax`), so this bounds the memory they hold.
 */
export const kafkaBatchBuffersPooledMax = 8;

/** Kafka's limit on `kafkaDefaults.maxInFlight` with the idempotent producer (see there). */
export const kafkaMaxInFlightLimit = 5;

/**
 * Most records a Kafka batch may be configured for: each batch's columns are sized to `batchRecordsMax` up front
 * (message_batch.ts, ≈ 36 bytes a record), and ten times librdkafka's default is past any use.
 */
export const kafkaBatchRecordsLimit = 100_000;

/** Spool defaults. */
export const spoolDefaults = {
  /** Total bytes on disk of not yet delivered records. */
  bytesMax: 1024 * 1024 * 1024,
  /** A segment is closed and a new one started beyond this size; dropping the oldest works per segment. */
  segmentBytes: 16 * 1024 * 1024,
  /** Records per replay read. */
  readRecordsMax: 1000,
  readBytesMax: 900_000,
} as const;

/** JSONL file output defaults. */
export const jsonlDefaults = {
  /** A file is closed and a new one started beyond this size. */
  rotateBytes: 64 * 1024 * 1024,
  /** Oldest files are deleted beyond this count; 0 keeps every file. */
  filesMax: 10,
} as const;
