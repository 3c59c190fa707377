/**
 * Delivery with in-memory clients: what an acknowledgement counts (per record in the latency histogram), and that a
 * rejected or never-settling send resolves false and counts nothing.
 */
import assert from "node:assert/strict";
import type { KafkaClient, KafkaMessage } from "./client.ts";
import { Delivery } from "./delivery.ts";
import { MessageBatch } from "./message_batch.ts";
import { zeroStats } from "./stats.ts";

function message(timestampMs: number): KafkaMessage {
  return { topic: "t", key: null, value: new Uint8Array([1]), headers: [], timestampMs };
}

function client(send: (batch: MessageBatch) => Promise<void>): KafkaClient {
  return { send, close: () => Promise.resolve() };
}

Deno.test("Delivery.send() counts an acknowledged batch, its bytes and each record's capture-to-ack latency", async () => {
  const stats = zeroStats();
  const delivery = new Delivery(client(() => Promise.resolve()), 1000, stats);
  const now = Date.now();
  const batch = MessageBatch.fromMessages([message(now - 2_000), message(now - 20_000), message(now - 20_000)]);
  assert.equal(await delivery.send(batch), true);
  assert.deepEqual([stats.sentBatches, stats.sentRecords, stats.sentBytes], [1, 3, batch.bytes]);
  assert.equal(batch.bytes, 3 * (32 + 1)); // Per message: the record overhead and the 1-byte value.
  assert.ok(stats.lastAckLatencyMs >= 2_000 && stats.lastAckLatencyMs < 10_000, `${stats.lastAckLatencyMs}`);

  const latency = delivery.ackLatencySeconds();
  assert.equal(latency.count, 3); // Per record, not per batch.
  const bucketOf = (seconds: number) => latency.upperBounds.findIndex((bound) => seconds <= bound);
  assert.equal(latency.counts[bucketOf(2.5)], 1); // 2 s
  assert.equal(latency.counts[bucketOf(30)], 2); // 20 s
  const batches = delivery.batchRecords();
  assert.deepEqual([batches.count, batches.sum], [1, 3]);
});

Deno.test("Delivery.send() resolves false and counts nothing when the client rejects", async () => {
  const stats = zeroStats();
  const delivery = new Delivery(client(() => Promise.reject(new Error("broker down"))), 1000, stats);
  assert.equal(await delivery.send(MessageBatch.fromMessages([message(Date.now())])), false);
  assert.deepEqual([stats.sentBatches, stats.sentRecords, stats.sentBytes], [0, 0, 0]);
  assert.equal(delivery.ackLatencySeconds().count, 0);
  assert.equal(delivery.batchRecords().count, 0);
});

Deno.test("Delivery.send() gives up on a client that never settles after sendTimeoutMs", async () => {
  const stats = zeroStats();
  const delivery = new Delivery(client(() => new Promise<void>(() => {})), 50, stats);
  assert.equal(await delivery.send(MessageBatch.fromMessages([message(Date.now())])), false);
  assert.equal(stats.sentBatches, 0);
});
