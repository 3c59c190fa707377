import assert from "node:assert/strict";
import { type WsFrameSink, WsMessageAssembler } from "./message_assembler.ts";
import { WsInflater } from "./inflater.ts";
import { createWebSocketStats, WsOpcode } from "./types.ts";
import { deflateStream, sipRequest } from "./_test_deflate.ts";

const MASK = Uint8Array.from([0x37, 0xfa, 0x21, 0x3d]);
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** An assembler and the messages it delivered (as text, "b:" prefixed when binary). */
function setup(messageBytesMax = 4096) {
  const stats = createWebSocketStats();
  const assembler = new WsMessageAssembler(stats, messageBytesMax);
  const messages: string[] = [];
  const sink: WsFrameSink = {
    message: (payload, binary) => messages.push((binary ? "b:" : "") + decoder.decode(payload)),
  };
  return { stats, assembler, messages, sink };
}

/** `text` masked as payload bytes from `maskOffset` on are. */
function masked(text: string, maskOffset = 0): Uint8Array {
  return encoder.encode(text).map((byte, k) => byte ^ MASK[(maskOffset + k) & 3]);
}

Deno.test("WsMessageAssembler joins fragments, unmasking each frame's bytes from where the frame left off", () => {
  const { stats, assembler, messages, sink } = setup();
  assert.equal(assembler.beginFrame(WsOpcode.TEXT, 9, false), true);
  const first = masked("REGISTER ");
  assembler.append(first, 0, 3, MASK, 0);
  assembler.append(first, 3, 6, MASK, 3);
  assert.equal(assembler.bufferedBytes, 9);
  assert.equal(assembler.beginFrame(WsOpcode.CONTINUATION, 3, false), true);
  assembler.append(encoder.encode("sip"), 0, 3, null, 0);
  assembler.finish(null, sink);
  assert.deepEqual(messages, ["REGISTER sip"]);
  assert.equal(stats.messages, 1);
  assert.equal(stats.fragmentedMessages, 1);
  assert.equal(assembler.bufferedBytes, 0);
});

Deno.test("WsMessageAssembler hands a message given whole over as it is", () => {
  const { stats, assembler, sink } = setup();
  const payload = encoder.encode("\x00\x01binary");
  let seen: Uint8Array | undefined;
  let seenBinary = false;
  assembler.beginFrame(WsOpcode.BINARY, payload.length, false);
  assembler.finish(payload, {
    message: (bytes, binary) => {
      seen = bytes;
      seenBinary = binary;
    },
  });
  assert.equal(seen, payload);
  assert.equal(seenBinary, true);
  assert.equal(stats.fragmentedMessages, 0);
  assembler.beginFrame(WsOpcode.TEXT, 0, false);
  assembler.finish(null, sink);
  assert.equal(stats.messages, 2, "an empty message counts too");
});

Deno.test("WsMessageAssembler counts continuations without a message, restarts, and skips messages over the bound", () => {
  const { stats, assembler, messages, sink } = setup(10);
  assert.equal(assembler.beginFrame(WsOpcode.CONTINUATION, 4, false), false);
  assert.equal(stats.invalid.unexpected_continuation, 1);
  assembler.beginFrame(WsOpcode.TEXT, 4, false);
  assembler.append(encoder.encode("lost"), 0, 4, null, 0);
  assembler.beginFrame(WsOpcode.TEXT, 2, false);
  assert.equal(stats.invalid.expected_continuation, 1);
  assert.equal(assembler.bufferedBytes, 0, "the open message was dropped");
  assembler.append(encoder.encode("ok"), 0, 2, null, 0);
  assembler.finish(null, sink);
  assembler.beginFrame(WsOpcode.TEXT, 6, false);
  assembler.append(encoder.encode("sixsix"), 0, 6, null, 0);
  assert.equal(assembler.skipped, false);
  assert.equal(assembler.beginFrame(WsOpcode.CONTINUATION, 5, false), true);
  assert.equal(assembler.skipped, true);
  assert.equal(assembler.bufferedBytes, 0);
  assert.equal(stats.invalid.too_large, 1);
  assembler.drop();
  assert.equal(assembler.skipped, false);
  assert.deepEqual(messages, ["ok"]);
});

Deno.test("WsMessageAssembler inflates compressed messages, and loses the context when one is dropped", async () => {
  const texts = [sipRequest("one@x"), sipRequest("two@x")];
  const [first, second] = await deflateStream(texts);
  const { stats, assembler, messages, sink } = setup();
  const inflater = new WsInflater({ windowBits: 15, noContextTakeover: false, inflatedBytesMax: 4096 });
  assembler.inflater = inflater;
  assembler.beginFrame(WsOpcode.TEXT, first.length, true);
  assembler.append(first, 0, first.length, null, 0);
  assembler.finish(null, sink);
  assert.deepEqual(messages, [texts[0]]);
  assert.equal(stats.inflatedMessages, 1);
  assert.equal(inflater.contextKnown, true);
  assembler.beginFrame(WsOpcode.TEXT, second.length, true);
  assembler.drop();
  assert.equal(inflater.contextKnown, false, "the sender's window moved on without ours");
  assembler.beginFrame(WsOpcode.TEXT, 3, false);
  assembler.drop();
  assembler.beginFrame(WsOpcode.TEXT, 2, true);
  assembler.finish(Uint8Array.from([0xff, 0xff]), sink);
  assert.equal(stats.invalid.inflate_no_context, 1);
  assert.deepEqual(messages, [texts[0]]);
});
