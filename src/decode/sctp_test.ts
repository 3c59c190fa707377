import assert from "node:assert/strict";
import { batchOf, concat, ethernet, hex, ipv4 } from "../capture/_test_batch.ts";
import { decodeSummary } from "./decode.ts";
import { createSctpCounters, createSctpDataChunk, forEachSctpData, SctpDataFlag } from "./sctp.ts";
import { createPacketSummary, type PacketSummary } from "./summary.ts";

const COMMON_HEADER = hex("13c4 13c4 00000001 00000000");

function dataChunk(flags: number, tsn: number, stream: number, ppid: number, text: string): Uint8Array {
  const body = new TextEncoder().encode(text);
  const length = 16 + body.length;
  const chunk = new Uint8Array((length + 3) & ~3);
  const view = new DataView(chunk.buffer);
  view.setUint8(1, flags);
  view.setUint16(2, length);
  view.setUint32(4, tsn);
  view.setUint16(8, stream);
  view.setUint16(10, 7);
  view.setUint32(12, ppid);
  chunk.set(body, 16);
  return chunk;
}

function sctpPacket(...chunks: Uint8Array[]): PacketSummary {
  const summary = createPacketSummary();
  decodeSummary(batchOf([ethernet(0x0800, ipv4(132, concat(COMMON_HEADER, ...chunks)))]), 0, summary);
  return summary;
}

function collect(summary: PacketSummary) {
  const counters = createSctpCounters();
  const seen: { text: string; stream: number; ppid: number; tsn: number; flags: number }[] = [];
  forEachSctpData(summary, createSctpDataChunk(), counters, (chunk) => {
    const text = new TextDecoder().decode(summary.data.subarray(chunk.dataOffset, chunk.dataOffset + chunk.dataBytes));
    seen.push({ text, stream: chunk.streamId, ppid: chunk.ppid, tsn: chunk.tsn, flags: chunk.flags });
  });
  return { seen, counters };
}

Deno.test("forEachSctpData() yields every DATA chunk with stream id, PPID and TSN, skipping others", () => {
  const sack = hex("03000010 00000001 00010000 00000000");
  const { seen, counters } = collect(
    sctpPacket(dataChunk(3, 10, 1, 0, "INVITE"), sack, dataChunk(3, 11, 2, 46, "BYE")),
  );
  assert.deepEqual(seen, [
    { text: "INVITE", stream: 1, ppid: 0, tsn: 10, flags: SctpDataFlag.BEGIN | SctpDataFlag.END },
    { text: "BYE", stream: 2, ppid: 46, tsn: 11, flags: 3 },
  ]);
  assert.equal(counters.chunks, 3);
  assert.equal(counters.dataChunks, 2);
});

Deno.test("forEachSctpData() reads I-DATA chunks", () => {
  const chunk = hex("40 03 0018 00000005 0004 0000 00000009 0000002e");
  const { seen } = collect(sctpPacket(concat(chunk, new TextEncoder().encode("ping"))));
  assert.deepEqual(seen, [{ text: "ping", stream: 4, ppid: 46, tsn: 5, flags: 3 }]);
});

Deno.test("forEachSctpData() counts chunks cut short or with invalid lengths", () => {
  const whole = dataChunk(3, 1, 0, 0, "hello world");
  assert.equal(collect(sctpPacket(whole.subarray(0, 20))).counters.truncated, 1);
  assert.equal(collect(sctpPacket(hex("00030002"))).counters.lengthInvalid, 1);
  const short = collect(sctpPacket(hex("0003000c 00000001 00000000")));
  assert.equal(short.counters.lengthInvalid, 1, "a DATA chunk shorter than its header");
  assert.deepEqual(short.seen, []);
});

Deno.test("forEachSctpData() ignores packets that are not SCTP", () => {
  const summary = createPacketSummary();
  decodeSummary(batchOf([ethernet(0x0800, ipv4(17, hex("13c4 13c4 000c 0000 00000000")))]), 0, summary);
  assert.equal(collect(summary).seen.length, 0);
});
