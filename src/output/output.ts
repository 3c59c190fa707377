/**
 * The contract every output implements (Kafka, JSONL, later HEP and pcap): records in, counters out.
 *
 * `write()` is synchronous and never throws for bad or undeliverable data: it accepts, spools or drops each record
 * and says so in its result, so capture never waits on a broker or a disk.
 *
 * @module
 */

/** Header values are strings (UTF-8 on the wire) or raw bytes. */
export type OutputHeaders = Record<string, string | Uint8Array>;

/** One record leaving the agent: a decoded message, a call summary, a packet. */
export interface OutputRecord {
  /** Record type, e.g. "sip", "call", "rtcp": picks the topic with a per-type topic prefix. */
  type: string;
  /** Partitioning key chosen by the pipeline (symmetric flow key, Call-ID); absent means no key. */
  key?: Uint8Array | string;
  /** Capture time in milliseconds since the Unix epoch; becomes the Kafka record timestamp. */
  timestampMs: number;
  /** JSON-serialisable object, or bytes sent as they are. */
  value: object | Uint8Array;
  /** Extra headers, sent after the output's own (task, agent, type, key). */
  headers?: OutputHeaders;
}

/** What happened to the records of one `write()` call; every record is counted in exactly one field. */
export interface WriteResult {
  /** Queued in memory for delivery. */
  queued: number;
  /** Written to the on-disk spool (delivered later, in order). */
  spooled: number;
  /** Not accepted: queue and spool full, output closed, or the record could not be encoded. */
  dropped: number;
}

/** Counters common to every output: plain numbers, cumulative since the output was opened. */
export interface OutputStats {
  /** Records handed to `write()`. */
  writtenRecords: number;
  /** Records the destination acknowledged (Kafka) or that reached the file (JSONL). */
  sentRecords: number;
  /** Encoded bytes of `sentRecords`. */
  sentBytes: number;
  /** Records dropped, for any reason (the per-reason counters of each output add up to this). */
  droppedRecords: number;
}

/** An output attached to a task. */
export interface Output {
  /** Name for logs and metrics labels. */
  readonly name: string;
  /** Accepts records without waiting for the destination. */
  write(records: readonly OutputRecord[]): WriteResult;
  /** Resolves when every record accepted so far has been sent or spooled. */
  flush(): Promise<void>;
  /** Flushes, releases sockets and files; later writes are dropped and counted. Idempotent. */
  close(): Promise<void>;
  /** A snapshot of the counters. */
  stats(): OutputStats;
}

/** Result with every record in one bucket, for the common all-or-nothing cases. */
export function writeResult(queued: number, spooled: number, dropped: number): WriteResult {
  return { queued, spooled, dropped };
}
