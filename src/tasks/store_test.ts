import assert from "node:assert/strict";
import { create } from "@bufbuild/protobuf";
import { TaskSpecSchema } from "../control/gen/capture_agent/v1/task_pb.ts";
import { TaskStore } from "./store.ts";

Deno.test("TaskStore saves atomically, loads back, and removes", async () => {
  const dir = Deno.makeTempDirSync({ prefix: "store-test-" });
  try {
    const store = new TaskStore(dir);
    await store.init();
    const spec = create(TaskSpecSchema, { name: "sip", interfaces: ["eth0"], filter: "udp port 5060" });
    await store.save({ spec, desired: "running", state: "running", reason: "", createdAtMs: 1_700_000_000_000 });
    Deno.writeTextFileSync(`${dir}/tasks/old.json.tmp-123`, "{half");
    const { tasks, problems } = await store.loadAll();
    assert.deepEqual(problems, []);
    assert.equal(tasks.length, 1);
    assert.equal(tasks[0]!.spec.filter, "udp port 5060");
    assert.equal(tasks[0]!.desired, "running");
    assert.equal(tasks[0]!.createdAtMs, 1_700_000_000_000);
    assert.deepEqual([...Deno.readDirSync(`${dir}/tasks`)].map((e) => e.name), ["sip.json"], "crash leftovers go");
    await store.remove("sip");
    await store.remove("sip");
    assert.deepEqual((await store.loadAll()).tasks, []);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("TaskStore reports unreadable task files and files whose name does not match", async () => {
  const dir = Deno.makeTempDirSync({ prefix: "store-test-" });
  try {
    const store = new TaskStore(dir);
    await store.init();
    Deno.writeTextFileSync(`${dir}/tasks/bad.json`, "not json");
    Deno.writeTextFileSync(`${dir}/tasks/other.json`, JSON.stringify({ version: 1, spec: { name: "x" } }));
    const { tasks, problems } = await store.loadAll();
    assert.deepEqual(tasks, []);
    assert.equal(problems.length, 2);
    assert.match(problems.map((p) => p.message).join("\n"), /does not match the file name/);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});
