import assert from "node:assert/strict";
import { createPacketBatch } from "../capture/batch.ts";
import { walkBlock } from "../capture/afpacket_block.ts";
import { Tpacket3Hdr as Header } from "./abi.ts";
import { BLOCK_BYTES, fakeBlock, frameOf } from "./_test_block.ts";
import { pcapBlock } from "./pcap_block.ts";
import { pcapRecords, PcapRecordsFlag } from "./pcap_records.ts";

Deno.test("pcapBlock() writes what walkBlock + pcapRecords write, VLAN tags and µs included", () => {
  const block = fakeBlock([frameOf(60), frameOf(20), frameOf(10), frameOf(300)], [60, 1500, 10, 300]);
  for (const flags of [PcapRecordsFlag.NANOSECOND | PcapRecordsFlag.VLAN_REINSERT, 0]) {
    const batch = createPacketBatch(64, block);
    const walk = walkBlock(new DataView(block.buffer), 0, BLOCK_BYTES, batch);
    const expected = new Uint8Array(BLOCK_BYTES);
    const reference = pcapRecords(batch, 0, batch.count, flags, expected);
    const out = new Uint8Array(BLOCK_BYTES);
    const result = pcapBlock(block, out, flags, Infinity);
    assert.equal(result.packets, 4);
    assert.equal(result.badPackets, 0);
    assert.equal(result.wireBytes, walk.wireBytes);
    assert.equal(result.bytes, reference.bytes);
    assert.deepEqual(out.subarray(0, result.bytes), expected.subarray(0, reference.bytes));
  }
});

Deno.test("pcapBlock() stops at packetsMax and counts a chain that leaves the block", () => {
  const block = fakeBlock([frameOf(60), frameOf(60), frameOf(60)], [60, 60, 60]);
  const out = new Uint8Array(BLOCK_BYTES);
  assert.equal(pcapBlock(block, out, 0, 2).packets, 2);
  assert.equal(pcapBlock(block, out, 0, 2).bytes, 2 * (16 + 60));
  new DataView(block.buffer).setUint32(48 + Header.tp_next_offset.offset, 5000, true);
  const result = pcapBlock(block, out, 0, 10);
  assert.equal(result.packets, 1);
  assert.equal(result.badPackets, 2);
  assert.throws(() => pcapBlock(block, out.subarray(0, 100), 0, 10), /shorter than the block/);
});
