import assert from "node:assert/strict";
import { kafkaDefaults } from "../defaults.ts";
import { clientOptions, effectiveMaxInFlight, messageOptions, resolveKafkaOptions } from "./options.ts";

const base = { brokers: ["127.0.0.1:9092"], taskId: "t", agentId: "a" };

Deno.test("resolveKafkaOptions() fills defaults and keeps explicit values", () => {
  const resolved = resolveKafkaOptions({ ...base, lingerMs: 20, compression: "zstd", topic: undefined });
  assert.equal(resolved.lingerMs, 20);
  assert.equal(resolved.batchRecordsMax, kafkaDefaults.batchRecordsMax);
  assert.deepEqual([resolved.acks, resolved.compression, resolved.topicPrefix, resolved.keyStrategy], [
    "all",
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
  for (const batchRecordsMax of [0, 1.5, 100_001]) {
    assert.throws(() => resolveKafkaOptions({ ...base, batchRecordsMax }), /batchRecordsMax/);
  }
  assert.equal(resolveKafkaOptions({ ...base, batchRecordsMax: 100_000 }).batchRecordsMax, 100_000);
});

Deno.test("resolveKafkaOptions(): idempotent by default unless acks 0 or 1 is asked for; maxInFlight 1 to 5", () => {
  assert.deepEqual([resolveKafkaOptions(base).idempotent, resolveKafkaOptions(base).maxInFlight], [true, 5]);
  assert.deepEqual([
    resolveKafkaOptions({ ...base, acks: 1 }).idempotent,
    resolveKafkaOptions({ ...base, acks: 1 }).acks,
  ], [
    false,
    1,
  ]);
  assert.equal(resolveKafkaOptions({ ...base, acks: 0 }).idempotent, false);
  assert.equal(resolveKafkaOptions({ ...base, acks: "all" }).idempotent, true);
  assert.deepEqual([resolveKafkaOptions({ ...base, idempotent: false }).acks], [1]);
  assert.equal(effectiveMaxInFlight(resolveKafkaOptions({ ...base, idempotent: false, maxInFlight: 4 })), 1);
  // The client puts as many requests on the wire as the output keeps batches in flight.
  assert.equal(clientOptions(resolveKafkaOptions({ ...base, maxInFlight: 4 })).maxInFlight, 4);
  assert.equal(clientOptions(resolveKafkaOptions({ ...base, idempotent: false, maxInFlight: 4 })).maxInFlight, 1);
  assert.equal(effectiveMaxInFlight(resolveKafkaOptions({ ...base, maxInFlight: 4 })), 4);
  for (const maxInFlight of [0, 6, 2.5]) {
    assert.throws(() => resolveKafkaOptions({ ...base, maxInFlight }), /maxInFlight/);
  }
});
