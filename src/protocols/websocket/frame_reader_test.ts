import assert from "node:assert/strict";
import { concat } from "../../capture/_test_batch.ts";
import { WsFrameReader } from "./frame_reader.ts";
import { createWebSocketStats, type WebSocketStats, WsOpcode } from "./types.ts";
import { wsFrame } from "./_test_frames.ts";
import { deflateStream, sipRequest } from "./_test_deflate.ts";

const MASK = [0x37, 0xfa, 0x21, 0x3d];
const decoder = new TextDecoder();

/** A reader and the messages it delivered (as text, "b:" prefixed when binary). */
function setup(fromClient = true, messageBytesMax?: number) {
  const stats = createWebSocketStats();
  const reader = new WsFrameReader({ fromClient, stats, messageBytesMax });
  const messages: string[] = [];
  const sink = {
    message: (payload: Uint8Array, binary: boolean) => messages.push((binary ? "b:" : "") + decoder.decode(payload)),
  };
  const feed = (...chunks: Uint8Array[]) => {
    for (const chunk of chunks) reader.push(chunk, 0, chunk.length, sink);
  };
  return { stats, reader, messages, feed };
}

/** Masked, fragmented, with control frames between the fragments, 16- and 64-bit lengths: five messages. */
function mixedStream(): { bytes: Uint8Array; messages: string[] } {
  const long = "INVITE sip:bob@b SIP/2.0\r\n" + "X: ".padEnd(300, "y") + "\r\n\r\n";
  const huge = "x".repeat(70_000);
  const bytes = concat(
    wsFrame("OPTIONS sip:a SIP/2.0\r\n\r\n", { mask: MASK }),
    wsFrame("REGISTER sip:", { fin: false, mask: MASK }),
    wsFrame("", { opcode: WsOpcode.PING, mask: MASK }),
    wsFrame("example.com", { opcode: WsOpcode.CONTINUATION, fin: false, mask: MASK }),
    wsFrame("pong!", { opcode: WsOpcode.PONG, mask: MASK }),
    wsFrame(" SIP/2.0\r\n\r\n", { opcode: WsOpcode.CONTINUATION, mask: MASK }),
    wsFrame(long, { mask: MASK }),
    wsFrame("short but 64-bit", { mask: MASK, lengthBits: 64 }),
    wsFrame(huge, { mask: MASK, opcode: WsOpcode.BINARY }),
  );
  return {
    bytes,
    messages: [
      "OPTIONS sip:a SIP/2.0\r\n\r\n",
      "REGISTER sip:example.com SIP/2.0\r\n\r\n",
      long,
      "short but 64-bit",
      "b:" + huge,
    ],
  };
}

Deno.test("WsFrameReader hands an unmasked single-frame message over in place, without a copy", () => {
  const { stats } = setup(false);
  const reader = new WsFrameReader({ fromClient: false, stats });
  const frame = wsFrame("SIP/2.0 200 OK\r\n\r\n");
  let seen: Uint8Array | undefined;
  reader.push(frame, 0, frame.length, { message: (payload) => (seen = payload) });
  assert.equal(seen?.buffer, frame.buffer);
  assert.equal(decoder.decode(seen), "SIP/2.0 200 OK\r\n\r\n");
  assert.equal(stats.messages, 1);
  assert.equal(stats.invalid.mask_mismatch, 0);
});

Deno.test("WsFrameReader unmasks, joins fragments around pings and pongs, and reads 16- and 64-bit lengths", () => {
  const { bytes, messages: expected } = mixedStream();
  const { stats, messages, feed } = setup();
  feed(bytes);
  assert.deepEqual(messages, expected);
  assert.equal(stats.frames, 9);
  assert.equal(stats.pings, 1);
  assert.equal(stats.pongs, 1);
  assert.equal(stats.fragmentedMessages, 1);
  assert.ok(Object.values(stats.invalid).every((count) => count === 0));
});

Deno.test("WsFrameReader gives the same messages however the stream is split", () => {
  const { bytes, messages: expected } = mixedStream();
  const small = bytes.subarray(0, 200);
  for (let cut = 0; cut <= small.length; cut++) {
    const { messages, feed } = setup();
    feed(small.subarray(0, cut), small.subarray(cut), bytes.subarray(200));
    assert.deepEqual(messages, expected, `split at ${cut}`);
  }
  const { messages, reader } = setup();
  const sink = {
    message: (payload: Uint8Array, binary: boolean) => messages.push((binary ? "b:" : "") + decoder.decode(payload)),
  };
  for (let at = 0; at < bytes.length; at++) reader.push(bytes, at, 1, sink);
  assert.deepEqual(messages, expected, "byte by byte");
});

