import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { compressionsAlgorithms, Reader, readRecordsBatch } from "@platformatic/kafka";
import { crc32c } from "../spool/crc32c.ts";
import type { KafkaMessage } from "./client.ts";
import {
  batchRecords,
  encodeRecordBatch,
  sealRecordBatch,
  shareHeaders,
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
    encodeRecordBatch(messages, { producerId: 42n, producerEpoch: 3, baseSequence: 7 }),
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
  const batch = sealRecordBatch(encodeRecordBatch(messages, noProducer), crc32c);
  assertRecords(batch, messages);
  assert.equal(decode(batch).producerId, -1n);
});

Deno.test("withCompressedRecords() sets the codec bits and length; the library decompresses every codec", () => {
  const messages = Array.from({ length: 50 }, (_, i) => message(i, 1_700_000_000_000 + i, 300));
  const plain = encodeRecordBatch(messages, noProducer);
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
  assert.throws(() => encodeRecordBatch([], noProducer), RangeError);
});

Deno.test("shareHeaders(): batches with shared header lists are byte-identical to batches with fresh copies", () => {
  const shared = shareHeaders<Array<[string, Uint8Array]>>([
    ["task", encoder.encode("task-1")],
    ["agent", encoder.encode("agent-€")],
    ["key", encoder.encode("k".repeat(200))], // A value length past one varint byte.
  ]);
  assert.ok(Object.isFrozen(shared) && shared.every((header) => Object.isFrozen(header)));
  assert.throws(() => shared.push(["x", new Uint8Array(0)]), TypeError);
  const messages = Array.from({ length: 300 }, (_, i) => ({ ...message(i, 1_700_000_000_000 + i), headers: shared }));
  const copies = messages.map((m) => ({
    ...m,
    headers: m.headers.map(([name, value]): [string, Uint8Array] => [name, value]),
  }));
  const header = { producerId: 5n, producerEpoch: 0, baseSequence: 0 };
  assert.deepEqual(encodeRecordBatch(messages, header), encodeRecordBatch(copies, header));
  assertRecords(sealRecordBatch(encodeRecordBatch(messages, header), crc32c), messages);
});
