/**
 * One retired TPACKET_V3 block walked by the capture library into an arena batch in one FFI call
 * (`cap_block_walk`): the per-packet arrays `walkBlock` fills in TypeScript, filled in Zig, for every live batch;
 * for a batch made with summaries also each packet's L2–L4 summary (`PacketBatch.summaries`).
 * @module
 */
import { BatchArena, BlockWalk as Layout, BlockWalkFlag, SummaryArena } from "./abi.ts";
import { CaptureError, codeFromStatus } from "./capture_error.ts";
import { captureLibrary } from "./lib.ts";
import { LinkType, type PacketBatch } from "../capture/batch.ts";
import { summaryColumnsOf } from "../decode/summary_columns.ts";

/** A `PacketBatch` whose per-packet arrays are views into one buffer laid out as `BatchArena` says. */
export interface ArenaBatch extends PacketBatch {
  /** The buffer behind every per-packet array (and the summary columns, when made with them). */
  arena: Uint8Array;
  /** Capacity in packets (a multiple of `BatchArena.packetsAlign`). */
  arenaPackets: number;
}

/** Link types the library decodes summaries for: the two a ring reports. */
export const SUMMARY_LINK_TYPES: readonly number[] = [LinkType.EN10MB, LinkType.RAW];

/** What one `walkBlockNative` call found besides the packets; reused by the next call. */
export interface NativeBlockWalk {
  wireBytes: number;
  badPackets: number;
}

/**
 * Allocates an arena batch for at least `packetsMax` packets over `data` (once per source, not per block); with
 * `summaries` the arena also holds the summary columns and every walk fills them.
 */
export function createArenaBatch(
  packetsMax: number,
  data: Uint8Array = new Uint8Array(0),
  summaries = false,
): ArenaBatch {
  const align = BatchArena.packetsAlign;
  const n = Math.max(align, Math.ceil(packetsMax / align) * align);
  const buffer = new ArrayBuffer(n * (summaries ? SummaryArena.bytesPerPacket : BatchArena.bytesPerPacket));
  return {
    count: 0,
    linkType: LinkType.EN10MB,
    interfaceIndex: 0,
    data,
    offsets: new Uint32Array(buffer, BatchArena.offsets * n, n),
    capturedBytes: new Uint32Array(buffer, BatchArena.capturedBytes * n, n),
    wireBytes: new Uint32Array(buffer, BatchArena.wireBytes * n, n),
    timestampSec: new Float64Array(buffer, BatchArena.timestampSec * n, n),
    timestampNsec: new Uint32Array(buffer, BatchArena.timestampNsec * n, n),
    vlanTci: new Uint16Array(buffer, BatchArena.vlanTci * n, n),
    vlanTpid: new Uint16Array(buffer, BatchArena.vlanTpid * n, n),
    flags: new Uint8Array(buffer, BatchArena.flags * n, n),
    packetType: new Uint8Array(buffer, BatchArena.packetType * n, n),
    summaries: summaries ? summaryColumnsOf(buffer, n) : undefined,
    arena: new Uint8Array(buffer),
    arenaPackets: n,
  };
}

const request = new Uint8Array(Layout.size);
const requestView = new DataView(request.buffer);
const result: NativeBlockWalk = { wireBytes: 0, badPackets: 0 };

/**
 * Fills `batch` (from index 0, setting `count`) with the packets of `block`; packet offsets are `baseOffset` plus
 * the offset within the block, so `batch.data` must start `baseOffset` bytes before `block`. A batch with
 * summaries gets them decoded for `batch.linkType` (one of `SUMMARY_LINK_TYPES`).
 * @throws {CaptureError} when the library refuses the request (a bug, not bad packets: those are counted).
 */
export function walkBlockNative(block: Uint8Array, baseOffset: number, batch: ArenaBatch): NativeBlockWalk {
  requestView.setUint32(Layout.block_bytes.offset, block.byteLength, true);
  requestView.setUint32(Layout.flags.offset, batch.summaries ? BlockWalkFlag.SUMMARIES : 0, true);
  requestView.setUint32(Layout.link_type.offset, batch.linkType, true);
  requestView.setUint32(Layout.base_offset.offset, baseOffset, true);
  requestView.setUint32(Layout.packets_max.offset, batch.arenaPackets, true);
  requestView.setUint32(Layout.arena_bytes.offset, batch.arena.byteLength, true);
  const status = captureLibrary().cap_block_walk(block, batch.arena, request);
  if (status < 0) {
    const code = codeFromStatus(status);
    throw new CaptureError(code, `cap_block_walk failed: ${code}`);
  }
  batch.count = status;
  result.badPackets = requestView.getUint32(Layout.bad_packets.offset, true);
  result.wireBytes = Number(requestView.getBigUint64(Layout.wire_bytes.offset, true));
  return result;
}