Deno.test("WsFrameReader delivers exactly the messages a truncated stream completes", () => {
  const frames = [
    wsFrame("A1", { mask: MASK }),
    wsFrame("B", { fin: false, mask: MASK }),
    wsFrame("x", { opcode: WsOpcode.PING, mask: MASK }),
    wsFrame("2", { opcode: WsOpcode.CONTINUATION, mask: MASK }),
    wsFrame("C".repeat(300), { mask: MASK }),
  ];
  const bytes = concat(...frames);
  const ends: number[] = [];
  frames.reduce((at, frame) => (ends.push(at + frame.length), at + frame.length), 0);
  const complete = ["A1", "", "", "B2", "C".repeat(300)];
  for (let length = 0; length <= bytes.length; length++) {
    const { messages, feed, reader } = setup();
    feed(bytes.subarray(0, length));
    const expected = complete.filter((message, k) => message !== "" && ends[k] <= length);
    assert.deepEqual(messages, expected, `prefix of ${length}`);
    assert.ok(reader.readable);
  }
});

Deno.test("WsFrameReader stops a direction on frames that break the framing", () => {
  const cases: [string, Uint8Array, keyof WebSocketStats["invalid"]][] = [
    ["reserved opcode", wsFrame("x", { opcode: 3, mask: MASK }), "bad_opcode"],
    ["reserved control opcode", wsFrame("x", { opcode: 0xb, mask: MASK }), "bad_opcode"],
    ["long ping", wsFrame("p".repeat(126), { opcode: WsOpcode.PING, mask: MASK }), "bad_control_frame"],
    ["fragmented close", wsFrame("", { opcode: WsOpcode.CLOSE, fin: false, mask: MASK }), "bad_control_frame"],
    ["reserved bits", wsFrame("x", { reserved: 0x20, mask: MASK }), "reserved_bits"],
    ["RSV1 without deflate", wsFrame("x", { reserved: 0x40, mask: MASK }), "reserved_bits"],
    ["64-bit length with its top bit", Uint8Array.from([0x81, 0xff, 0x80, 0, 0, 0, 0, 0, 0, 1, ...MASK]), "bad_length"],
  ];
  for (const [name, frame, reason] of cases) {
    const { stats, messages, feed, reader } = setup();
    const after = wsFrame("never", { mask: MASK });
    feed(frame, after);
    assert.equal(stats.invalid[reason], 1, name);
    assert.equal(reader.readable, false, name);
    assert.deepEqual(messages, [], name);
    assert.ok(stats.skippedBytes >= after.length, name);
  }
});

Deno.test("WsFrameReader skips bad messages and keeps reading the frames after them", () => {
  const { stats, messages, feed } = setup(true, 100);
  feed(
    wsFrame("orphan", { opcode: WsOpcode.CONTINUATION, mask: MASK }),
    wsFrame("first half", { fin: false, mask: MASK }),
    wsFrame("restart", { mask: MASK }),
    wsFrame("z".repeat(60), { fin: false, mask: MASK }),
    wsFrame("z".repeat(60), { opcode: WsOpcode.CONTINUATION, mask: MASK }),
    wsFrame("unmasked from a client"),
    wsFrame("last", { mask: MASK }),
  );
  assert.deepEqual(messages, ["restart", "unmasked from a client", "last"]);
  assert.equal(stats.invalid.unexpected_continuation, 1);
  assert.equal(stats.invalid.expected_continuation, 1);
  assert.equal(stats.invalid.too_large, 1);
  assert.equal(stats.invalid.mask_mismatch, 1);
});

