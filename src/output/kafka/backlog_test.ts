/**
 * Backlog with a real on-disk spool: the memory queue's bounds and batch cuts, the switch to spooling (queue moved to
 * disk, failed batches in front), replay order and the return to the queue, and what is counted when there is no
 * spool. kafka_output_test.ts drives the same paths through KafkaOutput.
 */
import assert from "node:assert/strict";
import { Spool } from "../spool/spool.ts";
import type { OutputRecord } from "../output.ts";
import { Backlog, type BacklogLimits, type RecordAppender } from "./backlog.ts";
import type { KafkaMessage } from "./client.ts";
import { headerList } from "./header_lists.ts";
import { MessageBatch } from "./message_batch.ts";
import { zeroStats } from "./stats.ts";

const limits: BacklogLimits = { queueRecordsMax: 3, queueBytesMax: 100, batchRecordsMax: 2, batchBytesMax: 50 };

function message(seq: number, timestampMs = 1_700_000_000_000 + seq): KafkaMessage {
  return { topic: "t", key: null, value: new Uint8Array([seq]), headers: [], timestampMs };
}

function seqs(batch: MessageBatch | null): number[] {
  assert.ok(batch !== null);
  return batch.messages().map((m) => m.value[0]);
}

/** Appends records whose value is `[seq]` and whose counted size the test chooses (`bytes`). */
class SizedAppender implements RecordAppender {
  lastBytes = 0;
  bytes = 10;
  readonly #list = headerList(null, [], false);

  append(batch: MessageBatch, record: OutputRecord): boolean {
    const length = batch.writeBytes(record.value as Uint8Array);
    batch.push("t", this.#list, record.timestampMs, length, this.bytes);
    this.lastBytes = this.bytes;
    return true;
  }
}

const appender = new SizedAppender();

/** Appends message `seq` counted as `bytes`; true when queued. */
function enqueue(backlog: Backlog, seq: number, bytes: number, timestampMs = 1_700_000_000_000 + seq): boolean {
  appender.bytes = bytes;
  return backlog.append(appender, { type: "t", timestampMs, value: new Uint8Array([seq]) }) === "queued";
}

/** Replays everything (committing each batch) and returns the sequence numbers in replay order. */
function replayAll(backlog: Backlog): number[] {
  const replayed: number[] = [];
  for (let replay = backlog.readReplay(2, 1 << 20); replay !== null; replay = backlog.readReplay(2, 1 << 20)) {
    replayed.push(...seqs(replay.batch));
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

Deno.test("Backlog queue: refuses past queueRecordsMax or queueBytesMax, fills batches within both", () => {
  const backlog = new Backlog(limits, null, zeroStats());
  assert.equal(enqueue(backlog, 1, 40), true);
  assert.equal(enqueue(backlog, 2, 40), true); // 40 + 40 > 50: a batch of its own
  assert.equal(enqueue(backlog, 3, 30), false); // 110 bytes > 100
  assert.equal(enqueue(backlog, 3, 10), true);
  assert.equal(enqueue(backlog, 4, 1), false); // 4 records > 3
  assert.deepEqual([backlog.queueRecords, backlog.queueBytes], [3, 90]);

  const first = backlog.take();
  assert.deepEqual([seqs(first), first?.bytes], [[1], 40]);
  assert.deepEqual([backlog.queueRecords, backlog.queueBytes], [2, 50]);
  const rest = backlog.take();
  assert.deepEqual([seqs(rest), rest?.bytes], [[2, 3], 50]);
  assert.deepEqual([backlog.queueRecords, backlog.queueBytes, backlog.take()], [0, 0, null]);

  enqueue(backlog, 5, 90); // Larger than batchBytesMax alone: still queued, or it would never leave.
  enqueue(backlog, 6, 1);
  enqueue(backlog, 7, 1);
  assert.deepEqual(seqs(backlog.take()), [5]);
  assert.deepEqual(seqs(backlog.take()), [6, 7]); // batchRecordsMax
});

Deno.test("Backlog queue: a taken batch is reused once recycled, and an unfilled new batch is not queued", () => {
  const backlog = new Backlog(limits, null, zeroStats());
  enqueue(backlog, 1, 10);
  enqueue(backlog, 2, 10);
  const sent = backlog.take()!;
  backlog.recycle(sent);
  assert.equal(sent.count, 0);
  assert.equal(enqueue(backlog, 3, 10), true);
  assert.equal(enqueue(backlog, 4, 10), true);
  const again = backlog.take();
  assert.equal(again, sent); // The same columns, refilled.
  assert.deepEqual(seqs(again), [3, 4]);

  enqueue(backlog, 5, 10);
  enqueue(backlog, 6, 10); // The batch is full: the next record opens another.
  assert.equal(enqueue(backlog, 7, 95), false); // ...which the queue cannot hold: it is not left behind empty.
  assert.equal(enqueue(backlog, 8, 10), true);
  assert.deepEqual(seqs(backlog.take()), [5, 6]);
  assert.deepEqual(seqs(backlog.take()), [8]);
  assert.equal(backlog.take(), null);
});

Deno.test("Backlog without a spool: no spooling; failed batches and what is queued at close are dropped", () => {
  const stats = zeroStats();
  const backlog = new Backlog(limits, null, stats);
  assert.equal(backlog.hasSpool, false);
  enqueue(backlog, 1, 10);
  backlog.startSpooling();
  assert.equal(backlog.spooling, false);
  assert.equal(backlog.queueRecords, 1);
  assert.equal(backlog.toSpool([message(2)], null), 0);

  backlog.putBackFailed([MessageBatch.fromMessages([message(3), message(4)]), MessageBatch.fromMessages([message(5)])]);
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
    enqueue(backlog, 3, 10);
    enqueue(backlog, 4, 10);
    // Older than what is queued.
    backlog.putBackFailed([MessageBatch.fromMessages([message(1)]), MessageBatch.fromMessages([message(2)])]);
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
    assert.equal(enqueue(backlog, 7, 10), true);
  }));

Deno.test("Backlog starts spooling over what a previous instance left, and closes it onto disk", async () => {
  const dir = await Deno.makeTempDir({ prefix: "kafka-backlog-test-" });
  try {
    const stats = zeroStats();
    const first = new Backlog(limits, new Spool({ dir }), stats);
    enqueue(first, 1, 10);
    enqueue(first, 2, 10);
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
    enqueue(backlog, 1, 10, now - 60_000);
    const queued = backlog.stats();
    assert.deepEqual([queued.queueRecords, queued.queueBytes, queued.spooling], [1, 10, 0]);
    assert.ok(queued.oldestAgeMs >= 60_000 && queued.oldestAgeMs < 70_000, `${queued.oldestAgeMs}`);
    backlog.startSpooling();
    const spooled = backlog.stats();
    assert.deepEqual([spooled.queueRecords, spooled.spoolPendingRecords, spooled.spooling], [0, 1, 1]);
    assert.ok(spooled.spoolPendingBytes > 0);
    assert.ok(spooled.oldestAgeMs >= 60_000 && spooled.oldestAgeMs < 70_000, `${spooled.oldestAgeMs}`);
  }));
