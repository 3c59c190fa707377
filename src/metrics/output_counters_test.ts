import assert from "node:assert/strict";
import { statsOutput } from "./_test_source.ts";
import { dropReason, outputCounters } from "./output_counters.ts";

Deno.test("dropReason() turns a dropped* field into a snake_case reason", () => {
  assert.equal(dropReason("droppedQueueFull"), "queue_full");
  assert.equal(dropReason("droppedClosed"), "closed");
});

Deno.test("outputCounters() reads a Kafka output's spool and drop counters, and zero for what others lack", () => {
  const output = statsOutput("k", {
    writtenRecords: 10,
    sentRecords: 6,
    sentBytes: 600,
    droppedRecords: 1,
    droppedSpoolFull: 1,
    spooledRecords: 4,
    replayedRecords: 2,
    spoolPendingBytes: 321,
    spoolPendingRecords: 2,
    oldestAgeMs: 1500,
    failedRecords: 3,
  });
  const counters = outputCounters({ url: "kafka://b:1/t", output, spooled: 1, dropped: 0 });
  assert.equal(counters.spooled, 4, "the output's own count, not only what write() reported");
  assert.deepEqual(counters.droppedByReason, { spool_full: 1 });
  assert.equal(counters.queueDepth, 3);
  assert.equal(counters.spoolBytes, 321);
  assert.equal(counters.oldestAgeMs, 1500);
  assert.equal(counters.sendFailed, 3);
  assert.equal(counters.replayed, 2);
  const plain = outputCounters({
    url: "jsonl:x",
    output: statsOutput("j", { writtenRecords: 2, sentRecords: 2, sentBytes: 9, droppedRecords: 0 }),
    spooled: 0,
    dropped: 0,
  });
  assert.equal(plain.spoolBytes, 0);
  assert.equal(plain.batches, 0);
});
