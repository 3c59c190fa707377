import assert from "node:assert/strict";
import { Registry } from "prom-client";
import { registerAgentMetrics } from "./agent_metrics.ts";
import { finishedTaskSource } from "./_test_source.ts";

Deno.test("registerAgentMetrics() adds prefixed process metrics, build facts and task states", async () => {
  const { source } = await finishedTaskSource();
  const registry = new Registry();
  registerAgentMetrics(registry, source);
  const text = await registry.metrics();
  assert.match(text, /^capture_agent_process_cpu_seconds_total [\d.e-]+$/m);
  assert.match(text, /^capture_agent_process_open_fds [1-9]\d*$/m);
  const rss = Number(/^capture_agent_process_resident_memory_bytes (\d+)$/m.exec(text)?.[1]);
  assert.ok(Math.abs(rss - Deno.memoryUsage().rss) < 64 * 1024 * 1024, `rss ${rss}`);
  assert.match(text, /^capture_agent_build_info\{version="[^"]+",deno="[^"]+"\} 1$/m);
  assert.match(text, /^capture_agent_task_state\{task="sip",state="completed"\} 1$/m);
  assert.match(text, /^capture_agent_uptime_seconds [\d.e-]+$/m);
});

Deno.test("registerAgentMetrics() exports command channel counters by outcome when a channel runs", async () => {
  const { source } = await finishedTaskSource();
  const registry = new Registry();
  registerAgentMetrics(registry, { ...source, commandStats: () => ({ received: 5, executed: 3, expired: 2 }) });
  const text = await registry.metrics();
  assert.match(text, /^capture_agent_command_messages_total\{outcome="received"\} 5$/m);
  assert.match(text, /^capture_agent_command_messages_total\{outcome="expired"\} 2$/m);
  const none = new Registry();
  registerAgentMetrics(none, source);
  assert.doesNotMatch(await none.metrics(), /^capture_agent_command_messages_total\{/m);
});