Deno.test("WsFrameReader inflates compressed messages, whole or fragmented, with context takeover", async () => {
  const texts = ["a", "b", "c"].map((id) => sipRequest(`deflate-${id}@x`));
  const [first, second, third] = await deflateStream(texts);
  const { stats, messages, feed, reader } = setup(true);
  reader.deflate = true;
  const half = Math.floor(second.length / 2);
  feed(
    wsFrame(first, { reserved: 0x40, mask: MASK }),
    wsFrame(second.subarray(0, half), { reserved: 0x40, fin: false, mask: MASK }),
    wsFrame("", { opcode: WsOpcode.PING, mask: MASK }),
    wsFrame(second.subarray(half), { opcode: WsOpcode.CONTINUATION, mask: MASK }),
    wsFrame("plain", { mask: MASK }),
  );
  const unmasked = setup(false);
  unmasked.reader.inflater = reader.inflater;
  unmasked.feed(wsFrame(third, { reserved: 0x40 }));
  assert.deepEqual([...messages, ...unmasked.messages], [texts[0], texts[1], "plain", texts[2]]);
  assert.equal(stats.inflatedMessages, 2);
  assert.equal(stats.fragmentedMessages, 1);
  assert.deepEqual(Object.values(stats.invalid).filter((n) => n !== 0), []);
});

Deno.test("WsFrameReader counts compressed messages it cannot inflate and RSV1 without permessage-deflate", async () => {
  const [first, second] = await deflateStream([sipRequest("one@x"), sipRequest("two@x")]);
  const lost = setup(false, 4096);
  lost.reader.deflate = true;
  lost.feed(wsFrame(first, { reserved: 0x40, fin: false }), wsFrame("x".repeat(5000), { opcode: 0 }));
  lost.feed(wsFrame(second, { reserved: 0x40 }), wsFrame(Uint8Array.from([1, 2, 3]), { reserved: 0x40 }));
  assert.deepEqual(lost.messages, []);
  assert.equal(lost.stats.invalid.too_large, 1);
  // The second refers to the first, which was skipped; after that no failure can be told from a missing dictionary.
  assert.equal(lost.stats.invalid.inflate_no_context, 2);
  assert.equal(lost.stats.invalid.inflate_error, 0);
  const corrupt = setup(false);
  corrupt.reader.deflate = true;
  corrupt.feed(wsFrame(Uint8Array.from([0xff, 0xff]), { reserved: 0x40 }), wsFrame(first, { reserved: 0x40 }));
  assert.equal(corrupt.stats.invalid.inflate_error, 1);
  assert.deepEqual(corrupt.messages, [sipRequest("one@x")]);
  const plain = setup(false);
  plain.feed(wsFrame(first, { reserved: 0x40 }), wsFrame("never read"));
  assert.deepEqual(plain.messages, []);
  assert.equal(plain.stats.invalid.reserved_bits, 1);
  assert.equal(plain.reader.framingLost, true);
});

Deno.test("WsFrameReader reads again from a boundary given by resync, and counts a wrong guess", () => {
  const { stats, messages, feed, reader } = setup(true);
  feed(wsFrame("lost", { fin: false, mask: MASK }));
  reader.gap();
  assert.equal(reader.framingLost, true);
  reader.resync(false);
  feed(wsFrame("from the server"), Uint8Array.from([0x8f, 0]));
  assert.deepEqual(messages, ["from the server"]);
  assert.equal(stats.invalid.mask_mismatch, 0);
  assert.equal(stats.resyncFailures, 1, "a framing error right after a guessed boundary");
  assert.equal(stats.invalid.bad_opcode, 1);
});

Deno.test("WsFrameReader counts bytes after a Close frame and after a gap without reading them", () => {
  const closed = setup();
  closed.feed(wsFrame("\x03\xe8", { opcode: WsOpcode.CLOSE, mask: MASK }), wsFrame("late", { mask: MASK }));
  assert.deepEqual(closed.messages, []);
  assert.equal(closed.stats.closes, 1);
  assert.equal(closed.stats.invalid.data_after_close, 1);
  const gapped = setup();
  gapped.feed(wsFrame("part", { fin: false, mask: MASK }));
  gapped.reader.gap();
  gapped.feed(wsFrame("more", { opcode: WsOpcode.CONTINUATION, mask: MASK }));
  assert.deepEqual(gapped.messages, []);
  assert.equal(gapped.stats.invalid.gap, 1);
  assert.equal(gapped.reader.bufferedBytes, 0);
});

Deno.test("WsFrameReader never throws on random bytes and keeps its buffer within the bound", () => {
  let seed = 7;
  const random = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x80000000;
  for (let run = 0; run < 3000; run++) {
    const { reader } = setup(random() < 0.5, 4096);
    const bytes = Uint8Array.from({ length: Math.floor(random() * 300) }, () => Math.floor(random() * 256));
    reader.push(bytes, 0, bytes.length, { message: () => {} });
    assert.ok(reader.bufferedBytes <= 4096);
  }
});
