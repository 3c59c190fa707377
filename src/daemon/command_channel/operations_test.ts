import assert from "node:assert/strict";
import { memoryAgent, MemoryTasks } from "./_test_targets.ts";
import { CommandError, type CommandTargets, runCommand } from "./operations.ts";

function targets(shutdownAllowed = false) {
  const tasks = new MemoryTasks();
  const agent = memoryAgent();
  const all: CommandTargets = { tasks, agent, shutdownAllowed, channelStats: () => ({ received: 3 }) };
  return { tasks, agent, all };
}

async function refusal(promise: Promise<unknown>): Promise<CommandError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof CommandError, String(error));
    return error;
  }
  throw new Error("the command was not refused");
}

Deno.test("runCommand() creates, lists, stops, starts and deletes tasks with the reference's result fields", async () => {
  const { tasks, all } = targets();
  const config = { name: "sip", interfaces: ["lo"], protocols: ["sip"], filter: "udp port 5060" };
  const created = await runCommand("task_create", { config }, all);
  assert.equal(created.result.task_id, "sip");
  assert.equal(created.result.status, "created");
  assert.equal(created.result.state, "running");
  assert.equal((created.result.task as { spec: { filter: string } }).spec.filter, "udp port 5060");
  assert.deepEqual((await runCommand("task_list", {}, all)).result, {
    tasks: ["sip"],
    count: 1,
    states: { sip: "running" },
  });
  assert.equal((await runCommand("task_stop", { task_id: "sip" }, all)).result.status, "stopped");
  assert.deepEqual((await runCommand("task_status", {}, all)).result, { tasks: { sip: "stopped" } });
  assert.equal((await runCommand("task_start", { name: "sip" }, all)).result.status, "running");
  const status = await runCommand("task_status", { task_id: "sip" }, all);
  assert.equal(status.result.status, "running");
  const stats = status.result.stats as { name: string; interfaces: unknown[] };
  assert.equal(stats.name, "sip");
  assert.deepEqual(stats.interfaces, []); // Zero values are kept: replies always have the same keys.
  assert.deepEqual((await runCommand("task_delete", { task_id: "sip" }, all)).result, {
    task_id: "sip",
    status: "deleted",
  });
  assert.deepEqual(tasks.calls, ["create sip", "stop sip", "start sip", "delete sip"]);
  const stopped = await runCommand("task_create", { task: { ...config, name: "later" }, start: false }, all);
  assert.equal(stopped.result.state, "stopped");
});

Deno.test("runCommand() refuses bad payloads and unknown tasks with Connect code names", async () => {
  const { all } = targets();
  assert.equal((await refusal(runCommand("task_create", {}, all))).code, "invalid_argument");
  const badTask = await refusal(runCommand("task_create", { config: { name: "x", bogus: 1 } }, all));
  assert.equal(badTask.code, "invalid_argument");
  assert.match(badTask.message, /bogus is not a known key/);
  assert.equal((await refusal(runCommand("task_stop", {}, all))).code, "invalid_argument");
  const missing = await refusal(runCommand("task_delete", { task_id: "nope" }, all));
  assert.equal(missing.code, "not_found");
  assert.match(missing.message, /"nope" does not exist/);
  const unknown = await refusal(runCommand("task_explode", {}, all));
  assert.equal(unknown.code, "unimplemented");
  assert.match(unknown.message, /known: task_create/);
});

Deno.test("runCommand() answers daemon_status, daemon_stats and config_reload", async () => {
  const { agent, all } = targets();
  const status = await runCommand("daemon_status", {}, all);
  assert.equal(status.result.version, "test");
  assert.equal(status.result.task_count, 0);
  assert.deepEqual(status.result.tasks, []);
  const stats = await runCommand("daemon_stats", {}, all);
  assert.equal(stats.result.packets, "5");
  assert.deepEqual(stats.result.command_channel, { received: 3 });
  const reload = await runCommand("config_reload", {}, all);
  assert.deepEqual(reload.result, { status: "reloaded", applied: ["global.log_level"], restart_required: [] });
  assert.equal(agent.reloads, 1);
});

Deno.test("runCommand() shuts down only when allowed, and only after the caller runs `after`", async () => {
  const refused = targets(false);
  const error = await refusal(runCommand("daemon_shutdown", {}, refused.all));
  assert.equal(error.code, "permission_denied");
  assert.deepEqual(refused.agent.shutdowns, []);
  const allowed = targets(true);
  const outcome = await runCommand("daemon_shutdown", { drain_timeout_ms: 2500 }, allowed.all);
  assert.deepEqual(outcome.result, { status: "shutting_down" });
  assert.deepEqual(allowed.agent.shutdowns, []);
  outcome.after?.();
  assert.deepEqual(allowed.agent.shutdowns, [2500]);
});
