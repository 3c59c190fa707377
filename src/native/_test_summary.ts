/**
 * Test helper (not a test): frames packed into kernel-layout blocks, walked by the library with summaries, each
 * packet's `summaryFromColumns` compared field for field with `decodeSummary` (the reference) on the same batch; and
 * the same blocks counted by the library (`countBlock`), every counter compared with `decodeSummary` +
 * `protocolClass` over the same packets.
 * @module
 */
import { Tpacket3Hdr as Header, TpacketBlockDesc as Block, TpStatus } from "./abi.ts";
import { createArenaBatch, walkBlockNative } from "./block_walk.ts";
import { countBlock, PROTOCOL_CLASSES_COUNT } from "./block_counts.ts";
import { MAC_OFFSET } from "./_test_block.ts";
import { concat, ethernet, ipv4, ipv6, tcp, udp, vlanTag } from "../capture/_test_batch.ts";
import { decodeSummary } from "../decode/decode.ts";
import { createPacketSummary, Malformed, type PacketSummary } from "../decode/summary.ts";
import { SUMMARY_VLAN_IDS_MAX, summaryFromColumns } from "../decode/summary_columns.ts";
import { protocolClass } from "../cli/capture_report.ts";

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
  for (const { first, end, block } of packedBlocks(frames, tciOf)) {
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
  }
  return result;
}

/** Frames `first ..< end` packed into one kernel-layout block (at most `PACKED_BLOCK_BYTES_MAX` unless one frame). */
interface PackedBlock {
  first: number;
  end: number;
  block: Uint8Array;
}

function* packedBlocks(
  frames: readonly Uint8Array[],
  tciOf: (index: number) => number | null,
): Generator<PackedBlock> {
  let first = 0;
  while (first < frames.length) {
    let end = first + 1;
    let bytes = MAC_OFFSET + frames[first].length;
    while (end < frames.length && bytes + MAC_OFFSET + frames[end].length + 16 < PACKED_BLOCK_BYTES_MAX) {
      bytes += MAC_OFFSET + frames[end].length + 16;
      end++;
    }
    const tcis = frames.slice(first, end).map((_, k) => tciOf(first + k));
    yield { first, end, block: blockOf(frames.slice(first, end), tcis) };
    first = end;
  }
}

/** Counters of a run of packets: what `countBlock` returns per block, summed. */
export interface PacketCounts {
  packets: number;
  badPackets: number;
  malformedPackets: number;
  protocolClasses: number[];
  wireBytes: number;
  capturedBytes: number;
}

function emptyCounts(): PacketCounts {
  return {
    packets: 0,
    badPackets: 0,
    malformedPackets: 0,
    protocolClasses: new Array(PROTOCOL_CLASSES_COUNT).fill(0),
    wireBytes: 0,
    capturedBytes: 0,
  };
}

/** What `compareNativeCounts` found: the library's counters, the reference's, and the blocks that differ. */
export interface CountsComparison {
  native: PacketCounts;
  reference: PacketCounts;
  /** One line per block whose counters differ: its first packet, then both counters as JSON. */
  mismatches: string[];
}

/**
 * Counts `frames` (link type `linkType`, tags from `tciOf`) with `cap_block_counts` block by block and compares every
 * counter with those of `decodeSummary` + `protocolClass` over the same packets (walked by `cap_block_walk`).
 */
export function compareNativeCounts(
  frames: readonly Uint8Array[],
  linkType: number,
  tciOf: (index: number) => number | null = () => null,
): CountsComparison {
  const comparison: CountsComparison = { native: emptyCounts(), reference: emptyCounts(), mismatches: [] };
  const summary = createPacketSummary();
  for (const { first, end, block } of packedBlocks(frames, tciOf)) {
    const native = emptyCounts();
    addCounts(native, countBlock(block, linkType, Number.MAX_SAFE_INTEGER));
    const batch = createArenaBatch(end - first, block);
    batch.linkType = linkType;
    const walk = walkBlockNative(block, 0, batch);
    const reference = emptyCounts();
    reference.packets = batch.count;
    reference.badPackets = walk.badPackets;
    for (let i = 0; i < batch.count; i++) {
      decodeSummary(batch, i, summary);
      reference.protocolClasses[protocolClass(summary)]++;
      if (summary.malformed !== Malformed.NONE) reference.malformedPackets++;
      reference.wireBytes += batch.wireBytes[i];
      reference.capturedBytes += batch.capturedBytes[i];
    }
    if (JSON.stringify(native) !== JSON.stringify(reference)) {
      comparison.mismatches.push(`#${first}: ${JSON.stringify(native)} != ${JSON.stringify(reference)}`);
    }
    addCounts(comparison.native, native);
    addCounts(comparison.reference, reference);
  }
  return comparison;
}

function addCounts(
  total: PacketCounts,
  counts: Omit<PacketCounts, "protocolClasses"> & { protocolClasses: ArrayLike<number> },
): void {
  total.packets += counts.packets;
  total.badPackets += counts.badPackets;
  total.malformedPackets += counts.malformedPackets;
  for (let k = 0; k < total.protocolClasses.length; k++) total.protocolClasses[k] += counts.protocolClasses[k];
  total.wireBytes += counts.wireBytes;
  total.capturedBytes += counts.capturedBytes;
}

/** Frames that reach every branch of the summary decoders; their prefixes reach every `Malformed` reason. */
export function summaryFrames(): Uint8Array[] {
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
