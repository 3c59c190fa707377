import assert from "node:assert/strict";
import { messageBytes, MessageEncoder, type MessageOptions, toKafkaMessage } from "./message.ts";
import { MessageBatch } from "./message_batch.ts";

const decoder = new TextDecoder();
const options: MessageOptions = {
  topicPrefix: "cap",
  keyStrategy: "record",
  keyField: "call_id",
  taskId: "task-1",
  agentId: "agent-7",
  messageBytesMax: 1000,
};

function headerMap(headers: Array<[string, Uint8Array]>): Record<string, string> {
  return Object.fromEntries(headers.map(([name, value]) => [name, decoder.decode(value)]));
}

Deno.test("toKafkaMessage() sets topic per type, key, headers and the capture timestamp", () => {
  const record = { type: "sip", key: "abc@host", timestampMs: 1700000000123, value: { call_id: "c1", n: 1 } };
  const result = toKafkaMessage({ ...record, headers: { extra: "x" } }, options);
  assert.ok(result.message);
  assert.equal(result.message.topic, "cap-sip");
  assert.equal(decoder.decode(result.message.key!), "abc@host");
  assert.equal(result.message.timestampMs, 1700000000123);
  assert.deepEqual(JSON.parse(decoder.decode(result.message.value)), { call_id: "c1", n: 1 });
  assert.deepEqual(headerMap(result.message.headers), {
    task: "task-1",
    agent: "agent-7",
    type: "sip",
    key: "abc@host",
    extra: "x",
  });
  assert.equal(result.cut, false);

  const fixed = toKafkaMessage({ ...record, type: "r t/p" }, { ...options, topic: "all", keyStrategy: "field" });
  assert.equal(fixed.message?.topic, "all");
  assert.equal(decoder.decode(fixed.message!.key!), "c1");
  assert.equal(toKafkaMessage({ ...record, type: "r t/p" }, options).message?.topic, "cap-r_t_p");
  assert.equal(toKafkaMessage(record, { ...options, keyStrategy: "none" }).message?.key, null);
});

Deno.test("toKafkaMessage() cuts oversized values to fit and flags them; unencodable values are refused", () => {
  const big = new Uint8Array(5000).fill(65);
  const result = toKafkaMessage({ type: "rtp", timestampMs: 1, value: big }, options);
  assert.ok(result.message);
  assert.equal(result.cut, true);
  assert.ok(result.message.value.length > 500 && result.message.value.length < 1000);
  assert.equal(headerMap(result.message.headers).truncated, "5000");
  const cyclic: Record<string, unknown> = {};
  cyclic.self = cyclic;
  assert.deepEqual(toKafkaMessage({ type: "x", timestampMs: 1, value: cyclic }, options), {
    message: null,
    reason: "encode",
  });
});

Deno.test("MessageEncoder values and keys stay intact while later records are encoded", () => {
  const encoder = new MessageEncoder({ ...options, messageBytesMax: 200_000 });
  const texts = Array.from({ length: 3000 }, (_, i) => `${i}-é€😀-`.repeat(1 + (i % 40)));
  texts.push("x".repeat(100_000));
  const messages = texts.map((text, i) =>
    encoder.encode({ type: "sip", key: `k${i}€`, timestampMs: 1, value: { text } })
  );
  messages.forEach((result, i) => {
    assert.equal(JSON.parse(decoder.decode(result.message!.value)).text, texts[i]);
    assert.equal(decoder.decode(result.message!.key!), `k${i}€`);
  });
});

