import assert from "node:assert/strict";
import { LinkType } from "../capture/batch.ts";
import { PROTOCOL_NAMES } from "../cli/capture_report.ts";
import { Tpacket3Hdr as Header } from "./abi.ts";
import { CaptureError } from "./capture_error.ts";
import { fakeBlock, frameOf } from "./_test_block.ts";
import { compareNativeCounts, summaryFrames } from "./_test_summary.ts";
import { countBlock, PROTOCOL_CLASSES_COUNT } from "./block_counts.ts";

Deno.test("countBlock() counts as decodeSummary() + protocolClass() over every prefix of every decoder branch", () => {
  const frames: Uint8Array[] = [];
  for (const frame of summaryFrames()) {
    for (let bytes = 0; bytes <= frame.length; bytes++) frames.push(frame.slice(0, bytes));
  }
  const ethernet = compareNativeCounts(frames, LinkType.EN10MB, (k) => (k % 3 === 0 ? 0x2000 | (k & 0xfff) : null));
  assert.deepEqual(ethernet.mismatches.slice(0, 5), []);
  assert.equal(ethernet.native.packets, frames.length);
  // Every class a ring can see (all but link_undecoded) and malformed packets were compared.
  assert.deepEqual(ethernet.reference.protocolClasses.map((count) => count > 0), PROTOCOL_NAMES.map((_, k) => k < 8));
  assert.ok(ethernet.reference.malformedPackets > 50, `${ethernet.reference.malformedPackets} malformed`);
  const rawFrames = frames.filter((frame) => frame.length >= 14).map((frame) => frame.subarray(14));
  const raw = compareNativeCounts(rawFrames, LinkType.RAW);
  assert.deepEqual(raw.mismatches.slice(0, 5), []);
  assert.ok(raw.reference.protocolClasses[7] > 0 && raw.reference.protocolClasses[0] > 0);
});

Deno.test("countBlock() stops at packetsMax without bad packets, counts a broken chain as bad", () => {
  assert.equal(PROTOCOL_CLASSES_COUNT, PROTOCOL_NAMES.length);
  const frames = Array.from({ length: 10 }, () => frameOf(60));
  const block = fakeBlock(frames, frames.map((_, k) => 60 + k));
  let counts = countBlock(block, LinkType.EN10MB, 3);
  assert.equal(counts.packets, 3);
  assert.equal(counts.badPackets, 0);
  assert.equal(counts.wireBytes, 60 + 61 + 62);
  assert.equal(counts.capturedBytes, 180);
  assert.equal(counts.protocolClasses.reduce((sum, count) => sum + count, 0), 3);
  new DataView(block.buffer).setUint32(48 + Header.tp_next_offset.offset, 5000, true);
  counts = countBlock(block, LinkType.EN10MB, Infinity);
  assert.equal(counts.packets, 1);
  assert.equal(counts.badPackets, 9);
});

Deno.test("countBlock() refuses link types it does not decode and blocks shorter than their header", () => {
  const block = fakeBlock([frameOf(60)], [60]);
  assert.throws(() => countBlock(block, LinkType.LINUX_SLL, 10), CaptureError);
  assert.throws(() => countBlock(block.subarray(0, 8), LinkType.EN10MB, 10), CaptureError);
});
