/**
 * Counters of the Kafka output, as plain numbers, and its two histograms (the metrics layer reads them; it is wired
 * elsewhere).
 *
 * @module
 */
import type { OutputStats, WriteResult } from "../output.ts";
import type { HistogramSnapshot } from "./histogram.ts";

/** Counters of the Kafka output; plain numbers, cumulative unless they name a current depth or age. */
export interface KafkaOutputCounters extends OutputStats {
  sentBatches: number;
  /** Sends that failed, and the records in them (then spooled, or dropped without a spool). */
  failedBatches: number;
  failedRecords: number;
  /** Records written to the spool (on overflow, failure or close) and their encoded bytes. */
  spooledRecords: number;
  spooledBytes: number;
  /** Records delivered from the spool. */
  replayedRecords: number;
  spoolPendingRecords: number;
  spoolPendingBytes: number;
  /** Damaged spool records found at open (torn writes after a crash). */
  spoolTornRecords: number;
  /** Values cut to `messageBytesMax` (sent with a `truncated` header). */
  cutRecords: number;
  droppedEncode: number;
  droppedQueueFull: number;
  droppedSendFailed: number;
  droppedSpoolFull: number;
  droppedSpoolOldest: number;
  droppedSpoolCorrupt: number;
  droppedClosed: number;
  queueRecords: number;
  queueBytes: number;
  /** Age of the oldest undelivered record (queue or spool), from its capture time; 0 when none. */
  oldestAgeMs: number;
  /** Capture-to-acknowledgement time of the first record of the last acknowledged batch. */
  lastAckLatencyMs: number;
  /** Unexpected errors in the sender loop (spool I/O); the loop backs off and continues. */
  senderErrors: number;
  /** 1 while records go through the spool (broker down, slow, or spool not yet drained), else 0. */
  spooling: number;
}

/** What `KafkaOutput.stats()` returns: the counters and a snapshot of the histograms. */
export interface KafkaOutputStats extends KafkaOutputCounters {
  /**
   * Capture-to-acknowledgement time in seconds, one observation per acknowledged record (direct or replayed from
   * the spool): the batch's acknowledgement time minus each record's capture time.
   */
  ackLatencySeconds: HistogramSnapshot;
  /** Records per acknowledged produce request. */
  batchRecords: HistogramSnapshot;
}

/** All counters at zero. */
export function zeroStats(): KafkaOutputCounters {
  return {
    writtenRecords: 0,
    sentRecords: 0,
    sentBytes: 0,
    droppedRecords: 0,
    sentBatches: 0,
    failedBatches: 0,
    failedRecords: 0,
    spooledRecords: 0,
    spooledBytes: 0,
    replayedRecords: 0,
    spoolPendingRecords: 0,
    spoolPendingBytes: 0,
    spoolTornRecords: 0,
    cutRecords: 0,
    droppedEncode: 0,
    droppedQueueFull: 0,
    droppedSendFailed: 0,
    droppedSpoolFull: 0,
    droppedSpoolOldest: 0,
    droppedSpoolCorrupt: 0,
    droppedClosed: 0,
    queueRecords: 0,
    queueBytes: 0,
    oldestAgeMs: 0,
    lastAckLatencyMs: 0,
    senderErrors: 0,
    spooling: 0,
  };
}

/** Counts `count` records dropped for `reason`, in the total and in `result` (the current `write()`'s) when given. */
export function countDropped(
  stats: KafkaOutputCounters,
  reason: keyof KafkaOutputCounters,
  count: number,
  result: WriteResult | null,
): void {
  stats[reason] += count;
  stats.droppedRecords += count;
  if (result !== null) result.dropped += count;
}
