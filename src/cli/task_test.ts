import assert from "node:assert/strict";
import { TaskState } from "../control/gen/capture_agent/v1/task_pb.ts";
import { durationMs } from "../tasks/spec.ts";
import { type CreateFlags, specFromFlags, stateName } from "./task.ts";

const flags = (extra: Partial<CreateFlags>): CreateFlags => ({
  format: "table",
  interface: [],
  protocol: [],
  output: [],
  ...extra,
});

Deno.test("specFromFlags() builds a spec from flags with units", async () => {
  const spec = await specFromFlags(flags({
    name: "sip",
    interface: ["eth0"],
    protocol: ["sip", "rtp"],
    output: ["jsonl:/tmp/s.jsonl"],
    filter: "udp port 5060",
    duration: "10m",
    bytes: "1MiB",
  }));
  assert.equal(spec.name, "sip");
  assert.deepEqual(spec.interfaces, ["eth0"]);
  assert.deepEqual(spec.outputs.map((o) => o.url), ["jsonl:/tmp/s.jsonl"]);
  assert.equal(durationMs(spec.limits!.duration), 600_000);
  assert.equal(spec.limits!.bytes, 1_048_576n);
});

Deno.test("specFromFlags() lets flags override a task file and requires a name", async () => {
  const dir = Deno.makeTempDirSync({ prefix: "task-cli-test-" });
  try {
    Deno.writeTextFileSync(`${dir}/t.yaml`, "name: from-file\ninterfaces: [eth0]\nfilter: udp\n");
    const spec = await specFromFlags(flags({ file: `${dir}/t.yaml`, filter: "tcp" }));
    assert.equal(spec.name, "from-file");
    assert.equal(spec.filter, "tcp");
    await assert.rejects(specFromFlags(flags({ interface: ["eth0"] })), /--name/);
    await assert.rejects(specFromFlags(flags({ name: "x", duration: "5" })), /--duration/);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("stateName() names API states in lower case", () => {
  assert.equal(stateName(TaskState.COMPLETED), "completed");
});
