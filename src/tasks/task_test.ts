import assert from "node:assert/strict";
import { TaskLifecycle, TaskStateError } from "./task.ts";

Deno.test("TaskLifecycle goes through a start, a failure and a restart", () => {
  const seen: string[] = [];
  const task = new TaskLifecycle();
  task.onChange((state) => seen.push(state));
  task.moveTo("starting");
  task.moveTo("running", "", 1000);
  assert.equal(task.startedAtMs, 1000);
  assert.ok(task.active);
  task.moveTo("failed", "interface went down", 2000);
  assert.equal(task.reason, "interface went down");
  assert.equal(task.stoppedAtMs, 2000);
  assert.ok(!task.active);
  task.moveTo("starting");
  assert.equal(task.reason, "");
  assert.deepEqual(seen, ["starting", "running", "failed", "starting"]);
});

Deno.test("TaskLifecycle refuses changes the life cycle does not allow", () => {
  const task = new TaskLifecycle("stopped");
  assert.throws(() => task.moveTo("running"), TaskStateError);
  assert.throws(() => task.moveTo("completed"), /Cannot go from stopped to completed/);
  assert.equal(task.state, "stopped");
});
