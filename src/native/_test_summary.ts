/**
 * Test helper (not a test): frames packed into kernel-layout blocks, walked by the library with summaries, each
 * packet's `summaryFromColumns` compared field for field with `decodeSummary` (the reference) on the same batch.
 * @module
 */
import { Tpacket3Hdr as Header, TpacketBlockDesc as Block, TpStatus } from "./abi.ts";
import { createArenaBatch, walkBlockNative } from "./block_walk.ts";
import { MAC_OFFSET } from "./_test_block.ts";
import { decodeSummary } from "../decode/decode.ts";
import { createPacketSummary, type PacketSummary } from "../decode/summary.ts";
import { SUMMARY_VLAN_IDS_MAX, summaryFromColumns } from "../decode/summary_columns.ts";

const FIRST_PACKET_OFFSET = 48;
/** Frames go into blocks of at most this many bytes (a bigger frame gets a block of its own). */
const PACKED_BLOCK_BYTES_MAX = 1 << 20;

/** A block holding `frames` as the kernel lays them out; `tcis[k]` non-null marks an offloaded tag. */
export function blockOf(frames: readonly Uint8Array[], tcis: readonly (number | null)[]): Uint8Array {
  const slots = frames.map((frame) => (MAC_OFFSET + frame.length + 15) & ~15);
  const view = new DataView(new ArrayBuffer(FIRST_PACKET_OFFSET + slots.reduce((sum, slot) => sum + slot, 0)));
  const bytes = new Uint8Array(view.buffer);
  view.setUint32(Block.num_pkts.offset, frames.length, true);
  view.setUint32(Block.offset_to_first_pkt.offset, FIRST_PACKET_OFFSET, true);
  let at = FIRST_PACKET_OFFSET;
  frames.forEach((frame, k) => {
    const tci = tcis[k] ?? null;
    view.setUint32(at + Header.tp_next_offset.offset, k === frames.length - 1 ? 0 : slots[k], true);
    view.setUint32(at + Header.tp_sec.offset, 1_700_000_000 + k, true);
    view.setUint32(at + Header.tp_nsec.offset, k, true);
    view.setUint32(at + Header.tp_snaplen.offset, frame.length, true);
    view.setUint32(at + Header.tp_len.offset, frame.length + (k % 3), true);
    view.setUint32(at + Header.tp_status.offset, TpStatus.USER | (tci === null ? 0 : TpStatus.VLAN_VALID), true);
    view.setUint16(at + Header.tp_mac.offset, MAC_OFFSET, true);
    view.setUint32(at + Header.tp_vlan_tci.offset, tci ?? 0, true);
    bytes.set(frame, at + MAC_OFFSET);
    at += slots[k];
  });
  return bytes;
}

/** Field-by-field differences of two summaries (every field but `data`; the stored VLAN ids). */
export function summaryDifferences(native: PacketSummary, reference: PacketSummary): string[] {
  const differences: string[] = [];
  for (const key of Object.keys(reference) as (keyof PacketSummary)[]) {
    if (key === "data" || key === "vlanIds") continue;
    if (native[key] !== reference[key]) differences.push(`${key} ${native[key]} != ${reference[key]}`);
  }
  const stored = Math.min(reference.vlanCount, SUMMARY_VLAN_IDS_MAX);
  for (let k = 0; k < stored; k++) {
    if (native.vlanIds[k] !== reference.vlanIds[k]) differences.push(`vlanIds[${k}]`);
  }
  return differences;
}

/** What `compareNativeSummaries` found. */
export interface SummaryComparison {
  packets: number;
  malformed: number;
  /** One line per packet that differs: its index, then the differing fields. */
  mismatches: string[];
}

/**
 * Walks `frames` (link type `linkType`, tags from `tciOf`) through `cap_block_walk` with summaries and compares
 * every packet's native summary with `decodeSummary`'s, also the two return values.
 */
export function compareNativeSummaries(
  frames: readonly Uint8Array[],
  linkType: number,
  tciOf: (index: number) => number | null = () => null,
): SummaryComparison {
  const result: SummaryComparison = { packets: 0, malformed: 0, mismatches: [] };
  const native = createPacketSummary();
  const reference = createPacketSummary();
  let first = 0;
  while (first < frames.length) {
    let end = first + 1;
    let bytes = MAC_OFFSET + frames[first].length;
    while (end < frames.length && bytes + MAC_OFFSET + frames[end].length + 16 < PACKED_BLOCK_BYTES_MAX) {
      bytes += MAC_OFFSET + frames[end].length + 16;
      end++;
    }
    const tcis = frames.slice(first, end).map((_, k) => tciOf(first + k));
    const block = blockOf(frames.slice(first, end), tcis);
    const batch = createArenaBatch(end - first, block, true);
    batch.linkType = linkType;
    walkBlockNative(block, 0, batch);
    if (batch.count !== end - first) throw new Error(`walked ${batch.count} of ${end - first} packets`);
    for (let i = 0; i < batch.count; i++) {
      const nativeOk = summaryFromColumns(batch, batch.summaries!, i, native);
      const referenceOk = decodeSummary(batch, i, reference);
      const differences = summaryDifferences(native, reference);
      if (nativeOk !== referenceOk) differences.push(`returned ${nativeOk} != ${referenceOk}`);
      if (differences.length > 0) result.mismatches.push(`#${first + i}: ${differences.join(", ")}`);
      if (reference.malformed !== 0) result.malformed++;
      result.packets++;
    }
    first = end;
  }
  return result;
}
