import assert from "node:assert/strict";
import { createPacketBatch, LinkType } from "../capture/batch.ts";
import { walkBlock } from "../capture/afpacket_block.ts";
import { batchOf } from "../capture/_test_batch.ts";
import { decodeSummary } from "../decode/decode.ts";
import { createPacketSummary, Malformed } from "../decode/summary.ts";
import { BatchArena, SummaryArena, SummaryMalformed, Tpacket3Hdr as Header } from "./abi.ts";
import { CaptureError } from "./capture_error.ts";
import { BLOCK_BYTES, fakeBlock, frameOf } from "./_test_block.ts";
import { blockOf, compareNativeSummaries, summaryFrames } from "./_test_summary.ts";
import { createArenaBatch, SUMMARY_LINK_TYPES, walkBlockNative } from "./block_walk.ts";

const ARRAYS = [
  "offsets",
  "capturedBytes",
  "wireBytes",
  "timestampSec",
  "timestampNsec",
  "vlanTci",
  "vlanTpid",
  "flags",
  "packetType",
] as const;

Deno.test("createArenaBatch() lays every per-packet array out in one buffer, rounded up to the alignment", () => {
  const batch = createArenaBatch(13);
  assert.equal(batch.arenaPackets, 16);
  assert.equal(batch.arena.byteLength, 16 * BatchArena.bytesPerPacket);
  for (const name of ARRAYS) {
    assert.equal(batch[name].buffer, batch.arena.buffer, name);
    assert.equal(batch[name].byteOffset, BatchArena[name] * 16, name);
    assert.equal(batch[name].length, 16, name);
  }
});

Deno.test("walkBlockNative() fills the arena exactly as walkBlock() does, offsets shifted by the block's base", () => {
  const frames = [frameOf(60), frameOf(20), frameOf(10), frameOf(300), frameOf(64), frameOf(42), frameOf(99)];
  const block = fakeBlock(frames, [60, 1500, 10, 300, 64, 42, 120]);
  const baseOffset = 3 * BLOCK_BYTES;
  const ring = new Uint8Array(5 * BLOCK_BYTES);
  ring.set(block, baseOffset);
  const expected = createPacketBatch(64, ring);
  const walk = walkBlock(new DataView(ring.buffer), baseOffset, BLOCK_BYTES, expected);
  const wireBytes = walk.wireBytes;
  const batch = createArenaBatch(64, ring);
  const native = walkBlockNative(ring.subarray(baseOffset, baseOffset + BLOCK_BYTES), baseOffset, batch);
  assert.equal(batch.count, frames.length);
  assert.equal(expected.count, frames.length);
  assert.equal(native.wireBytes, wireBytes);
  assert.equal(native.badPackets, 0);
  for (const name of ARRAYS) {
    assert.deepEqual(Array.from(batch[name].subarray(0, 7)), Array.from(expected[name].subarray(0, 7)), name);
  }
  assert.equal(batch.packetType[5], 255, "a pkttype above OUTGOING is UNKNOWN");
});

Deno.test("walkBlockNative() counts packets past the arena's capacity or outside the block", () => {
  const frames = Array.from({ length: 12 }, () => frameOf(60));
  const block = fakeBlock(frames, frames.map(() => 60));
  const batch = createArenaBatch(8, block);
  assert.equal(walkBlockNative(block, 0, batch).badPackets, 4);
  assert.equal(batch.count, 8);
  new DataView(block.buffer).setUint32(48 + Header.tp_next_offset.offset, 5000, true);
  const bigger = createArenaBatch(16, block);
  assert.equal(walkBlockNative(block, 0, bigger).badPackets, 11);
  assert.equal(bigger.count, 1);
});

Deno.test("walkBlockNative() with summaries decodes every prefix of every branch exactly as decodeSummary()", () => {
  const frames: Uint8Array[] = [];
  for (const frame of summaryFrames()) {
    for (let bytes = 0; bytes <= frame.length; bytes++) frames.push(frame.slice(0, bytes));
  }
  const ethernetRun = compareNativeSummaries(
    frames,
    LinkType.EN10MB,
    (k) => (k % 3 === 0 ? 0x2000 | (k & 0xfff) : null),
  );
  assert.deepEqual(ethernetRun.mismatches.slice(0, 5), []);
  const rawFrames = frames.filter((frame) => frame.length >= 14).map((frame) => frame.subarray(14));
  const rawRun = compareNativeSummaries(rawFrames, LinkType.RAW);
  assert.deepEqual(rawRun.mismatches.slice(0, 5), []);
  const reasons = new Set<number>();
  const summary = createPacketSummary();
  for (const frame of frames) {
    decodeSummary(batchOf([frame]), 0, summary);
    reasons.add(summary.malformed);
  }
  for (const frame of rawFrames) {
    decodeSummary(batchOf([frame], LinkType.RAW), 0, summary);
    reasons.add(summary.malformed);
  }
  assert.deepEqual([...reasons].sort((a, b) => a - b), Object.values(Malformed), "every reason is compared");
});

Deno.test("walkBlockNative() leaves summaries out of a batch made without them, and refuses other link types", () => {
  const frames = summaryFrames();
  const block = blockOf(frames, []);
  const plain = createArenaBatch(frames.length, block);
  assert.equal(plain.summaries, undefined);
  assert.equal(plain.arena.byteLength, plain.arenaPackets * BatchArena.bytesPerPacket);
  walkBlockNative(block, 0, plain);
  assert.equal(plain.count, frames.length);
  const summarised = createArenaBatch(frames.length, block, true);
  assert.equal(summarised.arena.byteLength, summarised.arenaPackets * SummaryArena.bytesPerPacket);
  summarised.linkType = LinkType.LINUX_SLL;
  assert.throws(() => walkBlockNative(block, 0, summarised), CaptureError);
  assert.deepEqual(SUMMARY_LINK_TYPES, [LinkType.EN10MB, LinkType.RAW]);
});

Deno.test("SummaryMalformed in abi.ts numbers the reasons as decode's Malformed does", () => {
  for (const [name, value] of Object.entries(SummaryMalformed)) {
    assert.equal(Malformed[name.toUpperCase() as keyof typeof Malformed], value, name);
  }
  assert.equal(Object.keys(SummaryMalformed).length, Object.keys(Malformed).length);
});
