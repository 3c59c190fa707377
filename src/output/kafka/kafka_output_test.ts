/**
 * State-machine tests of KafkaOutput with an in-memory client that can be "down" or slow: ordering through the
 * spool, overflow, close and reopen, drops without a spool. tests/kafka_output_test.ts runs a real broker.
 */
import type { MessageBatch } from "./message_batch.ts";
import assert from "node:assert/strict";
import type { OutputRecord } from "../output.ts";
import type { KafkaClient } from "./client.ts";
import { KafkaOutput } from "./kafka_output.ts";
import type { KafkaOutputOptions } from "./options.ts";

const decoder = new TextDecoder();

class FakeClient implements KafkaClient {
  received: number[] = [];
  batchSizes: number[] = [];
  down = false;
  delayMs = 0;

  async send(batch: MessageBatch): Promise<void> {
    const messages = batch.messages();
    if (this.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.delayMs));
    if (this.down) throw new Error("broker down");
    this.batchSizes.push(messages.length);
    for (const message of messages) this.received.push(JSON.parse(decoder.decode(message.value)).seq);
  }

  async close(): Promise<void> {}
}

function records(from: number, count: number): OutputRecord[] {
  return Array.from({ length: count }, (_, i) => ({ type: "sip", timestampMs: Date.now(), value: { seq: from + i } }));
}

function range(from: number, count: number): number[] {
  return Array.from({ length: count }, (_, i) => from + i);
}

