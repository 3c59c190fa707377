/**
 * Backlog with a real on-disk spool: the memory queue's bounds and batch cuts, the switch to spooling (queue moved to
 * disk, failed batches in front), replay order and the return to the queue, and what is counted when there is no
 * spool. kafka_output_test.ts drives the same paths through KafkaOutput.
 */
import assert from "node:assert/strict";
import { Spool } from "../spool/spool.ts";
import { Backlog, type BacklogLimits } from "./backlog.ts";
import type { KafkaMessage } from "./client.ts";
import { zeroStats } from "./stats.ts";

const limits: BacklogLimits = { queueRecordsMax: 3, queueBytesMax: 100 };

function message(seq: number, timestampMs = 1_700_000_000_000 + seq): KafkaMessage {
  return { topic: "t", key: null, value: new Uint8Array([seq]), headers: [], timestampMs };
}

function seqs(messages: readonly KafkaMessage[]): number[] {
  return messages.map((m) => m.value[0]);
}

/** Replays everything (committing each batch) and returns the sequence numbers in replay order. */
function replayAll(backlog: Backlog): number[] {
  const replayed: number[] = [];
  for (let replay = backlog.readReplay(2, 1 << 20); replay !== null; replay = backlog.readReplay(2, 1 << 20)) {
    replayed.push(...seqs(replay.messages));
    backlog.commitReplay(replay);
  }
  return replayed;
}

