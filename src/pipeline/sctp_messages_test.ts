import assert from "node:assert/strict";
import { SctpMessages } from "./sctp_messages.ts";

const B = 2;
const E = 1;
const bytes = (text: string) => new TextEncoder().encode(text);
const text = (data: Uint8Array | undefined) => data === undefined ? undefined : new TextDecoder().decode(data);

Deno.test("SctpMessages joins first, middle and last pieces with consecutive TSNs", () => {
  const joiner = new SctpMessages();
  assert.equal(joiner.add("k", B, 7, bytes("INVITE "), 0), undefined);
  assert.equal(joiner.add("k", 0, 8, bytes("sip:a "), 0), undefined);
  assert.equal(text(joiner.add("k", E, 9, bytes("SIP/2.0"), 0)), "INVITE sip:a SIP/2.0");
  assert.equal(joiner.counters.joined, 1);
  assert.equal(joiner.size, 0);
});

Deno.test("SctpMessages drops a message with a missing piece and counts it", () => {
  const joiner = new SctpMessages();
  joiner.add("k", B, 1, bytes("a"), 0);
  assert.equal(joiner.add("k", E, 3, bytes("c"), 0), undefined);
  assert.equal(joiner.counters.outOfSequence, 1);
  assert.equal(joiner.add("other", E, 4, bytes("d"), 0), undefined);
  assert.equal(joiner.counters.outOfSequence, 2);
});

Deno.test("SctpMessages keeps pieces of different keys apart and bounds what it holds", () => {
  const joiner = new SctpMessages({ messagesMax: 2, messageBytesMax: 4, timeoutMs: 100 });
  joiner.add("a", B, 1, bytes("x"), 0);
  joiner.add("b", B, 1, bytes("y"), 0);
  joiner.add("c", B, 1, bytes("z"), 50);
  assert.equal(joiner.counters.evicted, 1);
  assert.equal(joiner.add("b", 0, 2, bytes("12345"), 50), undefined);
  assert.equal(joiner.counters.tooLarge, 1);
  joiner.expire(140);
  assert.equal(joiner.counters.timedOut, 0);
  joiner.expire(150);
  assert.equal(joiner.counters.timedOut, 1);
  assert.equal(joiner.size, 0);
});

Deno.test("SctpMessages copies pieces, so the packet buffer may be reused", () => {
  const joiner = new SctpMessages();
  const buffer = bytes("ab");
  joiner.add("k", B, 1, buffer, 0);
  buffer[0] = 0x7a;
  assert.equal(text(joiner.add("k", E, 2, bytes("c"), 0)), "abc");
});
