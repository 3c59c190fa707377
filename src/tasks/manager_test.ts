import assert from "node:assert/strict";
import { create } from "@bufbuild/protobuf";
import { TaskSpecSchema, TaskState } from "../control/gen/capture_agent/v1/task_pb.ts";
import { TaskControlError } from "../control/task_control.ts";
import type { Config } from "../config/types.ts";
import { DEFAULT_CONFIG } from "../config/defaults.ts";
import { fakeParts, FakeSipSource } from "./_test_parts.ts";
import { type OpenRun, TaskManager } from "./manager.ts";
import { TaskStore } from "./store.ts";

interface Bed {
  dir: string;
  store: TaskStore;
  opened: string[];
  manager: TaskManager;
}

function bed(dir = Deno.makeTempDirSync({ prefix: "manager-test-" }), failOpen = false): Bed {
  const store = new TaskStore(dir);
  const opened: string[] = [];
  const openRun: OpenRun = (spec, tail, warn) => {
    if (failOpen || spec.interfaces.includes("nope0")) {
      return Promise.reject(new TaskControlError("invalid_argument", `interface "nope0" does not exist`));
    }
    opened.push(spec.name);
    return Promise.resolve({ ...fakeParts(new FakeSipSource(-1, 2)), tail, warn });
  };
  const log = { info() {}, warn() {} };
  const config: Config = { ...DEFAULT_CONFIG, daemon: { ...DEFAULT_CONFIG.daemon, data_dir: dir } };
  return { dir, store, opened, manager: new TaskManager({ config, store, log, openRun }) };
}

const spec = (name: string, interfaces = ["fake0"]) => create(TaskSpecSchema, { name, interfaces, protocols: ["sip"] });

async function files(dir: string): Promise<string[]> {
  const names: string[] = [];
  for await (const entry of Deno.readDir(`${dir}/tasks`)) names.push(entry.name);
  return names.sort();
}

Deno.test("TaskManager creates, stops, starts and deletes tasks, persisting each change", async () => {
  const { dir, store, manager } = bed();
  await store.init();
  try {
    const created = await manager.create(spec("a"), { start: true });
    assert.equal(created.state, TaskState.RUNNING);
    await manager.create(spec("b"), { start: true });
    await assert.rejects(manager.create(spec("a"), { start: true }), { code: "already_exists" });
    assert.deepEqual((await manager.list()).map((t) => t.spec!.name), ["a", "b"]);
    assert.equal((await manager.stop("b")).state, TaskState.STOPPED);
    assert.equal((await store.loadAll()).tasks.find((t) => t.spec.name === "b")!.desired, "stopped");
    await new Promise((resolve) => setTimeout(resolve, 50));
    const stats = await manager.stats("a");
    assert.ok(stats.interfaces[0]!.packets > 0n);
    assert.ok(stats.records.sip! > 0n);
    assert.equal((await manager.start("b")).state, TaskState.RUNNING);
    await manager.delete("b");
    await assert.rejects(manager.get("b"), { code: "not_found" });
    assert.deepEqual(await files(dir), ["a.json"]);
    await manager.shutdown();
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("TaskManager refuses bad specs and failed opens, leaving nothing behind", async () => {
  const { dir, store, manager } = bed();
  await store.init();
  try {
    await assert.rejects(manager.create(spec("../etc"), { start: true }), { code: "invalid_argument" });
    await assert.rejects(manager.create(spec("x", ["nope0"]), { start: true }), /nope0/);
    assert.deepEqual(await manager.list(), []);
    assert.deepEqual(await files(dir), []);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("TaskManager.restore() runs tasks left running and keeps stopped ones stopped", async () => {
  const first = bed();
  try {
    await first.store.init();
    await first.manager.create(spec("run"), { start: true });
    await first.manager.create(spec("rest"), { start: true });
    await first.manager.stop("rest");
    await first.manager.shutdown();
    const second = bed(first.dir);
    assert.equal(await second.manager.restore(), 2);
    const states = Object.fromEntries((await second.manager.list()).map((t) => [t.spec!.name, t.state]));
    assert.deepEqual(states, { rest: TaskState.STOPPED, run: TaskState.RUNNING });
    assert.deepEqual(second.opened, ["run"]);
    await second.manager.shutdown();
    const third = bed(first.dir, true);
    await third.manager.restore();
    const failed = await third.manager.get("run");
    assert.equal(failed.state, TaskState.FAILED);
    assert.match(failed.reason, /nope0/);
  } finally {
    Deno.removeSync(first.dir, { recursive: true });
  }
});

Deno.test("TaskManager tail streams a task's records until aborted", async () => {
  const { dir, store, manager } = bed();
  await store.init();
  try {
    await manager.create(spec("a"), { start: true });
    const abort = new AbortController();
    const seen: string[] = [];
    for await (const item of manager.tail("a", { types: ["sip"], contains: "" }, abort.signal)) {
      seen.push(item.type);
      if (seen.length === 3) abort.abort();
    }
    assert.deepEqual(seen, ["sip", "sip", "sip"]);
    await manager.shutdown();
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});
