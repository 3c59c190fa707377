import assert from "node:assert/strict";
import { fakeParts, FakeSipSource } from "../tasks/_test_parts.ts";
import type { TaskEntry } from "../tasks/manager.ts";
import { TaskRun } from "../tasks/runtime.ts";
import { TaskLifecycle } from "../tasks/task.ts";
import { agentStats, agentStatus } from "./agent_status.ts";

Deno.test("agentStatus() and agentStats() sum over tasks", async () => {
  const run = new TaskRun(fakeParts(new FakeSipSource(1, 5)));
  await run.done;
  const stopped = { lifecycle: new TaskLifecycle("stopped"), run } as unknown as TaskEntry;
  const never = { lifecycle: new TaskLifecycle("stopped"), run: null } as unknown as TaskEntry;
  const facts = {
    startedAtMs: Date.now() - 5000,
    ready: true,
    hostname: "h",
    configPath: "/c.yml",
    unixSocket: "/s.sock",
    tcpListen: "",
    tasks: [stopped, never],
  };
  const status = agentStatus(facts);
  assert.equal(status.tasksTotal, 2);
  assert.deepEqual(status.tasksByState, { stopped: 2 });
  assert.ok(Number(status.uptime!.seconds) >= 5);
  const stats = agentStats(facts);
  assert.equal(stats.packets, 5n);
  assert.ok(stats.records >= 5n);
  assert.equal(stats.tasksRunning, 0);
  assert.ok(stats.rssBytes > 0n);
});
