/**
 * Walks one retired TPACKET_V3 block (`tpacket_block_desc` + chained `tpacket3_hdr`s) into a `PacketBatch`,
 * with the kernel offsets generated into `native/abi.ts`. Pure: reads a DataView, writes typed arrays.
 * Live capture uses the library's `cap_block_walk` (src/native/block_walk.ts), tested against this reference walk.
 * @module
 */
import type { PacketBatch } from "./batch.ts";
import { PacketFlag, PacketType } from "./batch.ts";
import { Tpacket3Hdr as Header, TpacketBlockDesc as Block, TpStatus } from "../native/abi.ts";

/** What a walk found besides the packets it put into the batch. */
export interface BlockWalk {
  /** Sum of the packets' wire lengths. */
  wireBytes: number;
  /** Packets skipped because their header pointed outside the block (counted, never thrown). */
  badPackets: number;
}

// Offsets hoisted into constants: the walk runs once per packet.
const BLOCK_NUM_PKTS = Block.num_pkts.offset;
const BLOCK_OFFSET_TO_FIRST_PKT = Block.offset_to_first_pkt.offset;
const SLL_PKTTYPE = Header.sll_pkttype.offset;
const TP_LEN = Header.tp_len.offset;
const TP_MAC = Header.tp_mac.offset;
const TP_NEXT_OFFSET = Header.tp_next_offset.offset;
const TP_NSEC = Header.tp_nsec.offset;
const TP_SEC = Header.tp_sec.offset;
const TP_SNAPLEN = Header.tp_snaplen.offset;
const TP_STATUS = Header.tp_status.offset;
const TP_VLAN_TCI = Header.tp_vlan_tci.offset;
const TP_VLAN_TPID = Header.tp_vlan_tpid.offset;
const HEADER_BYTES = Header.size;

const walkResult: BlockWalk = { wireBytes: 0, badPackets: 0 };

/**
 * Fills `batch` (from index 0) with the packets of the block at `blockOffset` in `view`; packet offsets are
 * relative to the start of `view`, so `batch.data` must be the bytes `view` covers. The returned object is
 * reused by the next call.
 */
export function walkBlock(view: DataView, blockOffset: number, blockBytes: number, batch: PacketBatch): BlockWalk {
  const blockEnd = blockOffset + blockBytes;
  const packetsTotal = view.getUint32(blockOffset + BLOCK_NUM_PKTS, true);
  const packetsMax = batch.offsets.length;
  let header = blockOffset + view.getUint32(blockOffset + BLOCK_OFFSET_TO_FIRST_PKT, true);
  let count = 0;
  let wireBytes = 0;
  let badPackets = 0;
  for (let i = 0; i < packetsTotal; i++) {
    if (count === packetsMax || header + HEADER_BYTES > blockEnd) {
      badPackets += packetsTotal - i;
      break;
    }
    const capturedBytes = view.getUint32(header + TP_SNAPLEN, true);
    const wire = view.getUint32(header + TP_LEN, true);
    const packetOffset = header + view.getUint16(header + TP_MAC, true);
    if (packetOffset + capturedBytes > blockEnd) {
      badPackets += packetsTotal - i;
      break;
    }
    const status = view.getUint32(header + TP_STATUS, true);
    batch.offsets[count] = packetOffset;
    batch.capturedBytes[count] = capturedBytes;
    batch.wireBytes[count] = wire;
    batch.timestampSec[count] = view.getUint32(header + TP_SEC, true);
    batch.timestampNsec[count] = view.getUint32(header + TP_NSEC, true);
    let flags = capturedBytes < wire ? PacketFlag.TRUNCATED : 0;
    if (status & TpStatus.VLAN_VALID) {
      flags |= PacketFlag.VLAN_VALID;
      batch.vlanTci[count] = view.getUint32(header + TP_VLAN_TCI, true) & 0xffff;
      batch.vlanTpid[count] = status & TpStatus.VLAN_TPID_VALID ? view.getUint16(header + TP_VLAN_TPID, true) : 0x8100;
    } else {
      batch.vlanTci[count] = 0;
      batch.vlanTpid[count] = 0;
    }
    batch.flags[count] = flags;
    const pkttype = view.getUint8(header + SLL_PKTTYPE);
    batch.packetType[count] = pkttype <= PacketType.OUTGOING ? pkttype : PacketType.UNKNOWN;
    wireBytes += wire;
    count += 1;
    const nextOffset = view.getUint32(header + TP_NEXT_OFFSET, true);
    if (nextOffset === 0) {
      badPackets += packetsTotal - i - 1;
      break;
    }
    header += nextOffset;
  }
  batch.count = count;
  walkResult.wireBytes = wireBytes;
  walkResult.badPackets = badPackets;
  return walkResult;
}
