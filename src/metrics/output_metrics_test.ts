import assert from "node:assert/strict";
import { Registry } from "prom-client";
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
