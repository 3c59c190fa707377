import assert from "node:assert/strict";
import { kafkaDefaults } from "../defaults.ts";
import { clientOptions, messageOptions, resolveKafkaOptions } from "./options.ts";

const base = { brokers: ["127.0.0.1:9092"], taskId: "t", agentId: "a" };

Deno.test("resolveKafkaOptions() fills defaults and keeps explicit values", () => {
  const resolved = resolveKafkaOptions({ ...base, lingerMs: 20, compression: "zstd", topic: undefined });
  assert.equal(resolved.lingerMs, 20);
  assert.equal(resolved.batchRecordsMax, kafkaDefaults.batchRecordsMax);
  assert.deepEqual([resolved.acks, resolved.compression, resolved.topicPrefix, resolved.keyStrategy], [
    1,
    "zstd",
    "capture",
    "record",
  ]);
  assert.equal(messageOptions(resolved).topic, undefined);
  assert.equal(clientOptions(resolved).clientId, "capture-agent-a");
});

Deno.test("resolveKafkaOptions() forces acks all for the idempotent producer and refuses impossible limits", () => {
  assert.equal(resolveKafkaOptions({ ...base, idempotent: true, acks: 0 }).acks, "all");
  assert.throws(() => resolveKafkaOptions({ ...base, brokers: [] }), RangeError);
  assert.throws(() => resolveKafkaOptions({ ...base, messageBytesMax: 2000, batchBytesMax: 1000 }), /messageBytesMax/);
});
