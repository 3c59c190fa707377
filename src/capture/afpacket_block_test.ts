import assert from "node:assert/strict";
import { createPacketBatch, PacketFlag, PacketType } from "./batch.ts";
import { walkBlock } from "./afpacket_block.ts";
import { Tpacket3Hdr as Header, TpacketBlockDesc as Block, TpStatus } from "../native/abi.ts";

interface FakePacket {
  bytes: number[];
  wireBytes?: number;
  sec: number;
  nsec: number;
  status?: number;
  vlanTci?: number;
  vlanTpid?: number;
  pkttype: number;
}

const MAC_OFFSET = 80; // TPACKET_ALIGN(48 + sizeof(sockaddr_ll) 20) as the kernel lays it out, rounded up.

/** Lays out packets as the kernel does: block header, then tpacket3_hdr + sockaddr_ll + frame, chained. */
function fakeBlock(packets: FakePacket[], blockBytes = 4096, blockOffset = 0): DataView {
  const view = new DataView(new ArrayBuffer(blockOffset + blockBytes));
  const first = 48;
  view.setUint32(blockOffset + Block.num_pkts.offset, packets.length, true);
  view.setUint32(blockOffset + Block.offset_to_first_pkt.offset, first, true);
  let at = blockOffset + first;
  packets.forEach((packet, k) => {
    const slot = (MAC_OFFSET + packet.bytes.length + 15) & ~15;
    view.setUint32(at + Header.tp_next_offset.offset, k === packets.length - 1 ? 0 : slot, true);
    view.setUint32(at + Header.tp_sec.offset, packet.sec, true);
    view.setUint32(at + Header.tp_nsec.offset, packet.nsec, true);
    view.setUint32(at + Header.tp_snaplen.offset, packet.bytes.length, true);
    view.setUint32(at + Header.tp_len.offset, packet.wireBytes ?? packet.bytes.length, true);
    view.setUint32(at + Header.tp_status.offset, packet.status ?? 1, true);
    view.setUint16(at + Header.tp_mac.offset, MAC_OFFSET, true);
    view.setUint32(at + Header.tp_vlan_tci.offset, packet.vlanTci ?? 0, true);
    view.setUint16(at + Header.tp_vlan_tpid.offset, packet.vlanTpid ?? 0, true);
    view.setUint8(at + Header.sll_pkttype.offset, packet.pkttype);
    packet.bytes.forEach((byte, j) => view.setUint8(at + MAC_OFFSET + j, byte));
    at += slot;
  });
  return view;
}

Deno.test("walkBlock() fills offsets, lengths, times and packet types of every packet", () => {
  const view = fakeBlock(
    [
      { bytes: [1, 2, 3, 4, 5, 6, 7, 8], sec: 1_700_000_000, nsec: 123_456_789, pkttype: PacketType.HOST },
      { bytes: [9, 9, 9], wireBytes: 1500, sec: 1_700_000_001, nsec: 5, pkttype: PacketType.OUTGOING },
    ],
    4096,
    8192,
  );
  const batch = createPacketBatch(64, new Uint8Array(view.buffer));
  const walk = walkBlock(view, 8192, 4096, batch);
  assert.equal(batch.count, 2);
  assert.equal(walk.badPackets, 0);
  assert.equal(walk.wireBytes, 1508);
  assert.deepEqual([...batch.data.subarray(batch.offsets[0], batch.offsets[0] + 8)], [1, 2, 3, 4, 5, 6, 7, 8]);
  assert.deepEqual([...batch.data.subarray(batch.offsets[1], batch.offsets[1] + 3)], [9, 9, 9]);
  assert.deepEqual([...batch.capturedBytes.subarray(0, 2)], [8, 3]);
  assert.deepEqual([...batch.wireBytes.subarray(0, 2)], [8, 1500]);
  assert.deepEqual([...batch.timestampSec.subarray(0, 2)], [1_700_000_000, 1_700_000_001]);
  assert.deepEqual([...batch.timestampNsec.subarray(0, 2)], [123_456_789, 5]);
  assert.deepEqual([...batch.packetType.subarray(0, 2)], [PacketType.HOST, PacketType.OUTGOING]);
  assert.deepEqual([...batch.flags.subarray(0, 2)], [0, PacketFlag.TRUNCATED]);
});

Deno.test("walkBlock() reports offloaded VLAN tags with their TPID, or 0x8100 when the kernel gave none", () => {
  const view = fakeBlock([
    { bytes: [1], sec: 1, nsec: 0, pkttype: 0, status: 1 | TpStatus.VLAN_VALID, vlanTci: 0x2064 },
    {
      bytes: [2],
      sec: 1,
      nsec: 0,
      pkttype: 0,
      status: 1 | TpStatus.VLAN_VALID | TpStatus.VLAN_TPID_VALID,
      vlanTci: 7,
      vlanTpid: 0x88a8,
    },
    { bytes: [3], sec: 1, nsec: 0, pkttype: 0, vlanTci: 99 },
  ]);
  const batch = createPacketBatch(64, new Uint8Array(view.buffer));
  walkBlock(view, 0, 4096, batch);
  assert.equal(batch.count, 3);
  assert.deepEqual([...batch.flags.subarray(0, 3)], [PacketFlag.VLAN_VALID, PacketFlag.VLAN_VALID, 0]);
  assert.deepEqual([...batch.vlanTci.subarray(0, 3)], [0x2064, 7, 0]);
  assert.deepEqual([...batch.vlanTpid.subarray(0, 3)], [0x8100, 0x88a8, 0]);
});

Deno.test("walkBlock() counts packets that point outside the block instead of reading them", () => {
  const view = fakeBlock([
    { bytes: [1, 1], sec: 1, nsec: 0, pkttype: 0 },
    { bytes: [2, 2], sec: 1, nsec: 0, pkttype: 0 },
    { bytes: [3, 3], sec: 1, nsec: 0, pkttype: 0 },
  ]);
  // The second packet claims more bytes than the block holds.
  view.setUint32(48 + 96 + Header.tp_snaplen.offset, 100_000, true);
  const batch = createPacketBatch(64, new Uint8Array(view.buffer));
  const walk = walkBlock(view, 0, 4096, batch);
  assert.equal(batch.count, 1);
  assert.equal(walk.badPackets, 2);
});

Deno.test("walkBlock() stops at the batch capacity and counts the rest", () => {
  const packets = Array.from({ length: 5 }, (_, k) => ({ bytes: [k], sec: 1, nsec: k, pkttype: 0 }));
  const view = fakeBlock(packets);
  const batch = createPacketBatch(3, new Uint8Array(view.buffer));
  const walk = walkBlock(view, 0, 4096, batch);
  assert.equal(batch.count, 3);
  assert.equal(walk.badPackets, 2);
  assert.deepEqual([...batch.timestampNsec], [0, 1, 2]);
});

Deno.test("walkBlock() handles an empty block", () => {
  const view = fakeBlock([]);
  const batch = createPacketBatch(4, new Uint8Array(view.buffer));
  batch.count = 4;
  const walk = walkBlock(view, 0, 4096, batch);
  assert.equal(batch.count, 0);
  assert.equal(walk.badPackets, 0);
});
