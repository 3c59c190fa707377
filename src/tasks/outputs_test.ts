import assert from "node:assert/strict";
import { jsonlPlace, openOutput } from "./outputs.ts";

const context = { task: "sip", agentId: "host1", dataDir: "/nonexistent" };

Deno.test("jsonlPlace() splits a file path into directory and prefix, or uses the task name", () => {
  assert.deepEqual(jsonlPlace("/var/out/calls.jsonl", "sip"), { dir: "/var/out", prefix: "calls" });
  assert.deepEqual(jsonlPlace("/var/out", "sip"), { dir: "/var/out", prefix: "sip" });
});

Deno.test("openOutput() opens a JSONL output that writes records to its directory", async () => {
  const dir = Deno.makeTempDirSync({ prefix: "outputs-test-" });
  try {
    const output = await openOutput(`jsonl:${dir}/a.jsonl`, 0, context);
    assert.equal(output.write([{ type: "sip", timestampMs: 1, value: { n: 1 } }]).queued, 1);
    await output.close();
    const files = [...Deno.readDirSync(dir)].map((entry) => entry.name);
    assert.equal(files.length, 1);
    assert.match(files[0]!, /^a-.*\.jsonl$/);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("openOutput() refuses bad URLs and outputs not available", async () => {
  await assert.rejects(openOutput("ftp://x", 0, context), { code: "invalid_argument" });
  await assert.rejects(openOutput("hep://h:9060", 0, context), /not available yet/);
});
