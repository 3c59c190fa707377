import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { compressionsAlgorithms, Reader, readRecordsBatch } from "@platformatic/kafka";
import { crc32c } from "../spool/crc32c.ts";
import type { KafkaMessage } from "./client.ts";
import { headerList, RECORD_OVERHEAD_BYTES } from "./header_lists.ts";
import { MessageBatch } from "./message_batch.ts";
import {
  batchRecords,
  encodeRecordBatch,
  type RecordBatchHeader,
  sealRecordBatch,
  withCompressedRecords,
} from "./record_batch.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const noProducer = { producerId: -1n, producerEpoch: -1, baseSequence: -1 };

function message(index: number, timestampMs: number, valueBytes = 20): KafkaMessage {
  return {
    topic: "t",
    key: index % 3 === 0 ? null : encoder.encode(`key-${index}`),
    value: encoder.encode(`v${index}-`.padEnd(valueBytes, "x")),
    headers: [["task", encoder.encode("task-1")], ["type", encoder.encode(index % 2 ? "sip" : "call")]],
    timestampMs,
  };
}

/** `encodeRecordBatch()` of every message of a batch made of `messages`. */
function encodeMessages(messages: readonly KafkaMessage[], header: RecordBatchHeader): Uint8Array {
  return encodeRecordBatch(MessageBatch.fromMessages(messages), messages.map((_, i) => i), header);
}

/** Decodes with @platformatic/kafka's own reader: an independent check of the layout. */
function decode(batch: Uint8Array) {
  return readRecordsBatch(Reader.from(Buffer.from(batch)));
}

function assertRecords(batch: Uint8Array, messages: KafkaMessage[]): void {
  const decoded = decode(batch);
  assert.equal(decoded.records.length, messages.length);
  assert.equal(decoded.lastOffsetDelta, messages.length - 1);
  messages.forEach((expected, i) => {
    const record = decoded.records[i];
    assert.equal(record.offsetDelta, i);
    assert.equal(Number(decoded.firstTimestamp + BigInt(record.timestampDelta)), Math.trunc(expected.timestampMs));
    assert.deepEqual(record.key === null ? null : new Uint8Array(record.key), expected.key);
    assert.equal(decoder.decode(record.value!), decoder.decode(expected.value));
    const headers = record.headers.map(([name, value]) => [decoder.decode(name!), decoder.decode(value!)]);
    assert.deepEqual(headers, expected.headers.map(([name, value]) => [name, decoder.decode(value)]));
  });
}

Deno.test("encodeRecordBatch() writes a batch the library decodes, with its CRC, timestamps and producer fields", () => {
  const messages = [message(0, 1_700_000_000_500.7), message(1, 1_700_000_000_100), message(2, 1_700_000_009_999)];
  const batch = sealRecordBatch(
    encodeMessages(messages, { producerId: 42n, producerEpoch: 3, baseSequence: 7 }),
    crc32c,
  );
  const decoded = decode(batch);
  assert.equal(decoded.magic, 2);
  assert.equal(decoded.length, batch.length - 12);
  assert.equal(decoded.crc, crc32c(batch.subarray(21)));
  assert.equal(decoded.attributes, 0);
  assert.equal(decoded.firstTimestamp, 1_700_000_000_500n); // The first record's, truncated; deltas may be negative.
  assert.equal(decoded.maxTimestamp, 1_700_000_009_999n);
  assert.equal(decoded.producerId, 42n);
  assert.equal(decoded.producerEpoch, 3);
  assert.equal(decoded.firstSequence, 7);
  assertRecords(batch, messages);
});

Deno.test("encodeRecordBatch() sizes multi-byte varints exactly: large values, many records, far timestamps", () => {
  const base = 1_700_000_000_000;
  // 20,000 records: offset deltas past 2^14; values of 20 KB: lengths past 2^14; a delta of 40 days: past 2^31.
  const messages = Array.from({ length: 20_000 }, (_, i) => message(i, base + i * 7, i % 1000 === 0 ? 20_000 : 30));
  messages.push({ ...message(20_000, base + 40 * 86_400_000), headers: [] });
  messages.push({ ...message(20_001, base - 40 * 86_400_000), key: new Uint8Array(0) });
  const batch = sealRecordBatch(encodeMessages(messages, noProducer), crc32c);
  assertRecords(batch, messages);
  assert.equal(decode(batch).producerId, -1n);
});

