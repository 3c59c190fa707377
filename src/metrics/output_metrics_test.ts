import assert from "node:assert/strict";
import { Registry } from "prom-client";
import { ACK_LATENCY_BOUNDS_S, BATCH_RECORDS_BOUNDS, FixedHistogram } from "../output/kafka/histogram.ts";
import type { Output } from "../output/output.ts";
import { finishedTaskSource, statsOutput } from "./_test_source.ts";
import { registerOutputMetrics } from "./output_metrics.ts";

Deno.test("registerOutputMetrics() exports spool size, drops by reason and latency per output", async () => {
  const kafka = statsOutput("kafka", {
    writtenRecords: 5,
    sentRecords: 2,
    sentBytes: 200,
    droppedRecords: 1,
    droppedQueueFull: 1,
    droppedClosed: 0,
    spooledRecords: 2,
    spoolPendingBytes: 4096,
    lastAckLatencyMs: 250,
    sentBatches: 1,
  });
  const { source } = await finishedTaskSource([{ url: "kafka://b:9092/t", output: kafka, spooled: 0, dropped: 0 }]);
  const registry = new Registry();
  registerOutputMetrics(registry, source);
  const text = await registry.metrics();
  const series = (name: string) =>
    new RegExp(`^${name}\\{task="sip",output="kafka://b:9092/t"(,reason="[a-z_]+")?\\} `, "m");
  assert.match(text, /^capture_agent_spool_bytes\{task="sip",output="kafka:\/\/b:9092\/t"\} 4096$/m);
  assert.match(
    text,
    /^capture_agent_output_dropped_total\{task="sip",output="kafka:\/\/b:9092\/t",reason="queue_full"\} 1$/m,
  );
  assert.match(text, /^capture_agent_output_ack_latency_seconds\{task="sip",output="kafka:\/\/b:9092\/t"\} 0.25$/m);
  assert.match(text, /^capture_agent_output_queue_depth\{task="sip",output="kafka:\/\/b:9092\/t"\} 2$/m);
  assert.match(
    text,
    /^capture_agent_output_sent_total\{task="sip",output="memory:"\} 12$/m,
    "6 SIP and 6 call records",
  );
  for (const name of ["capture_agent_output_failed_total", "capture_agent_output_spooled_total"]) {
    assert.match(text, series(name));
  }
});

Deno.test("registerOutputMetrics() exports the histograms an output keeps, and none for outputs without", async () => {
  const latency = new FixedHistogram(ACK_LATENCY_BOUNDS_S);
  latency.observe(0.004, 9);
  latency.observe(0.2);
  const batches = new FixedHistogram(BATCH_RECORDS_BOUNDS);
  batches.observe(10);
  const kafka: Output = {
    ...statsOutput("kafka", { writtenRecords: 10, sentRecords: 10, sentBytes: 1000, droppedRecords: 0 }),
    stats: () => ({
      writtenRecords: 10,
      sentRecords: 10,
      sentBytes: 1000,
      droppedRecords: 0,
      ackLatencySeconds: latency.snapshot(),
      batchRecords: batches.snapshot(),
    }),
  };
  const { source } = await finishedTaskSource([{ url: "kafka://b:9092/t", output: kafka, spooled: 0, dropped: 0 }]);
  const registry = new Registry();
  registerOutputMetrics(registry, source);
  const text = await registry.metrics();
  const labels = 'task="sip",output="kafka://b:9092/t"';
  assert.match(text, /^# TYPE capture_agent_output_capture_to_ack_seconds histogram$/m);
  assert.ok(text.includes(`capture_agent_output_capture_to_ack_seconds_bucket{${labels},le="0.005"} 9\n`));
  assert.ok(text.includes(`capture_agent_output_capture_to_ack_seconds_bucket{${labels},le="0.25"} 10\n`));
  assert.ok(text.includes(`capture_agent_output_capture_to_ack_seconds_count{${labels}} 10\n`));
  assert.ok(text.includes(`capture_agent_output_batch_records_bucket{${labels},le="10"} 1\n`));
  assert.ok(!/capture_agent_output_batch_records_count\{task="sip",output="memory:"\}/.test(text));
});