async function waitFor(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("Timed out waiting for a condition");
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

function output(client: KafkaClient, extra: Partial<KafkaOutputOptions> = {}): KafkaOutput {
  return new KafkaOutput({
    brokers: ["unused:9092"],
    taskId: "t",
    agentId: "a",
    batchRecordsMax: 100,
    retryBackoffMinMs: 5,
    retryBackoffMaxMs: 20,
    closeTimeoutMs: 500,
    createClient: () => client,
    ...extra,
  });
}

async function withDir(body: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "kafka-output-test-" });
  try {
    await body(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("KafkaOutput sends queued records in order, in batches of at most batchRecordsMax", async () => {
  const client = new FakeClient();
  const out = output(client);
  for (let i = 0; i < 25; i++) {
    assert.deepEqual(out.write(records(i * 100, 100)), { queued: 100, spooled: 0, dropped: 0 });
  }
  await out.flush();
  await waitFor(() => client.received.length === 2500);
  assert.deepEqual(client.received, range(0, 2500));
  assert.ok(Math.max(...client.batchSizes) <= 100);
  const stats = out.stats();
  assert.deepEqual([stats.sentRecords, stats.writtenRecords, stats.droppedRecords, stats.queueRecords], [
    2500,
    2500,
    0,
    0,
  ]);
  await out.close();
  assert.deepEqual(out.write(records(0, 3)), { queued: 0, spooled: 0, dropped: 3 });
  assert.equal(out.stats().droppedClosed, 3);
});

Deno.test("KafkaOutput spools during an outage and replays everything in order once the broker is back", () =>
  withDir(async (dir) => {
    const client = new FakeClient();
    const out = output(client, { spool: { dir } });
    out.write(records(0, 50));
    await out.flush();
    client.down = true;
    for (let i = 1; i < 10; i++) {
      out.write(records(i * 50, 50));
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    await waitFor(() => out.stats().spooling === 1);
    assert.ok(out.stats().spoolPendingRecords > 0 && out.stats().failedBatches > 0);
    assert.ok(out.stats().oldestAgeMs >= 0);
    client.down = false;
    out.write(records(500, 50));
    await waitFor(() => client.received.length === 550);
    assert.deepEqual(client.received, range(0, 550));
    await waitFor(() => out.stats().spooling === 0);
    out.write(records(550, 10));
    await out.flush();
    await waitFor(() => client.received.length === 560);
    assert.deepEqual(client.received, range(0, 560));
    const stats = out.stats();
    assert.deepEqual([stats.droppedRecords, stats.spoolPendingRecords], [0, 0]);
    assert.equal(stats.sentRecords, 560);
    assert.ok(stats.replayedRecords > 0);
    await out.close();
  }));

Deno.test("KafkaOutput moves overflow to the spool when the broker is slow, keeping order", () =>
  withDir(async (dir) => {
    const client = new FakeClient();
    client.delayMs = 20;
    const out = output(client, { spool: { dir }, queueRecordsMax: 150 });
    let spooled = 0;
    for (let i = 0; i < 20; i++) spooled += out.write(records(i * 100, 100)).spooled;
    assert.ok(spooled > 0, "a 150-record queue cannot hold 2000 records");
    await waitFor(() => client.received.length === 2000, 15_000);
    assert.deepEqual(client.received, range(0, 2000));
    await out.close();
  }));

Deno.test("KafkaOutput leaves undelivered records in the spool at close and a new instance replays them", () =>
  withDir(async (dir) => {
    const first = new FakeClient();
    first.down = true;
    const out = output(first, { spool: { dir } });
    out.write(records(0, 120));
    await out.flush();
    out.write(records(120, 30));
    await out.close();
    assert.equal(out.stats().spoolPendingRecords, 150);
    assert.equal(out.stats().droppedRecords, 0);

    const second = new FakeClient();
    const reopened = output(second, { spool: { dir } });
    assert.equal(reopened.stats().spoolPendingRecords, 150);
    reopened.write(records(150, 10));
    await waitFor(() => second.received.length === 160);
    assert.deepEqual(second.received, range(0, 160));
    await reopened.close();
  }));

Deno.test("KafkaOutput without a spool drops and counts what the broker does not take", async () => {
  const client = new FakeClient();
  client.down = true;
  const out = output(client, { queueRecordsMax: 100 });
  let dropped = 0;
  for (let i = 0; i < 5; i++) dropped += out.write(records(i * 100, 100)).dropped;
  await out.close();
  const stats = out.stats();
  assert.ok(dropped > 0 && stats.droppedQueueFull === dropped);
  assert.equal(stats.droppedQueueFull + stats.droppedSendFailed + stats.droppedClosed, 500);
  assert.equal(stats.droppedRecords, 500);
});

Deno.test("KafkaOutput reports records the full spool refuses (policy block) as dropped", () =>
  withDir(async (dir) => {
    const client = new FakeClient();
    client.down = true;
    const out = output(client, { spool: { dir, bytesMax: 20_000, policy: "block" } });
    let dropped = 0;
    for (let i = 0; i < 10; i++) {
      dropped += out.write(records(i * 100, 100)).dropped;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    await out.close();
    const stats = out.stats();
    assert.ok(stats.droppedSpoolFull > 0);
    assert.ok(stats.spoolPendingBytes <= 20_000);
    assert.equal(stats.spoolPendingRecords + stats.droppedSpoolFull, 1000);
    assert.ok(dropped <= stats.droppedSpoolFull);
  }));

Deno.test("KafkaOutput.stats() keeps capture-to-ack latency per record and records per batch", async () => {
  const client = new FakeClient();
  const out = output(client, { batchRecordsMax: 50 });
  const capturedMs = Date.now() - 2000;
  out.write(records(0, 120).map((record) => ({ ...record, timestampMs: capturedMs })));
  await out.flush();
  await waitFor(() => client.received.length === 120);
  const { ackLatencySeconds, batchRecords } = out.stats();
  assert.equal(ackLatencySeconds.count, 120, "one observation per record");
  const atLeast2s = ackLatencySeconds.counts.slice(ackLatencySeconds.upperBounds.indexOf(2.5)).reduce((a, b) => a + b);
  assert.equal(atLeast2s, 120, "2 s old records land in the 2.5 s bucket or above");
  assert.ok(ackLatencySeconds.sum >= 120 * 2);
  assert.equal(batchRecords.count, client.batchSizes.length);
  assert.equal(batchRecords.sum, 120);
  await out.close();
});

/** A client whose sends stay pending until the test settles them (or, with `auto`, succeed at once). */
class HandClient implements KafkaClient {
  pending: { seqs: number[]; settle: (ok: boolean) => void }[] = [];
  /** Seqs of acknowledged sends, in acknowledgement order. */
  received: number[] = [];
  inFlight = 0;
  inFlightMax = 0;
  auto = false;

  send(batch: MessageBatch): Promise<void> {
    const messages = batch.messages();
    const seqs = messages.map((message) => JSON.parse(decoder.decode(message.value)).seq as number);
    this.inFlight++;
    this.inFlightMax = Math.max(this.inFlightMax, this.inFlight);
    return new Promise<void>((resolve, reject) => {
      const settle = (ok: boolean) => {
        this.inFlight--;
        if (!ok) return reject(new Error("broker down"));
        this.received.push(...seqs);
        resolve();
      };
      if (this.auto) setTimeout(() => settle(true), 2);
      else this.pending.push({ seqs, settle });
    });
  }

  async close(): Promise<void> {}
}

for (const idempotent of [true, false]) {
  Deno.test(`KafkaOutput keeps ${idempotent ? "maxInFlight batches" : "one batch"} in flight (idempotent: ${idempotent})`, async () => {
    const client = new HandClient();
    const out = output(client, { idempotent, maxInFlight: 3 });
    out.write(records(0, 1000));
    await waitFor(() => client.pending.length === (idempotent ? 3 : 1));
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert.equal(client.pending.length, idempotent ? 3 : 1, "no more than the window");
    client.auto = true;
    for (const { settle } of client.pending.splice(0)) settle(true);
    await out.flush();
    await waitFor(() => client.received.length === 1000);
    assert.deepEqual(client.received, range(0, 1000));
    assert.equal(client.inFlightMax, idempotent ? 3 : 1);
    await out.close();
  });
}

Deno.test("KafkaOutput: when the first of several batches in flight fails, it and later failures are replayed in order", () =>
  withDir(async (dir) => {
    const client = new HandClient();
    const out = output(client, { idempotent: true, maxInFlight: 3, spool: { dir } });
    out.write(records(0, 300));
    await waitFor(() => client.pending.length === 3);
    const [first, second, third] = client.pending.splice(0);
    assert.deepEqual([first.seqs[0], second.seqs[0], third.seqs[0]], [0, 100, 200]);
    second.settle(true); // Acknowledged before the first fails: not replayed.
    first.settle(false);
    await new Promise((resolve) => setTimeout(resolve, 10));
    out.write(records(300, 50)); // Queued while the output waits for the third batch: it goes behind.
    client.auto = true;
    third.settle(false);
    await waitFor(() => client.received.length === 350);
    assert.deepEqual(client.received, [...range(100, 100), ...range(0, 100), ...range(200, 150)]);
    const stats = out.stats();
    assert.deepEqual([stats.failedBatches, stats.failedRecords, stats.droppedRecords], [2, 200, 0]);
    await waitFor(() => out.stats().spooling === 0);
    await out.close();
  }));