async function withSpool(body: (spool: Spool, dir: string) => void): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "kafka-backlog-test-" });
  const spool = new Spool({ dir });
  try {
    body(spool, dir);
  } finally {
    spool.close();
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("Backlog queue: refuses past queueRecordsMax or queueBytesMax, takes batches within both", () => {
  const backlog = new Backlog(limits, null, zeroStats());
  assert.equal(backlog.enqueue(message(1), 40), true);
  assert.equal(backlog.enqueue(message(2), 40), true);
  assert.equal(backlog.enqueue(message(3), 30), false); // 110 bytes > 100
  assert.equal(backlog.enqueue(message(3), 20), true);
  assert.equal(backlog.enqueue(message(4), 1), false); // 4 records > 3
  assert.deepEqual([backlog.queueRecords, backlog.queueBytes], [3, 100]);

  const first = backlog.take(10, 50); // 40 + 40 > 50: one message
  assert.deepEqual([seqs(first.messages), first.bytes], [[1], 40]);
  const rest = backlog.take(10, 1000);
  assert.deepEqual([seqs(rest.messages), rest.bytes], [[2, 3], 60]);
  assert.deepEqual([backlog.queueRecords, backlog.queueBytes], [0, 0]);

  backlog.enqueue(message(5), 90);
  const oversized = backlog.take(10, 10); // Larger than bytesMax alone: still taken, or it would never leave.
  assert.deepEqual([seqs(oversized.messages), oversized.bytes], [[5], 90]);
  backlog.enqueue(message(6), 1);
  backlog.enqueue(message(7), 1);
  assert.deepEqual(seqs(backlog.take(1, 1000).messages), [6]);
});

Deno.test("Backlog without a spool: no spooling; failed batches and what is queued at close are dropped", () => {
  const stats = zeroStats();
  const backlog = new Backlog(limits, null, stats);
  assert.equal(backlog.hasSpool, false);
  backlog.enqueue(message(1), 10);
  backlog.startSpooling();
  assert.equal(backlog.spooling, false);
  assert.equal(backlog.queueRecords, 1);
  assert.equal(backlog.toSpool([message(2)], null), 0);

  backlog.putBackFailed([[message(3), message(4)], [message(5)]]);
  assert.deepEqual([stats.failedBatches, stats.failedRecords, stats.droppedSendFailed], [2, 3, 3]);
  backlog.close();
  assert.deepEqual([stats.droppedClosed, stats.droppedRecords, backlog.queueRecords, backlog.queueBytes], [1, 4, 0, 0]);
  assert.deepEqual([backlog.stats().queueRecords, backlog.stats().queueBytes], [0, 0]);
});

Deno.test("Backlog spooling: queue to disk, failed batches in front, new records behind, then back to the queue", () =>
  withSpool((spool) => {
    const stats = zeroStats();
    const backlog = new Backlog(limits, spool, stats);
    assert.equal(backlog.spooling, false);
    backlog.enqueue(message(3), 10);
    backlog.enqueue(message(4), 10);
    backlog.putBackFailed([[message(1)], [message(2)]]); // Older than what is queued.
    assert.equal(backlog.spooling, true);
    assert.equal(backlog.queueRecords, 0);
    const result = { queued: 0, spooled: 0, dropped: 0 };
    assert.equal(backlog.toSpool([message(5), message(6)], result), 2);
    assert.deepEqual([stats.failedBatches, stats.failedRecords, stats.spooledRecords], [2, 2, 6]);
    assert.equal(backlog.stats().spoolPendingRecords, 6);

    assert.deepEqual(replayAll(backlog), [1, 2, 3, 4, 5, 6]);
    assert.equal(backlog.spooling, false); // Drained.
    assert.equal(stats.replayedRecords, 6);
    assert.equal(backlog.stats().spoolPendingRecords, 0);
    assert.equal(backlog.enqueue(message(7), 10), true);
  }));

Deno.test("Backlog starts spooling over what a previous instance left, and closes it onto disk", async () => {
  const dir = await Deno.makeTempDir({ prefix: "kafka-backlog-test-" });
  try {
    const stats = zeroStats();
    const first = new Backlog(limits, new Spool({ dir }), stats);
    first.enqueue(message(1), 10);
    first.enqueue(message(2), 10);
    first.close(); // Still queued: to the spool, not dropped.
    assert.deepEqual([stats.spooledRecords, stats.droppedClosed], [2, 0]);

    const second = new Backlog(limits, new Spool({ dir }), zeroStats());
    assert.equal(second.spooling, true);
    assert.deepEqual(replayAll(second), [1, 2]);
    second.close();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("Backlog replay leaves out and counts spool records that do not decode", () =>
  withSpool((spool) => {
    spool.append([new Uint8Array([9, 9, 9])], [1]); // Not a spooled message.
    const stats = zeroStats();
    const backlog = new Backlog(limits, spool, stats);
    backlog.toSpool([message(1)], null);
    assert.deepEqual(replayAll(backlog), [1]);
    assert.deepEqual([stats.droppedSpoolCorrupt, stats.droppedRecords], [1, 1]);
  }));

Deno.test("Backlog.stats(): depths and the age of the oldest record in queue or spool", () =>
  withSpool((spool) => {
    const backlog = new Backlog(limits, spool, zeroStats());
    assert.deepEqual(backlog.stats(), {
      spoolPendingRecords: 0,
      spoolPendingBytes: 0,
      spoolTornRecords: 0,
      droppedSpoolOldest: 0,
      queueRecords: 0,
      queueBytes: 0,
      oldestAgeMs: 0,
      spooling: 0,
    });
    const now = Date.now();
    backlog.enqueue(message(1, now - 60_000), 10);
    const queued = backlog.stats();
    assert.deepEqual([queued.queueRecords, queued.queueBytes, queued.spooling], [1, 10, 0]);
    assert.ok(queued.oldestAgeMs >= 60_000 && queued.oldestAgeMs < 70_000, `${queued.oldestAgeMs}`);
    backlog.startSpooling();
    const spooled = backlog.stats();
    assert.deepEqual([spooled.queueRecords, spooled.spoolPendingRecords, spooled.spooling], [0, 1, 1]);
    assert.ok(spooled.spoolPendingBytes > 0);
    assert.ok(spooled.oldestAgeMs >= 60_000 && spooled.oldestAgeMs < 70_000, `${spooled.oldestAgeMs}`);
  }));
