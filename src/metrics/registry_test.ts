import assert from "node:assert/strict";
import { finishedTaskSource } from "./_test_source.ts";
import { createMetricsRegistry } from "./registry.ts";

Deno.test("createMetricsRegistry() reads task counters at scrape time, with task and interface labels", async () => {
  const { source, tasks } = await finishedTaskSource();
  const registry = createMetricsRegistry(source);
  const text = await registry.metrics();
  assert.match(text, /^capture_agent_capture_packets_total\{task="sip",interface="fake0"\} 6$/m);
  assert.match(text, /^capture_agent_pipeline_records_total\{task="sip",type="sip"\} 6$/m);
  assert.match(
    text,
    /^capture_agent_output_sent_total\{task="sip",output="memory:"\} 12$/m,
    "6 SIP and 6 call records",
  );
  assert.match(text, /^capture_agent_task_state\{task="sip",state="completed"\} 1$/m);
  assert.match(text, /^capture_agent_task_state\{task="sip",state="running"\} 0$/m);
  assert.match(text, /^capture_agent_log_lines_lost_total 4$/m);
  assert.match(text, /^capture_agent_process_resident_memory_bytes [1-9]\d*$/m);
  assert.match(text, /^capture_agent_process_cpu_seconds_total [\d.e-]+$/m);
  tasks.length = 0;
  assert.doesNotMatch(await registry.metrics(), /task="sip"/, "a deleted task's series disappear");
});
