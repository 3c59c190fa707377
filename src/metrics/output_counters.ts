/**
 * One shape for the counters of every output kind, read from its `stats()` at scrape time: the common
 * `OutputStats` plus whatever the kind keeps (Kafka's spool and batches, HEP's failover, file counts). Fields an
 * output does not keep read as 0; `dropped*` fields become drop reasons (`droppedQueueFull` → `queue_full`).
 * @module
 */
import type { RunOutput } from "../tasks/runtime.ts";

/** Counters of one output of a run. */
export interface OutputCounters {
  written: number;
  sent: number;
  sentBytes: number;
  /** Records lost, all reasons (sum of `droppedByReason`). */
  dropped: number;
  droppedByReason: Record<string, number>;
  /** Records written to the on-disk spool (on overflow, failed sends, close). */
  spooled: number;
  /** Records delivered from the spool. */
  replayed: number;
  /** Records in sends that failed (Kafka: then spooled and sent again; HEP: a collector's socket failed). */
  sendFailed: number;
  /** Records sent to another collector than their first choice (HEP failover). */
  failover: number;
  /** Records accepted and not yet delivered or dropped (memory queue and spool). */
  queueDepth: number;
  spoolRecords: number;
  spoolBytes: number;
  /** Capture-time age of the oldest undelivered record, 0 when none. */
  oldestAgeMs: number;
  /** 1 while the output sends through its spool. */
  spooling: number;
  batches: number;
  /** Capture-to-acknowledgement time of the last acknowledged batch. */
  lastAckLatencyMs: number;
  /** Records cut to the output's message size bound. */
  cut: number;
  filesOpened: number;
}

type Stats = Record<string, unknown>;

function count(stats: Stats, name: string): number {
  const value = stats[name];
  return typeof value === "number" && Number.isFinite(value) ? value : 0;
}

/** `droppedQueueFull` → `queue_full`. */
export function dropReason(field: string): string {
  return field.slice("dropped".length).replace(
    /[A-Z]/g,
    (letter, index: number) => (index === 0 ? "" : "_") + letter.toLowerCase(),
  );
}

/** The counters of `entry`. */
export function outputCounters(entry: RunOutput): OutputCounters {
  const stats = entry.output.stats() as unknown as Stats;
  const droppedByReason: Record<string, number> = {};
  for (const field of Object.keys(stats)) {
    if (/^dropped[A-Z]/.test(field) && field !== "droppedRecords") {
      droppedByReason[dropReason(field)] = count(stats, field);
    }
  }
  const written = count(stats, "writtenRecords");
  const sent = count(stats, "sentRecords");
  const dropped = count(stats, "droppedRecords");
  return {
    written,
    sent,
    sentBytes: count(stats, "sentBytes"),
    dropped,
    droppedByReason,
    // The output's own count includes batches spooled after a failed send, which write() never reports.
    spooled: "spooledRecords" in stats ? count(stats, "spooledRecords") : entry.spooled,
    replayed: count(stats, "replayedRecords"),
    sendFailed: count(stats, "failedRecords"),
    failover: count(stats, "failoverRecords"),
    queueDepth: Math.max(0, written - sent - dropped),
    spoolRecords: count(stats, "spoolPendingRecords"),
    spoolBytes: count(stats, "spoolPendingBytes"),
    oldestAgeMs: count(stats, "oldestAgeMs"),
    spooling: count(stats, "spooling"),
    batches: count(stats, "sentBatches"),
    lastAckLatencyMs: count(stats, "lastAckLatencyMs"),
    cut: count(stats, "cutRecords"),
    filesOpened: count(stats, "filesOpened") + count(stats, "callsOpened"),
  };
}
