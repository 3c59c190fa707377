import assert from "node:assert/strict";
import { createPacketBatch, PacketFlag } from "./batch.ts";
import { chunkOf } from "./chunk.ts";
import { isPcapMagic, PcapParser } from "./pcap_reader.ts";

/** A pcap file with the given records ([sec, fraction, bytes, wireBytes]) in either byte order. */
function pcapFile(
  magic: number,
  littleEndian: boolean,
  linkType: number,
  records: [number, number, Uint8Array, number][],
) {
  const size = 24 + records.reduce((sum, [, , bytes]) => sum + 16 + bytes.length, 0);
  const file = new Uint8Array(size);
  const view = new DataView(file.buffer);
  view.setUint32(0, magic, littleEndian);
  view.setUint16(4, 2, littleEndian);
  view.setUint16(6, 4, littleEndian);
  view.setUint32(16, 65535, littleEndian);
  view.setUint32(20, linkType, littleEndian);
  let at = 24;
  for (const [sec, fraction, bytes, wireBytes] of records) {
    view.setUint32(at, sec, littleEndian);
    view.setUint32(at + 4, fraction, littleEndian);
    view.setUint32(at + 8, bytes.length, littleEndian);
    view.setUint32(at + 12, wireBytes, littleEndian);
    file.set(bytes, at + 16);
    at += 16 + bytes.length;
  }
  return file;
}

const RECORDS: [number, number, Uint8Array, number][] = [
  [1700000000, 123456, new Uint8Array([1, 2, 3, 4, 5]), 5],
  [1700000001, 999999, new Uint8Array([6, 7, 8]), 60],
];

Deno.test("PcapParser reads little-endian microsecond pcaps", () => {
  const parser = new PcapParser("a.pcap");
  const batch = createPacketBatch(8);
  const chunk = chunkOf(pcapFile(0xa1b2c3d4, true, 1, RECORDS));
  parser.fill(chunk, batch);
  assert.equal(batch.count, 2);
  assert.equal(batch.linkType, 1);
  assert.equal(parser.nanosecond, false);
  assert.equal(batch.timestampSec[0], 1700000000);
  assert.equal(batch.timestampNsec[0], 123456000);
  assert.equal(batch.timestampNsec[1], 999999000);
  assert.deepEqual(Array.from(batch.data.subarray(batch.offsets[0], batch.offsets[0] + batch.capturedBytes[0])), [
    1,
    2,
    3,
    4,
    5,
  ]);
  assert.equal(batch.wireBytes[1], 60);
  assert.equal(batch.flags[1], PacketFlag.TRUNCATED);
  assert.equal(batch.flags[0], 0);
  assert.equal(parser.needBytes, 16);
  assert.equal(chunk.start, chunk.end);
});

Deno.test("PcapParser reads big-endian nanosecond pcaps and masks FCS bits off the link type", () => {
  const parser = new PcapParser("b.pcap");
  const batch = createPacketBatch(8);
  const records: [number, number, Uint8Array, number][] = [[5, 999999999, new Uint8Array([9]), 1]];
  parser.fill(chunkOf(pcapFile(0xa1b23c4d, false, 0x14000071, records)), batch);
  assert.equal(parser.littleEndian, false);
  assert.equal(parser.nanosecond, true);
  assert.equal(batch.linkType, 113);
  assert.equal(batch.timestampNsec[0], 999999999);
  assert.equal(batch.timestampSec[0], 5);
});

Deno.test("PcapParser carries microsecond fields past one second into the seconds", () => {
  const parser = new PcapParser("c.pcap");
  const batch = createPacketBatch(8);
  parser.fill(chunkOf(pcapFile(0xa1b2c3d4, true, 1, [[10, 2_500_000, new Uint8Array(1), 1]])), batch);
  assert.equal(batch.timestampSec[0], 12);
  assert.equal(batch.timestampNsec[0], 500_000_000);
});

Deno.test("PcapParser stops cleanly at every truncation length of a file", () => {
  const file = pcapFile(0xa1b2c3d4, true, 1, RECORDS);
  const firstEnd = 24 + 16 + 5;
  for (let length = 0; length <= file.length; length++) {
    const parser = new PcapParser("t.pcap");
    const batch = createPacketBatch(8);
    const chunk = chunkOf(file.subarray(0, length));
    parser.fill(chunk, batch);
    const expected = length >= file.length ? 2 : length >= firstEnd ? 1 : 0;
    assert.equal(batch.count, expected, `length ${length}`);
    assert.equal(parser.failed, false);
    assert.ok(parser.needBytes > length - chunk.start || expected === 2, `length ${length} asks for more bytes`);
  }
});

Deno.test("PcapParser stops a batch when it is full and resumes where it stopped", () => {
  const parser = new PcapParser("f.pcap");
  const batch = createPacketBatch(1);
  const chunk = chunkOf(pcapFile(0xa1b2c3d4, true, 1, RECORDS));
  parser.fill(chunk, batch);
  assert.equal(batch.count, 1);
  assert.equal(parser.needBytes, 0);
  batch.count = 0;
  parser.fill(chunk, batch);
  assert.equal(batch.count, 1);
  assert.equal(batch.timestampSec[0], 1700000001);
});

Deno.test("PcapParser fails with one read error on an impossible record length", () => {
  const file = pcapFile(0xa1b2c3d4, true, 1, RECORDS);
  new DataView(file.buffer).setUint32(24 + 16 + 5 + 8, 0x7fffffff, true);
  const parser = new PcapParser("bad.pcap");
  const batch = createPacketBatch(8);
  parser.fill(chunkOf(file), batch);
  assert.equal(batch.count, 1);
  assert.equal(parser.failed, true);
  assert.equal(parser.readErrors, 1);
});

Deno.test("isPcapMagic() knows all four magics and nothing else", () => {
  for (const magic of ["a1b2c3d4", "d4c3b2a1", "a1b23c4d", "4d3cb2a1"]) {
    assert.equal(isPcapMagic(new Uint8Array(magic.match(/../g)!.map((x) => parseInt(x, 16)))), true, magic);
  }
  assert.equal(isPcapMagic(new Uint8Array([0x0a, 0x0d, 0x0d, 0x0a])), false);
  assert.equal(isPcapMagic(new Uint8Array([0xa1])), false);
});
