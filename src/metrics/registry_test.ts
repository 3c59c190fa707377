import assert from "node:assert/strict";
import { fakeParts, FakeSipSource } from "../tasks/_test_parts.ts";
import type { TaskEntry } from "../tasks/manager.ts";
import { TaskRun } from "../tasks/runtime.ts";
import { TailHub } from "../tasks/tail.ts";
import { TaskLifecycle } from "../tasks/task.ts";
import { createMetricsRegistry } from "./registry.ts";

Deno.test("metrics read task counters at scrape time, with task and interface labels", async () => {
  const run = new TaskRun(fakeParts(new FakeSipSource(2, 3)));
  await run.done;
  const lifecycle = new TaskLifecycle("stopping");
  lifecycle.moveTo("completed", "the source ended");
  const entry = {
    spec: { name: "sip" },
    lifecycle,
    desired: "stopped",
    createdAtMs: 0,
    run,
    tail: new TailHub(),
    queue: Promise.resolve(),
  } as unknown as TaskEntry;
  const tasks: TaskEntry[] = [entry];
  const registry = createMetricsRegistry({ tasks: () => tasks, logLinesLost: () => 4, startedAtMs: Date.now() });
  const text = await registry.metrics();
  assert.match(text, /^capture_agent_capture_packets_total\{task="sip",interface="fake0"\} 6$/m);
  assert.match(text, /^capture_agent_pipeline_records_total\{task="sip",type="sip"\} 6$/m);
  assert.match(text, /^capture_agent_output_sent_total\{task="sip",output="memory:"\} \d+$/m);
  assert.match(text, /^capture_agent_task_state\{task="sip",state="completed"\} 1$/m);
  assert.match(text, /^capture_agent_task_state\{task="sip",state="running"\} 0$/m);
  assert.match(text, /^capture_agent_log_lines_lost_total 4$/m);
  assert.match(text, /^capture_agent_process_resident_memory_bytes [1-9]\d*$/m);
  tasks.length = 0;
  assert.doesNotMatch(await registry.metrics(), /task="sip"/, "a deleted task's series disappear");
});
