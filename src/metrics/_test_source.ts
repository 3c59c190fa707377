/**
 * Test helpers (not used by production code): a metrics source holding one finished task run over crafted SIP
 * packets, with extra outputs when asked.
 * @module
 */
import type { Output, OutputStats, WriteResult } from "../output/output.ts";
import { fakeParts, FakeSipSource } from "../tasks/_test_parts.ts";
import type { TaskEntry } from "../tasks/manager.ts";
import { type RunOutput, TaskRun } from "../tasks/runtime.ts";
import { TailHub } from "../tasks/tail.ts";
import { TaskLifecycle } from "../tasks/task.ts";
import type { MetricsSource } from "./pulled.ts";

/** An output whose `stats()` returns `stats` as given (any kind's counters). */
export function statsOutput(name: string, stats: OutputStats & Record<string, number>): Output {
  return {
    name,
    write: (): WriteResult => ({ queued: 0, spooled: 0, dropped: 0 }),
    flush: () => Promise.resolve(),
    close: () => Promise.resolve(),
    stats: () => ({ ...stats }),
  };
}

/** A source with task "sip": a completed run of 2 batches of 3 INVITEs, plus `outputs`. */
export async function finishedTaskSource(
  outputs: RunOutput[] = [],
): Promise<{ source: MetricsSource; tasks: TaskEntry[]; run: TaskRun }> {
  const parts = fakeParts(new FakeSipSource(2, 3));
  parts.outputs.push(...outputs);
  const run = new TaskRun(parts);
  await run.done;
  const lifecycle = new TaskLifecycle("stopping");
  lifecycle.moveTo("completed", "the source ended");
  const entry = { spec: { name: "sip" }, lifecycle, desired: "stopped", createdAtMs: 0, run, tail: new TailHub() };
  const tasks = [entry as unknown as TaskEntry];
  return { source: { tasks: () => tasks, logLinesLost: () => 4, startedAtMs: Date.now() }, tasks, run };
}