Deno.test("withCompressedRecords() sets the codec bits and length; the library decompresses every codec", () => {
  const messages = Array.from({ length: 50 }, (_, i) => message(i, 1_700_000_000_000 + i, 300));
  const plain = encodeMessages(messages, noProducer);
  for (const name of ["gzip", "snappy", "lz4", "zstd"] as const) {
    const codec = compressionsAlgorithms[name];
    const compressed = codec.compressSync(Buffer.from(batchRecords(plain)));
    const batch = sealRecordBatch(withCompressedRecords(plain, codec.bitmask, compressed), crc32c);
    assert.ok(batch.length < plain.length, name);
    assert.equal(decode(batch).attributes & 0b111, codec.bitmask, name);
    assertRecords(batch, messages);
  }
});

Deno.test("encodeRecordBatch() refuses an empty batch", () => {
  assert.throws(() => encodeRecordBatch(MessageBatch.fromMessages([]), [], noProducer), RangeError);
});

Deno.test("encodeRecordBatch(): messages sharing a frozen header list encode as with their own lists", () => {
  const headers: Array<[string, Uint8Array]> = [
    ["task", encoder.encode("task-1")],
    ["agent", encoder.encode("agent-€")],
    ["key", encoder.encode("k".repeat(200))], // A value length past one varint byte.
  ];
  const shared = headerList(headers[2][1], headers);
  assert.ok(Object.isFrozen(shared.headers) && shared.headers.every((header) => Object.isFrozen(header)));
  assert.throws(() => shared.headers.push(["x", new Uint8Array(0)]), TypeError);
  const batch = new MessageBatch(300);
  const messages = Array.from({ length: 300 }, (_, i) => ({ ...message(i, 1_700_000_000_000 + i), key: shared.key }));
  for (const m of messages) {
    const length = batch.writeBytes(m.value);
    batch.push(m.topic, shared, m.timestampMs, length, RECORD_OVERHEAD_BYTES + length);
  }
  const copies = messages.map((m) => ({
    ...m,
    headers: headers.map(([name, value]): [string, Uint8Array] => [name, value.slice()]),
  }));
  const header = { producerId: 5n, producerEpoch: 0, baseSequence: 0 };
  const all = messages.map((_, i) => i);
  assert.deepEqual(encodeRecordBatch(batch, all, header), encodeMessages(copies, header));
  assertRecords(sealRecordBatch(encodeRecordBatch(batch, all, header), crc32c), copies);
});

Deno.test("encodeRecordBatch() of some of a batch's messages: one partition's share, in order", () => {
  const messages = Array.from({ length: 10 }, (_, i) => message(i, 1_700_000_000_000 + 1000 * i, 30 + 20 * i));
  const batch = MessageBatch.fromMessages(messages);
  const share = [1, 4, 5, 9];
  const encoded = sealRecordBatch(encodeRecordBatch(batch, share, noProducer), crc32c);
  assertRecords(encoded, share.map((i) => messages[i]));
});

Deno.test("encodeRecordBatch() writes every byte of what its allocator gives: a garbage-filled buffer encodes the same", () => {
  const base = 1_700_000_000_000;
  const messages = Array.from({ length: 300 }, (_, i) => message(i, base + i * 13, 10 + (i * 37) % 400));
  const batch = MessageBatch.fromMessages(messages);
  const indices = messages.map((_, i) => i);
  const header = { producerId: 77n, producerEpoch: 3, baseSequence: 900 };
  const fresh = encodeRecordBatch(batch, indices, header);
  let given: Uint8Array | undefined;
  const dirty = encodeRecordBatch(batch, indices, header, (bytes) => {
    given = new Uint8Array(bytes + 100).fill(0xa5).subarray(0, bytes);
    return given;
  });
  assert.equal(dirty, given, "the allocator's view itself is the batch");
  assert.deepEqual(dirty, fresh);
  assert.throws(() => encodeRecordBatch(batch, indices, header, (bytes) => new Uint8Array(bytes + 1)), RangeError);
});
