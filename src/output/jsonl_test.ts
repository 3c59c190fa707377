import assert from "node:assert/strict";
import { JsonlOutput } from "./jsonl.ts";
import type { OutputRecord } from "./output.ts";

function records(from: number, count: number): OutputRecord[] {
  return Array.from({ length: count }, (_, i) => ({
    type: "sip",
    key: `k${from + i}`,
    timestampMs: 1700000000000 + from + i,
    value: { seq: from + i, pad: "x".repeat(50) },
  }));
}

async function withDir(body: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "jsonl-test-" });
  try {
    await body(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

function readLines(dir: string, files: string[]): Record<string, unknown>[] {
  return files.flatMap((name) =>
    Deno.readTextFileSync(`${dir}/${name}`).split("\n").filter((line) => line !== "").map((line) => JSON.parse(line))
  );
}

Deno.test("JsonlOutput rotates by size without splitting or losing a line", () =>
  withDir(async (dir) => {
    const out = new JsonlOutput({ dir, rotateBytes: 2000, filesMax: 0 });
    for (let i = 0; i < 40; i++) assert.deepEqual(out.write(records(i * 5, 5)), { queued: 5, spooled: 0, dropped: 0 });
    await out.close();
    const files = out.files();
    assert.ok(files.length >= 10, `${files.length} files`);
    for (const name of files) assert.ok(Deno.statSync(`${dir}/${name}`).size <= 2000);
    const lines = readLines(dir, files);
    assert.deepEqual(
      lines.map((line) => (line.value as { seq: number }).seq),
      Array.from({ length: 200 }, (_, i) => i),
    );
    assert.deepEqual(lines[3], {
      type: "sip",
      timestamp_ms: 1700000000003,
      key: "k3",
      value: { seq: 3, pad: "x".repeat(50) },
    });
    const stats = out.stats();
    assert.deepEqual([stats.sentRecords, stats.filesOpened, stats.droppedRecords], [200, files.length, 0]);
    assert.equal(stats.sentBytes, files.reduce((sum, name) => sum + Deno.statSync(`${dir}/${name}`).size, 0));
  }));

Deno.test("JsonlOutput keeps at most filesMax files and counts what it deletes and drops", () =>
  withDir(async (dir) => {
    const out = new JsonlOutput({ dir, prefix: "t.1", rotateBytes: 500, filesMax: 3 });
    for (let i = 0; i < 30; i++) out.write(records(i * 2, 2));
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    assert.deepEqual(out.write([{ type: "x", timestampMs: 0, value: cyclic }, ...records(60, 1)]), {
      queued: 1,
      spooled: 0,
      dropped: 1,
    });
    assert.deepEqual(
      out.write([{ type: "raw", timestampMs: 5, key: new Uint8Array([1]), value: new Uint8Array([104, 105]) }]),
      {
        queued: 1,
        spooled: 0,
        dropped: 0,
      },
    );
    await out.close();
    assert.equal(out.write(records(0, 2)).dropped, 2);
    const files = out.files();
    assert.equal(files.length, 3);
    const stats = out.stats();
    assert.equal(stats.filesDeleted, stats.filesOpened - 3);
    assert.deepEqual([stats.droppedEncode, stats.droppedClosed, stats.droppedRecords], [1, 2, 3]);
    const lines = readLines(dir, files);
    assert.deepEqual(lines.at(-1), { type: "raw", timestamp_ms: 5, key_base64: "AQ==", value_base64: "aGk=" });
    assert.equal((lines.at(-2)!.value as { seq: number }).seq, 60);
  }));