Deno.test("MessageEncoder shares one frozen header list per type and key, and keeps keys intact past the cache", () => {
  const encoder = new MessageEncoder({ ...options, messageBytesMax: 100_000 });
  const record = (key: string, type = "rtp_packet") => ({ type, key, timestampMs: 1, value: { n: 1 } });
  const a = encoder.encode(record("call-1")).message!;
  const b = encoder.encode(record("call-1")).message!;
  assert.equal(a.headers, b.headers);
  assert.equal(a.key, b.key);
  assert.ok(Object.isFrozen(a.headers));
  assert.notEqual(encoder.encode(record("call-1", "sip")).message!.headers, a.headers); // Per type.
  assert.notEqual(encoder.encode(record("call-2")).message!.headers, a.headers);
  // Extra headers and cuts get their own lists; the shared one is unchanged.
  const extra = encoder.encode({ ...record("call-1"), headers: { x: "1" } }).message!;
  const cut = encoder.encode({ ...record("call-1"), value: { text: "y".repeat(200_000) } });
  assert.equal(cut.message !== null && cut.cut, true);
  assert.deepEqual(headerMap(extra.headers), {
    task: "task-1",
    agent: "agent-7",
    type: "rtp_packet",
    key: "call-1",
    x: "1",
  });
  assert.equal(headerMap(cut.message!.headers).truncated, String(JSON.stringify({ text: "y".repeat(200_000) }).length));
  assert.deepEqual(headerMap(a.headers), { task: "task-1", agent: "agent-7", type: "rtp_packet", key: "call-1" });
  // Past the cache's bounds (lists and key bytes): every key still right, long keys too.
  const keys = Array.from(
    { length: 10_000 },
    (_, i) => `${i}-${"é".repeat(i % 60)}-${i % 7 === 0 ? "x".repeat(300) : ""}`,
  );
  const messages = keys.map((key) => encoder.encode(record(key)).message!);
  messages.forEach((message, i) => {
    assert.equal(decoder.decode(message.key!), keys[i]);
    assert.equal(headerMap(message.headers).key, keys[i]);
  });
  // Byte keys: the same bytes as key and key header.
  const bytes = new Uint8Array([1, 2, 3]);
  const raw = encoder.encode({ type: "sip", key: bytes, timestampMs: 1, value: {} }).message!;
  assert.equal(raw.key, bytes);
  assert.deepEqual(raw.headers.at(-1), ["key", bytes]);
});

Deno.test("MessageEncoder result bytes equal messageBytes() of the message", () => {
  const encoder = new MessageEncoder(options);
  const records = [
    { type: "sip", key: "k€", timestampMs: 1, value: { a: "ü" } },
    { type: "sip", timestampMs: 1, value: { a: 1 }, headers: { extra: "x" } },
    { type: "rtp", timestampMs: 1, value: new Uint8Array(5000) },
  ];
  for (const record of records) {
    const result = encoder.encode(record);
    assert.ok(result.message !== null);
    assert.equal(result.bytes, messageBytes(result.message));
  }
});

Deno.test("MessageEncoder.next() gives encode()'s message, with lastCut and lastBytes describing the latest one", () => {
  const viaNext = new MessageEncoder(options);
  const viaEncode = new MessageEncoder(options);
  const cyclic: Record<string, unknown> = {};
  cyclic.self = cyclic;
  const records = [
    { type: "sip", key: "k", timestampMs: 5, value: { a: "x".repeat(5000) } }, // cut
    { type: "sip", key: "k", timestampMs: 6, value: { a: 1 } },
    { type: "sip", timestampMs: 7, value: cyclic },
    { type: "rtp", timestampMs: Number.NaN, value: new Uint8Array(3) },
  ];
  const cuts: boolean[] = [];
  for (const record of records) {
    const message = viaNext.next(record);
    const result = viaEncode.encode(record);
    if (result.message === null) {
      assert.equal(message, null);
      continue;
    }
    assert.ok(message !== null);
    cuts.push(viaNext.lastCut);
    assert.equal(viaNext.lastCut, result.cut);
    assert.equal(viaNext.lastBytes, messageBytes(message));
    assert.deepEqual({ ...message, timestampMs: 0 }, { ...result.message, timestampMs: 0 });
    assert.ok(Number.isFinite(message.timestampMs));
  }
  assert.deepEqual(cuts, [true, false, false]);
});

Deno.test("MessageEncoder.append() puts next()'s message into a batch: value, cut, headers, bytes", () => {
  const viaNext = new MessageEncoder(options);
  const viaAppend = new MessageEncoder(options);
  const batch = new MessageBatch(8, 16); // Small: the values make it grow.
  const records = [
    { type: "sip", key: "k", timestampMs: 5, value: { a: "x".repeat(5000) } }, // cut
    { type: "sip", key: "k€", timestampMs: 6, value: { a: "é" }, headers: { extra: "1" } },
    { type: "rtp", timestampMs: 7, value: new Uint8Array([1, 2, 3]) },
    { type: "sip", key: "k", timestampMs: 8, value: { a: 1n } }, // BigInt: not encodable
  ];
  const expected = [];
  for (const record of records) {
    const message = viaNext.next(record);
    const appended = viaAppend.append(batch, record);
    assert.equal(appended, message !== null);
    if (message === null) continue;
    assert.deepEqual([viaAppend.lastCut, viaAppend.lastBytes], [viaNext.lastCut, viaNext.lastBytes]);
    assert.equal(batch.countedBytes(batch.count - 1), messageBytes(message));
    expected.push(message);
  }
  assert.equal(batch.count, 3);
  assert.deepEqual(batch.messages(), expected);
});
