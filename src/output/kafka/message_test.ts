import assert from "node:assert/strict";
import { decodeMessage, encodeMessage, MessageEncoder, type MessageOptions, toKafkaMessage } from "./message.ts";

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

Deno.test("encodeMessage() and decodeMessage() round-trip; damaged bytes decode to null", () => {
  const { message } = toKafkaMessage(
    { type: "call", key: "k", timestampMs: 1700000000999.5, value: { a: 1 } },
    options,
  );
  assert.ok(message);
  const bytes = encodeMessage(message);
  assert.deepEqual(decodeMessage(bytes), message);
  const keyless = { ...message, key: null, headers: [] };
  assert.deepEqual(decodeMessage(encodeMessage(keyless)), keyless);
  assert.equal(decodeMessage(bytes.subarray(0, bytes.length - 1)), null);
  assert.equal(decodeMessage(new Uint8Array([2, 0, 0])), null);
});

Deno.test("MessageEncoder values and keys stay intact while later records fill and replace the shared slabs", () => {
  const encoder = new MessageEncoder({ ...options, messageBytesMax: 200_000 });
  const texts = Array.from({ length: 3000 }, (_, i) => `${i}-é€😀-`.repeat(1 + (i % 40)));
  texts.push("x".repeat(100_000)); // Longer than a slab takes: its own buffer.
  const messages = texts.map((text, i) =>
    encoder.encode({ type: "sip", key: `k${i}€`, timestampMs: 1, value: { text } })
  );
  messages.forEach((result, i) => {
    assert.equal(JSON.parse(decoder.decode(result.message!.value)).text, texts[i]);
    assert.equal(decoder.decode(result.message!.key!), `k${i}€`);
  });
});
