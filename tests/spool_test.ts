/**
 * Unit tests of the on-disk spool (src/output/spool/): order, restart, torn and corrupt records, both full
 * policies, prepend, stale commits. Each test uses its own temporary directory.
 */
import assert from "node:assert/strict";
import { Spool, type SpoolOptions } from "../src/output/spool/spool.ts";
import { frameHeaderBytes } from "../src/output/spool/frame.ts";
import { segmentPath } from "../src/output/spool/segment_files.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

function records(from: number, count: number, padBytes = 0): { payloads: Uint8Array[]; timestampsMs: number[] } {
  const payloads = Array.from({ length: count }, (_, i) => encoder.encode(`r${from + i}:${"p".repeat(padBytes)}`));
  return { payloads, timestampsMs: payloads.map((_, i) => 1_700_000_000_000 + from + i) };
}

function append(spool: Spool, from: number, count: number, padBytes = 0): number {
  const batch = records(from, count, padBytes);
  return spool.append(batch.payloads, batch.timestampsMs);
}

/** Reads and commits everything; returns the record numbers in replay order. */
function drain(spool: Spool, recordsMax = 7): number[] {
  const seen: number[] = [];
  for (let batch = spool.read(recordsMax); batch !== null; batch = spool.read(recordsMax)) {
    for (const payload of batch.payloads) seen.push(Number(decoder.decode(payload).split(":")[0].slice(1)));
    assert.ok(spool.commit(batch));
  }
  return seen;
}

function range(from: number, count: number): number[] {
  return Array.from({ length: count }, (_, i) => from + i);
}

