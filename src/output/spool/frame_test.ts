import assert from "node:assert/strict";
import { decodeFrames, encodeFrames, frameHeaderBytes, scanFrames } from "./frame.ts";

const encoder = new TextEncoder();
const payloads = ["one", "", "three three", "x".repeat(300)].map((text) => encoder.encode(text));
const timestamps = [1700000000001, 1700000000002.5, 0, 1800000000000];

Deno.test("encodeFrames() output decodes back to the same payloads and timestamps", () => {
  const bytes = encodeFrames(payloads, timestamps);
  assert.equal(bytes.length, payloads.reduce((sum, p) => sum + frameHeaderBytes + p.length, 0));
  const scan = scanFrames(bytes);
  assert.deepEqual({ ...scan, boundaries: scan.boundaries.length }, {
    validBytes: bytes.length,
    records: 4,
    boundaries: 5,
    stop: null,
  });
  const decoded = decodeFrames(bytes, 10);
  assert.equal(decoded.bytes, bytes.length);
  assert.deepEqual(decoded.frames.map((f) => f.payload), payloads);
  assert.deepEqual(decoded.frames.map((f) => f.timestampMs), timestamps);
  assert.equal(decodeFrames(bytes, 2).frames.length, 2);
});

Deno.test("scanFrames() stops at a torn last frame and at a flipped bit", () => {
  const bytes = encodeFrames(payloads, timestamps);
  const lastStart = bytes.length - frameHeaderBytes - 300;
  for (const cut of [1, frameHeaderBytes - 1, frameHeaderBytes + 299]) {
    const torn = scanFrames(bytes.subarray(0, lastStart + cut));
    assert.deepEqual([torn.validBytes, torn.records, torn.stop], [lastStart, 3, "short"]);
  }
  const flipped = bytes.slice();
  flipped[frameHeaderBytes + 1] ^= 0x10; // Inside the first payload.
  assert.deepEqual([scanFrames(flipped).validBytes, scanFrames(flipped).stop], [0, "checksum"]);
  const badTime = bytes.slice();
  badTime[frameHeaderBytes + 3 + 9] ^= 1; // The second frame's timestamp is covered too.
  assert.deepEqual([scanFrames(badTime).records, scanFrames(badTime).stop], [1, "checksum"]);
});
