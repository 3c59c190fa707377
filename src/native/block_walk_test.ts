import assert from "node:assert/strict";
import { createPacketBatch, LinkType } from "../capture/batch.ts";
import { walkBlock } from "../capture/afpacket_block.ts";
import { batchOf, concat, ethernet, ipv4, ipv6, tcp, udp, vlanTag } from "../capture/_test_batch.ts";
import { decodeSummary } from "../decode/decode.ts";
import { createPacketSummary, Malformed } from "../decode/summary.ts";
import { BatchArena, SummaryArena, SummaryMalformed, Tpacket3Hdr as Header } from "./abi.ts";
import { CaptureError } from "./capture_error.ts";
import { BLOCK_BYTES, fakeBlock, frameOf } from "./_test_block.ts";
import { blockOf, compareNativeSummaries } from "./_test_summary.ts";
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

/** Frames that reach every branch of the summary decoders; their prefixes reach every `Malformed` reason. */
function summaryFrames(): Uint8Array[] {
  const payload = Uint8Array.from([1, 2, 3, 4, 5]);
  const hopByHop = Uint8Array.from([43, 0, 0, 0, 0, 0, 0, 0]);
  const routing = Uint8Array.from([44, 0, 0, 0, 0, 0, 0, 0]);
  const laterFragment = Uint8Array.from([17, 0, 0x05, 0x00, 0, 0, 0, 1]);
  const firstFragment = Uint8Array.from([6, 0, 0x00, 0x01, 0, 0, 0, 1]);
  const auth = Uint8Array.from([58, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
  const badTcp = tcp(80, 81, 0x02, payload);
  badTcp[12] = 0x40; // data offset 4 words
  const badUdp = udp(1, 2, payload);
  badUdp[5] = 7; // length 7
  return [
    ethernet(0x0800, ipv4(17, udp(5060, 5060, payload))),
    ethernet(0x0800, ipv4(17, payload, { totalBytes: 12 })),
    ethernet(0x0800, ipv4(6, badTcp)),
    ethernet(0x0800, ipv4(17, badUdp)),
    ethernet(0x0800, Uint8Array.from([0x46, ...new Uint8Array(21)])),
    ethernet(0x0800, concat(ipv4(17, udp(1, 2, payload)), new Uint8Array(6))), // padding
    ethernet(
      0x8100,
      concat(
        vlanTag(10, 0x88a8),
        vlanTag(20, 0x8100),
        vlanTag(30, 0x9100),
        vlanTag(40, 0x0800),
        ipv4(6, tcp(80, 81, 0x12, payload)),
      ),
    ),
    ethernet(0x0800, ipv4(1, Uint8Array.from([8, 0, 0, 0, 9, 9]))),
    ethernet(0x0800, ipv4(132, new Uint8Array(16))),
    ethernet(0x0800, ipv4(47, payload, { fragment: 0x2000 })),
    ethernet(0x0800, ipv4(17, payload, { fragment: 0x0010 })),
    ethernet(0x0800, ipv4(17, udp(1, 2, payload), { totalBytes: 0 })),
    ethernet(0x0800, ipv4(17, udp(1, 2, payload), { totalBytes: 60 })),
    ethernet(0x86dd, ipv6(0, concat(hopByHop, routing, firstFragment, tcp(443, 1024, 0x10, payload)))),
    ethernet(0x86dd, ipv6(44, concat(laterFragment, payload))),
    ethernet(0x86dd, ipv6(51, concat(auth, Uint8Array.from([128, 0, 0, 0])))),
    ethernet(0x86dd, ipv6(59, payload)),
    ethernet(0x86dd, ipv6(17, udp(1, 2, payload))),
    ethernet(0x0806, new Uint8Array(28)),
    ethernet(0x0030, concat(Uint8Array.from([0xaa, 0xaa, 3, 0, 0, 0, 0x08, 0x00]), ipv4(17, udp(7, 8, payload)))),
    ethernet(0x0030, Uint8Array.from([0x42, 0x42, 3, 0, 0, 0, 0, 0])),
  ];
}

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
