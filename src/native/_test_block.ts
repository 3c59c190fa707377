/**
 * Test helper (not a test): TPACKET_V3 blocks laid out as the kernel writes them, for the block converters' tests.
 * @module
 */
import { Tpacket3Hdr as Header, TpacketBlockDesc as Block, TpStatus } from "./abi.ts";

export const MAC_OFFSET = 82; // TPACKET_ALIGN(48) + sockaddr_ll 20 + the kernel's 14-byte Ethernet alignment.
export const BLOCK_BYTES = 4096;

/** Kernel layout: block header, then tpacket3_hdr + sockaddr_ll + frame per packet, chained; every 2nd tagged. */
export function fakeBlock(frames: number[][], wireBytes: number[]): Uint8Array {
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
    view.setUint8(at + Header.sll_pkttype.offset, k % 6);
    frame.forEach((byte, j) => view.setUint8(at + MAC_OFFSET + j, byte));
    at += slot;
  });
  return new Uint8Array(view.buffer);
}

export function frameOf(bytes: number): number[] {
  return Array.from({ length: bytes }, (_, j) => (j * 7) & 0xff);
}
