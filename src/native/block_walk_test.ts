import assert from "node:assert/strict";
import { createPacketBatch } from "../capture/batch.ts";
import { walkBlock } from "../capture/afpacket_block.ts";
import { BatchArena, Tpacket3Hdr as Header } from "./abi.ts";
import { BLOCK_BYTES, fakeBlock, frameOf } from "./_test_block.ts";
import { createArenaBatch, walkBlockNative } from "./block_walk.ts";

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
