import assert from "node:assert/strict";
import type { KafkaMessage } from "./client.ts";
import { headerList } from "./header_lists.ts";
import { MessageBatch } from "./message_batch.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const list = headerList(encoder.encode("k"), [["key", encoder.encode("k")]], false);

function text(batch: MessageBatch, i: number): string {
  return decoder.decode(batch.value(i));
}

Deno.test("MessageBatch: values written then pushed, read back by column, ASCII and not", () => {
  const batch = new MessageBatch(4, 16);
  const ascii = batch.writeText('{"a":1}');
  batch.push("t1", list, 1000, ascii, 50);
  const wide = batch.writeText("€ and ü"); // 3 + 5 + 2 bytes: the buffer grows past 16.
  batch.push("t2", list, 2000, wide, 60);
  const bytes = batch.writeBytes(new Uint8Array([1, 2, 3]));
  batch.push("t3", list, 3000, bytes, 70);
  assert.deepEqual([ascii, wide, bytes, batch.count, batch.bytes], [7, 10, 3, 3, 180]);
  assert.deepEqual([text(batch, 0), text(batch, 1)], ['{"a":1}', "€ and ü"]);
  assert.deepEqual(batch.value(2), new Uint8Array([1, 2, 3]));
  assert.deepEqual([batch.topic(1), batch.timestampMs(1), batch.countedBytes(1)], ["t2", 2000, 60]);
  assert.deepEqual([batch.key(0), batch.list(0)], [list.key, list]);
  assert.deepEqual([batch.value(0).length, batch.value(1).length, batch.valueBytesUsed], [7, 10, 20]);
});

Deno.test("MessageBatch: a cut value keeps its first bytes; an unpushed value is replaced by the next", () => {
  const batch = new MessageBatch(2);
  batch.writeText("x".repeat(100));
  batch.writeText("abcdef"); // Replaces the value above: it was never pushed.
  batch.push("t", list, 1, 3, 10);
  assert.equal(text(batch, 0), "abc");
  batch.push("t", list, 2, 0, 10); // An empty value is a value.
  assert.equal(batch.value(1).length, 0);
  assert.equal(batch.full, true);
  assert.throws(() => batch.push("t", list, 3, 0, 10), RangeError);
  assert.throws(() => new MessageBatch(2).push("t", list, 1, 5, 10), RangeError); // No value written.
});

Deno.test("MessageBatch: pop, moveLastFrom and reset keep columns and counts right", () => {
  const a = new MessageBatch(3);
  for (const [i, value] of ["one", "two", "three"].entries()) a.push("t", list, i, a.writeText(value), 10 + i);
  a.pop();
  assert.deepEqual([a.count, a.bytes, a.valueBytesUsed], [2, 21, 6]);
  const b = new MessageBatch(3);
  b.moveLastFrom(a);
  assert.deepEqual([a.count, a.bytes, b.count, b.bytes, text(b, 0), b.timestampMs(0)], [1, 10, 1, 11, "two", 1]);
  a.push("t", list, 5, a.writeText("four"), 10);
  assert.equal(text(a, 1), "four"); // Written where "two" was.
  a.reset();
  assert.deepEqual([a.count, a.bytes, a.valueBytesUsed], [0, 0, 0]);
  assert.throws(() => a.pop(), RangeError);
  assert.throws(() => a.moveLastFrom(new MessageBatch(1)), RangeError);
});

Deno.test("MessageBatch: messages() are copies that outlive a reset; fromMessages() round-trips them", () => {
  const original: KafkaMessage[] = [
    { topic: "t", key: null, value: encoder.encode("v1"), headers: [["task", encoder.encode("x")]], timestampMs: 7 },
    { topic: "u", key: encoder.encode("k"), value: encoder.encode("v22"), headers: [], timestampMs: 8 },
  ];
  const batch = MessageBatch.fromMessages(original);
  assert.equal(batch.bytes, (32 + 2 + 32 + 4 + 1) + (32 + 3 + 1));
  const messages = batch.messages();
  assert.deepEqual(messages, original);
  batch.reset();
  batch.push("t", list, 9, batch.writeText("zz"), 1); // Overwrites the buffer the copies came from.
  assert.equal(decoder.decode(messages[0].value), "v1");
  assert.equal(MessageBatch.fromMessages([]).count, 0);
  assert.throws(() => new MessageBatch(0), RangeError);
});
