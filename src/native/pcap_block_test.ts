import assert from "node:assert/strict";
import { createPacketBatch } from "../capture/batch.ts";
import { walkBlock } from "../capture/afpacket_block.ts";
import { Tpacket3Hdr as Header, TpacketBlockDesc as Block, TpStatus } from "./abi.ts";
import { pcapBlock } from "./pcap_block.ts";
import { pcapRecords, PcapRecordsFlag } from "./pcap_records.ts";

const MAC_OFFSET = 82; // TPACKET_ALIGN(48) + sockaddr_ll 20 + the kernel's 14-byte Ethernet alignment.
const BLOCK_BYTES = 4096;

/** Kernel layout: block header, then tpacket3_hdr + sockaddr_ll + frame per packet, chained; every 2nd tagged. */
function fakeBlock(frames: number[][], wireBytes: number[]): Uint8Array {
  const view = new DataView(new ArrayBuffer(BLOCK_BYTES));
  view.setUint32(Block.num_pkts.offset, frames.length, true);
  view.setUint32(Block.offset_to_first_pkt.offset, 48, true);
  let at = 48;
  frames.forEach((frame, k) => {
    const slot = (MAC_OFFSET + frame.length + 15) & ~15;
    const tagged = k % 2 === 0;
    view.setUint32(at + Header.tp_next_offset.offset, k === frames.length - 1 ? 0 : slot, true);
    view.setUint32(at + Header.tp_sec.offset, 1_700_000_000 + k, true);
    view.setUint32(at + Header.tp_nsec.offset, 123_456_789, true);
    view.setUint32(at + Header.tp_snaplen.offset, frame.length, true);
    view.setUint32(at + Header.tp_len.offset, wireBytes[k], true);
    const status = tagged ? TpStatus.VLAN_VALID | TpStatus.VLAN_TPID_VALID : 0;
    view.setUint32(at + Header.tp_status.offset, TpStatus.USER | status, true);
    view.setUint16(at + Header.tp_mac.offset, MAC_OFFSET, true);
    view.setUint32(at + Header.tp_vlan_tci.offset, 0x2064, true);
    view.setUint16(at + Header.tp_vlan_tpid.offset, 0x88a8, true);
    frame.forEach((byte, j) => view.setUint8(at + MAC_OFFSET + j, byte));
    at += slot;
  });
  return new Uint8Array(view.buffer);
}

function frameOf(bytes: number): number[] {
  return Array.from({ length: bytes }, (_, j) => (j * 7) & 0xff);
}

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
