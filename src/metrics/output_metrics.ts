/**
 * Output metrics per task and output (labelled with the output's URL): records sent, dropped by reason, spooled
 * and replayed, bytes, queue depth, spool size and age, batches and acknowledgement latency; and, for outputs that
 * keep them (Kafka), histograms of capture-to-acknowledgement latency and records per batch.
 * @module
 */
import type { Registry } from "prom-client";
import { isHistogramSnapshot } from "../output/kafka/histogram.ts";
import type { RunOutput } from "../tasks/runtime.ts";
import { type OutputCounters, outputCounters } from "./output_counters.ts";
import { forRuns, type MetricsSource, pulled } from "./pulled.ts";
import { pulledHistogram } from "./pulled_histogram.ts";

type OutputLabel = "task" | "output";

/** [name, kind, help, read] of each per-output metric. */
const OUTPUT_METRICS: [string, "counter" | "gauge", string, (counters: OutputCounters) => number][] = [
  ["capture_agent_output_written_total", "counter", "Records handed to the output", (c) => c.written],
  [
    "capture_agent_output_sent_total",
    "counter",
    "Records the destination acknowledged or that reached the file",
    (c) => c.sent,
  ],
  ["capture_agent_output_bytes_total", "counter", "Encoded bytes of the records sent", (c) => c.sentBytes],
  [
    "capture_agent_output_failed_total",
    "counter",
    "Records the output dropped, every reason (see _dropped_total)",
    (c) => c.dropped,
  ],
  ["capture_agent_output_spooled_total", "counter", "Records written to the output's on-disk spool", (c) => c.spooled],
  ["capture_agent_output_replayed_total", "counter", "Records delivered from the spool", (c) => c.replayed],
  [
    "capture_agent_output_send_failures_total",
    "counter",
    "Records in sends that failed (Kafka: spooled and sent again)",
    (c) => c.sendFailed,
  ],
  [
    "capture_agent_output_failover_total",
    "counter",
    "Records sent to another collector than their first choice (HEP)",
    (c) => c.failover,
  ],
  [
    "capture_agent_output_cut_total",
    "counter",
    "Records cut to the output's message size bound (sent flagged)",
    (c) => c.cut,
  ],
  ["capture_agent_output_batches_total", "counter", "Batches the destination acknowledged (Kafka)", (c) => c.batches],
  [
    "capture_agent_output_files_total",
    "counter",
    "Files the output opened (JSONL, pcap, per-call pcap)",
    (c) => c.filesOpened,
  ],
  [
    "capture_agent_output_queue_depth",
    "gauge",
    "Records accepted, not yet delivered or dropped (memory queue and spool)",
    (c) => c.queueDepth,
  ],
  ["capture_agent_spool_bytes", "gauge", "Bytes of records waiting in the output's spool", (c) => c.spoolBytes],
  ["capture_agent_spool_records", "gauge", "Records waiting in the output's spool", (c) => c.spoolRecords],
  [
    "capture_agent_output_spooling",
    "gauge",
    "1 while the output sends through its spool (destination down or slow)",
    (c) => c.spooling,
  ],
  [
    "capture_agent_output_oldest_record_age_seconds",
    "gauge",
    "Capture-time age of the oldest undelivered record",
    (c) => c.oldestAgeMs / 1000,
  ],
  [
    "capture_agent_output_ack_latency_seconds",
    "gauge",
    "Capture to acknowledgement time of the last acknowledged batch (Kafka)",
    (c) => c.lastAckLatencyMs / 1000,
  ],
]; // deno-fmt-ignore

/** [name, help, stats field] of each per-output histogram; outputs without the field have no series. */
const OUTPUT_HISTOGRAMS: [string, string, string][] = [
  [
    "capture_agent_output_capture_to_ack_seconds",
    "Capture to acknowledgement time, one observation per acknowledged record (Kafka)",
    "ackLatencySeconds",
  ],
  ["capture_agent_output_batch_records", "Records per acknowledged produce request (Kafka)", "batchRecords"],
];

/** The histogram snapshot an output's `stats()` keeps in `field`, if it keeps one. */
function histogramOf(entry: RunOutput, field: string) {
  const value = (entry.output.stats() as unknown as Record<string, unknown>)[field];
  return isHistogramSnapshot(value) ? value : undefined;
}

/** Registers the output metrics. */
export function registerOutputMetrics(registry: Registry, source: MetricsSource): void {
  for (const [name, kind, help, read] of OUTPUT_METRICS) {
    pulled<OutputLabel>(registry, {
      kind,
      name,
      help,
      labelNames: ["task", "output"],
      read: (set) =>
        forRuns(source, (task, run) => {
          for (const entry of run.outputs) set({ task, output: entry.url }, read(outputCounters(entry)));
        }),
    });
  }
  for (const [name, help, field] of OUTPUT_HISTOGRAMS) {
    pulledHistogram<OutputLabel>(registry, {
      name,
      help,
      labelNames: ["task", "output"],
      read: (set) =>
        forRuns(source, (task, run) => {
          for (const entry of run.outputs) {
            const snapshot = histogramOf(entry, field);
            if (snapshot !== undefined) set({ task, output: entry.url }, snapshot);
          }
        }),
    });
  }
  pulled(registry, {
    kind: "counter",
    name: "capture_agent_output_dropped_total",
    help: "Records the output dropped, by reason (queue_full, spool_full, spool_oldest, encode, closed, ...)",
    labelNames: ["task", "output", "reason"],
    read: (set) =>
      forRuns(source, (task, run) => {
        for (const entry of run.outputs) {
          for (const [reason, count] of Object.entries(outputCounters(entry).droppedByReason)) {
            set({ task, output: entry.url, reason }, count);
          }
        }
      }),
  });
}
