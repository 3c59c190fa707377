import assert from "node:assert/strict";
import { finishedTaskSource, statsOutput } from "../metrics/_test_source.ts";
import { ACK_LATENCY_BOUNDS_S, FixedHistogram } from "../output/kafka/histogram.ts";
import type { Output } from "../output/output.ts";
import { taskStats } from "./task_stats.ts";

Deno.test("taskStats() reports p50 and p99 capture-to-ack latency of outputs that keep the histogram", async () => {
  const latency = new FixedHistogram(ACK_LATENCY_BOUNDS_S);
  latency.observe(0.003, 98); // 0.0025 < 3 ms <= 0.005
  latency.observe(0.2, 2); // 0.1 < 200 ms <= 0.25
  const counters = { writtenRecords: 100, sentRecords: 100, sentBytes: 1000, droppedRecords: 0 };
  const kafka: Output = {
    ...statsOutput("kafka", counters),
    stats: () => ({ ...counters, ackLatencySeconds: latency.snapshot() }),
  };
  const { tasks } = await finishedTaskSource([{ url: "kafka://b:9092/t", output: kafka, spooled: 0, dropped: 0 }]);
  const stats = taskStats(tasks[0]);
  const byUrl = new Map(stats.outputs!.map((output) => [output.url, output]));
  const p50 = byUrl.get("kafka://b:9092/t")!.ackLatencyP50Ms!;
  const p99 = byUrl.get("kafka://b:9092/t")!.ackLatencyP99Ms!;
  assert.ok(p50 > 2.5 && p50 <= 5, `p50 ${p50} in the 2.5..5 ms bucket`);
  assert.ok(p99 > 100 && p99 <= 250, `p99 ${p99} in the 100..250 ms bucket`);
  assert.equal(byUrl.get("memory:")!.ackLatencyP99Ms, 0, "outputs without the histogram report 0");
});
