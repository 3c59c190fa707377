import assert from "node:assert/strict";
import { RecordQueue } from "./record_queue.ts";
import type { PipelineRecord } from "./records.ts";

function record(n: number): PipelineRecord {
  return { type: "dns", v: 1, timestamp_ms: n, timestamp_ns: String(n * 1e6), dns: {} };
}

Deno.test("RecordQueue drops and counts records past its bound", () => {
  const queue = new RecordQueue(2);
  assert.equal(queue.push(record(1)), true);
  assert.equal(queue.push(record(2)), true);
  assert.equal(queue.push(record(3)), false);
  assert.equal(queue.drops, 1);
  assert.equal(queue.depth, 2);
});

Deno.test("RecordQueue.drain() hands records out oldest first and empties the queue", () => {
  const queue = new RecordQueue(4);
  queue.push(record(1));
  queue.push(record(2));
  assert.deepEqual(queue.drain().map((r) => r.timestamp_ms), [1, 2]);
  assert.equal(queue.depth, 0);
  assert.equal(queue.push(record(3)), true);
});

Deno.test("RecordQueue refuses a bound below one record", () => {
  assert.throws(() => new RecordQueue(0), RangeError);
});
