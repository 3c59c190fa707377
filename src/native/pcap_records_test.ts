import assert from "node:assert/strict";
import { batchOf, hex } from "../capture/_test_batch.ts";
import { LinkType, PacketFlag } from "../capture/batch.ts";
import { copyPacket, writtenBytes } from "../capture/pcap_writer.ts";
import { pcapRecords, PcapRecordsFlag } from "./pcap_records.ts";

const FRAME = hex("ffffffffffff 020000000001 0800 4500 0014 0000");

/** What `PcapWriter.writePacket` writes for packet i (the TypeScript reference). */
function referenceRecord(batch: ReturnType<typeof batchOf>, i: number, nanosecond: boolean): Uint8Array {
  const bytes = writtenBytes(batch, i);
  const out = new Uint8Array(16 + bytes);
  const view = new DataView(out.buffer);
  view.setUint32(0, batch.timestampSec[i], true);
  view.setUint32(4, nanosecond ? batch.timestampNsec[i] : Math.floor(batch.timestampNsec[i] / 1000), true);
  view.setUint32(8, bytes, true);
  view.setUint32(12, batch.wireBytes[i] + bytes - batch.capturedBytes[i], true);
  copyPacket(batch, i, out, 16);
  return out;
}

function mixedBatch() {
  const batch = batchOf([FRAME, FRAME.subarray(0, 14), FRAME.subarray(0, 10), FRAME]);
  batch.flags[1] = PacketFlag.VLAN_VALID | PacketFlag.TRUNCATED;
  batch.vlanTci[1] = 0x2064;
  batch.wireBytes[1] = 1500;
  batch.flags[2] = PacketFlag.VLAN_VALID; // Shorter than the MAC pair: no tag.
  batch.flags[3] = PacketFlag.VLAN_VALID;
  batch.vlanTpid[3] = 0x88a8;
  batch.vlanTci[3] = 7;
  batch.timestampSec[3] = 2 ** 32 + 5; // Wraps like DataView.setUint32.
  batch.timestampNsec[3] = 999_999_999;
  return batch;
}

Deno.test("pcapRecords() writes what PcapWriter.writePacket writes, VLAN tags, snap cuts and µs included", () => {
  for (const nanosecond of [true, false]) {
    const batch = mixedBatch();
    const flags = (nanosecond ? PcapRecordsFlag.NANOSECOND : 0) | PcapRecordsFlag.VLAN_REINSERT;
    const out = new Uint8Array(4096);
    const done = pcapRecords(batch, 0, batch.count, flags, out);
    const expected = Array.from({ length: batch.count }, (_, i) => Array.from(referenceRecord(batch, i, nanosecond)));
    assert.equal(done.packets, 4);
    assert.equal(done.badPackets, 0);
    assert.deepEqual(Array.from(out.subarray(0, done.bytes)), expected.flat());
  }
});

Deno.test("pcapRecords() stops before a record that does not fit and resumes from the next index", () => {
  const batch = mixedBatch();
  batch.linkType = LinkType.RAW;
  const out = new Uint8Array(16 + FRAME.length + 16 + 13);
  const first = pcapRecords(batch, 0, batch.count, PcapRecordsFlag.NANOSECOND, out);
  assert.deepEqual([first.packets, first.bytes], [1, 16 + FRAME.length]);
  const rest = pcapRecords(batch, 1, 3, PcapRecordsFlag.NANOSECOND, new Uint8Array(100));
  assert.deepEqual([rest.packets, rest.bytes], [2, 16 + 14 + 16 + 10]);
});

Deno.test("pcapRecords() counts and skips a packet whose bytes lie outside the batch data", () => {
  const batch = mixedBatch();
  batch.offsets[2] = batch.data.length - 2;
  const done = pcapRecords(batch, 0, batch.count, 0, new Uint8Array(4096));
  assert.equal(done.packets, 4);
  assert.equal(done.badPackets, 1);
});
