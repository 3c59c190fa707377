/**
 * The Produce request body byte by byte at a classic (v3) and a flexible (v9) version, the version table's bounds,
 * and the CRC-32C the record batches are sealed with. tests/kafka_batch_sender_test.ts sends them to a real broker.
 */
import assert from "node:assert/strict";
import { NetworkError, ResponseError } from "@platformatic/kafka";
import { checksum, dropAppended, type PartitionBatch, produceApi, produceRequest } from "./produce_request.ts";

function batchOf(topic: string, partition: number, bytes: number[]): PartitionBatch {
  return { topic, partition, batch: new Uint8Array(bytes) };
}

function bytesOf(version: number, acks: number, timeoutMs: number, batches: PartitionBatch[]): number[] {
  return [...produceRequest(version, acks, timeoutMs, batches).buffer];
}

const int16 = (value: number) => [(value >> 8) & 0xff, value & 0xff];
const int32 = (value: number) => [(value >>> 24) & 0xff, (value >>> 16) & 0xff, (value >>> 8) & 0xff, value & 0xff];
const t = 0x74; // "t"

Deno.test("produceRequest() v3: int16 null transactional id, acks, timeout, int32 counts and batch length", () => {
  assert.deepEqual(bytesOf(3, -1, 1500, [batchOf("t", 2, [1, 2, 3, 4, 5])]), [
    ...int16(-1), // transactional_id: null
    ...int16(-1), // acks
    ...int32(1500), // timeout_ms
    ...int32(1), // one topic
    ...int16(1), // topic name length
    t,
    ...int32(1), // one partition
    ...int32(2), // partition index
    ...int32(5), // records length
    1,
    2,
    3,
    4,
    5,
  ]);
});

Deno.test("produceRequest() v9: compact encoding, batch length as unsigned varint + 1, tagged fields", () => {
  const batch = Array.from({ length: 200 }, (_, i) => i);
  assert.deepEqual(bytesOf(9, 1, 30_000, [batchOf("t", 0, batch)]), [
    0, // transactional_id: compact null
    ...int16(1), // acks
    ...int32(30_000), // timeout_ms
    2, // one topic (count + 1)
    2, // topic name length + 1
    t,
    2, // one partition
    ...int32(0), // partition index
    0xc9, // records length 201 (200 + 1) as an unsigned varint: 0xc9 0x01
    0x01,
    ...batch,
    0, // partition's tagged fields
    0, // topic's tagged fields
    0, // request's tagged fields
  ]);
});

Deno.test("produceRequest() groups partitions by topic in first-seen order", () => {
  const body = bytesOf(3, 1, 100, [batchOf("t", 0, [10]), batchOf("u", 1, [11]), batchOf("t", 1, [12])]);
  const topic = (name: string, partitions: number[][]) => [
    ...int16(1),
    name.charCodeAt(0),
    ...int32(partitions.length),
    ...partitions.flatMap(([partition, byte]) => [...int32(partition), ...int32(1), byte]),
  ];
  assert.deepEqual(body, [
    ...int16(-1),
    ...int16(1),
    ...int32(100),
    ...int32(2),
    ...topic("t", [[0, 10], [1, 12]]),
    ...topic("u", [[1, 11]]),
  ]);
});

Deno.test("produceRequest() with acks 0 expects no response; with acks 1 it does", () => {
  assert.equal(produceRequest(3, 0, 100, [batchOf("t", 0, [1])]).context.noResponse, true);
  assert.equal(produceRequest(3, 1, 100, [batchOf("t", 0, [1])]).context.noResponse, undefined);
});

Deno.test("produceApi() serves v3 to v11, one API per version, and throws for others", () => {
  for (let version = 3; version <= 11; version++) {
    const api = produceApi(version) as unknown as { key: number; version: number };
    assert.equal(api.key, 0); // Produce
    assert.equal(api.version, version);
    assert.equal(produceApi(version), api);
  }
  assert.throws(() => produceApi(2), /Unsupported Produce version 2/);
  assert.throws(() => produceApi(12), /Unsupported Produce version 12/);
});

Deno.test("checksum() is CRC-32C, also of a view into a larger buffer", () => {
  const digits = new TextEncoder().encode("x123456789x");
  assert.equal(checksum(digits.subarray(1, 10)), 0xe3069283); // The CRC-32C check value of "123456789".
  assert.equal(checksum(new Uint8Array(0)), 0);
});

Deno.test("dropAppended() keeps for the retry only the partitions a failed response did not append", () => {
  const batch = new Uint8Array(1);
  const sent = (): PartitionBatch[] => [
    { topic: "a", partition: 0, batch },
    { topic: "a", partition: 1, batch },
    { topic: "b", partition: 0, batch },
  ];
  const response = {
    responses: [
      { name: "a", partitionResponses: [{ index: 0, errorCode: 0 }, { index: 1, errorCode: 6 }] },
      { name: "b", partitionResponses: [{ index: 0, errorCode: 0 }] },
    ],
    throttleTimeMs: 0,
  };
  // The library's own error, as its Produce parser throws it (and as its retry wraps it).
  const failed = new ResponseError(0, 9, { "/responses/0/partition_responses/1": [6, null] }, response);
  const batches = sent();
  assert.equal(dropAppended(batches, failed), 2);
  assert.deepEqual(batches.map((b) => `${b.topic}:${b.partition}`), ["a:1"]);
  assert.equal(dropAppended(batches, failed), 0, "already only the failed one");

  const network = sent();
  assert.equal(dropAppended(network, new NetworkError("Connection closed")), 0);
  assert.equal(network.length, 3);
  const allAppended = { responses: [{ name: "a", partitionResponses: [{ index: 0, errorCode: 0 }] }] };
  const none = [{ topic: "a", partition: 0, batch }];
  assert.equal(dropAppended(none, new ResponseError(0, 9, {}, allAppended)), 0, "never an empty retry");
  assert.equal(none.length, 1);
  assert.equal(dropAppended(sent(), new Error("plain")), 0);
});
