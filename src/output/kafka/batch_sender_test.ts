/**
 * BatchSender without a broker (the broker cases are in tests/kafka_batch_sender_test.ts): an empty send needs no
 * connection, and an unreachable broker makes `send()` reject after the configured retries instead of hanging, with
 * and without idempotence (the library's producer would retry forever with `retries <= 1` and idempotence).
 */
import assert from "node:assert/strict";
import { Producer } from "@platformatic/kafka";
import { BatchSender, type BatchSenderOptions } from "./batch_sender.ts";
import type { KafkaMessage } from "./client.ts";
import { MessageBatch } from "./message_batch.ts";

const message: KafkaMessage = {
  topic: "t",
  key: null,
  value: new TextEncoder().encode("{}"),
  headers: [],
  timestampMs: 1_700_000_000_000,
};

function unreachable(idempotent: boolean): { producer: Producer; sender: BatchSender } {
  const producer = new Producer({
    clientId: "batch-sender-unit",
    bootstrapBrokers: ["127.0.0.1:1"], // Nothing listens on port 1.
    idempotent,
    retries: 2,
    retryDelay: 10,
    connectTimeout: 200,
  });
  const options: BatchSenderOptions = { acks: 1, idempotent, compression: "none", requestTimeoutMs: 500, retries: 1 };
  return { producer, sender: new BatchSender(producer, options) };
}

Deno.test("BatchSender.send([]) resolves without a connection", async () => {
  const { producer, sender } = unreachable(false);
  await sender.send(MessageBatch.fromMessages([]));
  assert.equal(producer.isConnected(), false);
  await producer.close(true);
});

for (const idempotent of [false, true]) {
  Deno.test(`BatchSender.send() rejects when no broker answers (idempotent: ${idempotent})`, async () => {
    const { producer, sender } = unreachable(idempotent);
    await assert.rejects(sender.send(MessageBatch.fromMessages([message]))); // A sender that retried forever would never settle.
    await producer.close(true);
  });
}
