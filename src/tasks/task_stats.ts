/**
 * A task's statistics as the control API reports them, read from its current (or last) run at call time.
 * @module
 */
import type { MessageInitShape } from "@bufbuild/protobuf";
import { durationFromMs } from "@bufbuild/protobuf/wkt";
import type { TaskStatsSchema } from "../control/gen/capture_agent/v1/task_pb.ts";
import { outputCounters } from "../metrics/output_counters.ts";
import { histogramQuantile, isHistogramSnapshot } from "../output/kafka/histogram.ts";
import type { OutputStats } from "../output/output.ts";
import type { TaskRun } from "./runtime.ts";
import { allStageErrors } from "./stage.ts";

/** The parts of a task entry the statistics read. */
export interface StatsSource {
  spec: { name: string };
  lifecycle: { state: string; startedAtMs: number };
  run: TaskRun | null;
}

/** Integer counters as the API's uint64 map values. */
function bigints(counts: Record<string, number>): Record<string, bigint> {
  return Object.fromEntries(Object.entries(counts).map(([key, value]) => [key, BigInt(value)]));
}

/** p50 and p99 capture-to-ack latency in ms of an output that keeps the histogram (Kafka); 0 for the others. */
function ackLatencyQuantiles(stats: OutputStats): { ackLatencyP50Ms: number; ackLatencyP99Ms: number } {
  const histogram = (stats as unknown as Record<string, unknown>).ackLatencySeconds;
  if (!isHistogramSnapshot(histogram)) return { ackLatencyP50Ms: 0, ackLatencyP99Ms: 0 };
  return {
    ackLatencyP50Ms: histogramQuantile(histogram, 0.5) * 1000,
    ackLatencyP99Ms: histogramQuantile(histogram, 0.99) * 1000,
  };
}

/** Statistics of `entry`; zero counters when it never ran. */
export function taskStats(entry: StatsSource): MessageInitShape<typeof TaskStatsSchema> {
  const run = entry.run;
  if (run === null) return { name: entry.spec.name };
  const { counters } = run;
  const kernel = run.kernelCounters();
  const interfaces = counters.interfaces.map((name, index) => ({
    name,
    packets: BigInt(counters.packets[index]!),
    bytes: BigInt(counters.bytes[index]!),
    kernelDrops: BigInt(kernel[index]?.kernelDrops ?? 0),
    kernelFreezes: BigInt(kernel[index]?.kernelFreezes ?? 0),
  }));
  const stage = run.stageCounters();
  const outputs = run.outputs.map((entryOutput) => {
    const stats = entryOutput.output.stats();
    return {
      url: entryOutput.url,
      sent: BigInt(stats.sentRecords),
      failed: BigInt(stats.droppedRecords),
      spooled: BigInt(outputCounters(entryOutput).spooled),
      bytes: BigInt(stats.sentBytes),
      queueDepth: Math.max(0, stats.writtenRecords - stats.sentRecords - stats.droppedRecords),
      ...ackLatencyQuantiles(stats),
    };
  });
  const running = entry.lifecycle.state === "running";
  return {
    name: entry.spec.name,
    interfaces,
    decodeErrors: bigints(allStageErrors(stage)),
    records: bigints(counters.records),
    outputs,
    queueDepth: run.queueDepth(),
    uptime: running ? durationFromMs(Date.now() - entry.lifecycle.startedAtMs) : undefined,
  };
}