async function withDir(body: (dir: string) => void | Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "spool-test-" });
  try {
    await body(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

function open(dir: string, options: Partial<SpoolOptions> = {}): Spool {
  return new Spool({ dir, segmentBytes: 1024, bytesMax: 64 * 1024, ...options });
}

Deno.test("Spool replays records in order across segments and deletes replayed segments", () =>
  withDir((dir) => {
    const spool = open(dir);
    assert.equal(append(spool, 0, 100, 20), 100);
    assert.ok(spool.stats().segments > 3, "1 KiB segments must roll");
    assert.equal(spool.stats().oldestTimestampMs, 1_700_000_000_000);
    assert.equal(spool.stats().pendingRecords, 100);
    assert.deepEqual(drain(spool), range(0, 100));
    assert.deepEqual([spool.stats().pendingRecords, spool.stats().pendingBytes, spool.stats().segments], [0, 0, 0]);
    assert.equal(spool.stats().oldestTimestampMs, null);
    assert.deepEqual([...Deno.readDirSync(dir)].filter((e) => e.name.endsWith(".seg")), []);
    assert.equal(append(spool, 100, 5), 5);
    assert.deepEqual(drain(spool), range(100, 5));
    spool.close();
  }));

Deno.test("Spool survives a restart: the cursor resumes replay where the last commit left it", () =>
  withDir((dir) => {
    const first = open(dir);
    append(first, 0, 60, 20);
    const batch = first.read(25)!;
    assert.ok(first.commit(batch));
    const uncommitted = first.read(10)!; // Read but never committed: must come back after the restart.
    assert.equal(uncommitted.payloads.length, 10);
    first.close();

    const second = open(dir);
    assert.equal(second.stats().pendingRecords, 35);
    assert.equal(second.stats().oldestTimestampMs, 1_700_000_000_025);
    append(second, 60, 5);
    assert.deepEqual(drain(second), range(25, 40));
    second.close();
  }));

Deno.test("Spool truncates a torn last record at open and counts it", () =>
  withDir((dir) => {
    const first = open(dir, { segmentBytes: 1 << 20 });
    append(first, 0, 10);
    first.close();
    const path = segmentPath(dir, 1_000_000_000_000);
    const size = Deno.statSync(path).size;
    Deno.truncateSync(path, size - 3); // A crash in the middle of the last write.

    const second = open(dir, { segmentBytes: 1 << 20 });
    const stats = second.stats();
    assert.deepEqual([stats.tornRecords, stats.pendingRecords], [1, 9]);
    assert.equal(stats.tornBytes, frameHeaderBytes + "r9:".length - 3);
    append(second, 10, 2);
    assert.deepEqual(drain(second), [...range(0, 9), 10, 11]);
    second.close();
  }));

Deno.test("Spool detects a flipped bit by checksum and keeps only the records before it", () =>
  withDir((dir) => {
    const first = open(dir, { segmentBytes: 1 << 20 });
    append(first, 0, 10);
    first.close();
    const path = segmentPath(dir, 1_000_000_000_000);
    const bytes = Deno.readFileSync(path);
    const fourthPayload = 3 * (frameHeaderBytes + 3) + frameHeaderBytes; // "r0:" .. "r2:" are 3 bytes each.
    bytes[fourthPayload + 1] ^= 0x01;
    Deno.writeFileSync(path, bytes);

    const second = open(dir, { segmentBytes: 1 << 20 });
    assert.deepEqual([second.stats().tornRecords, second.stats().pendingRecords], [1, 3]);
    assert.deepEqual(drain(second), range(0, 3));
    second.close();
  }));

Deno.test("Spool with policy block refuses records beyond bytesMax, counts them and keeps the oldest", () =>
  withDir((dir) => {
    const frameBytes = frameHeaderBytes + "r00:".length + 60;
    const spool = open(dir, { bytesMax: frameBytes * 20, segmentBytes: frameBytes * 5, policy: "block" });
    assert.equal(append(spool, 10, 15, 60), 15);
    assert.equal(append(spool, 25, 15, 60), 5);
    assert.equal(spool.stats().droppedFullRecords, 10);
    assert.equal(spool.stats().pendingBytes, frameBytes * 20);
    const batch = spool.read(5)!;
    spool.commit(batch); // Replay frees room: appends succeed again.
    assert.equal(append(spool, 40, 5, 60), 5);
    assert.deepEqual(drain(spool), [...range(15, 15), ...range(40, 5)]);
    spool.close();
  }));

Deno.test("Spool with policy drop_oldest deletes whole oldest segments, counts them and keeps the newest", () =>
  withDir((dir) => {
    const frameBytes = frameHeaderBytes + "r00:".length + 60;
    const spool = open(dir, { bytesMax: frameBytes * 20, segmentBytes: frameBytes * 5, policy: "drop_oldest" });
    assert.equal(append(spool, 10, 20, 60), 20);
    const stale = spool.read(3)!;
    assert.equal(append(spool, 30, 7, 60), 7); // Needs two segments (10 records) deleted.
    const stats = spool.stats();
    assert.deepEqual([stats.droppedOldestRecords, stats.droppedFullRecords, stats.pendingRecords], [10, 0, 17]);
    assert.ok(stats.pendingBytes <= frameBytes * 20);
    assert.equal(stats.oldestTimestampMs, 1_700_000_000_020);
    assert.equal(spool.commit(stale), false, "a batch of deleted records must not move the cursor");
    assert.deepEqual(drain(spool), range(20, 17));
    spool.close();
  }));

Deno.test("Spool.prepend() puts a failed batch before newer records, also across a restart", () =>
  withDir((dir) => {
    const first = open(dir);
    append(first, 10, 5);
    const failed = records(0, 10);
    assert.ok(first.prepend(failed.payloads, failed.timestampsMs));
    assert.equal(first.stats().oldestTimestampMs, 1_700_000_000_000);
    const batch = first.read(4)!;
    assert.ok(first.commit(batch));
    first.close();
    const second = open(dir);
    assert.deepEqual(drain(second), range(4, 11));
    second.close();
  }));

Deno.test("Spool refuses a record larger than bytesMax under either policy", () =>
  withDir((dir) => {
    for (const policy of ["block", "drop_oldest"] as const) {
      const spool = open(`${dir}/${policy}`, { bytesMax: 200, policy });
      assert.equal(append(spool, 0, 1), 1);
      assert.equal(append(spool, 1, 1, 500), 0);
      assert.deepEqual([spool.stats().droppedFullRecords, spool.stats().droppedOldestRecords], [1, 0]);
      assert.deepEqual(drain(spool), [0]);
      spool.close();
    }
  }));
