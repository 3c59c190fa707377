/**
 * The counters of one retired TPACKET_V3 block from the capture library in one FFI call (`cap_block_counts`): packets,
 * bytes, protocol classes (`protocolClassOf` of src/cli/capture_report.ts, computed in Zig) and malformed packets of
 * every packet's L2–L4 summary. The `capture -q --summary` fast path: no `PacketBatch`, nothing per packet.
 * @module
 */
import { BlockCounts as Layout } from "./abi.ts";
import { CaptureError, codeFromStatus } from "./capture_error.ts";
import { captureLibrary } from "./lib.ts";
import { packetsMaxField } from "./pcap_block.ts";

/** Protocol classes counted, indexed like `PROTOCOL_NAMES` of src/cli/capture_report.ts. */
export const PROTOCOL_CLASSES_COUNT = Layout.protocol_classes.size / 4;

/** What one `countBlock` call found. The object (and its `protocolClasses`) is reused by the next call. */
export interface BlockCountsResult {
  /** Packets counted (at most `packetsMax`). */
  packets: number;
  /** Packets whose header or bytes lay outside the block (not counted otherwise). */
  badPackets: number;
  /** Counted packets whose summary is malformed (`Malformed` other than NONE). */
  malformedPackets: number;
  /** Counted packets per protocol class. */
  protocolClasses: Uint32Array;
  /** Sums of the wire and captured lengths of the counted packets. */
  wireBytes: number;
  capturedBytes: number;
}

const request = new Uint8Array(Layout.size);
const requestView = new DataView(request.buffer);
const classesView = new Uint32Array(request.buffer, Layout.protocol_classes.offset, PROTOCOL_CLASSES_COUNT);
const result: BlockCountsResult = {
  packets: 0,
  badPackets: 0,
  malformedPackets: 0,
  protocolClasses: new Uint32Array(PROTOCOL_CLASSES_COUNT),
  wireBytes: 0,
  capturedBytes: 0,
};

/**
 * Counts at most `packetsMax` packets of `block`, decoded as `linkType` (Ethernet or raw IP: `SUMMARY_LINK_TYPES`).
 * @throws {CaptureError} when the library refuses the request (another link type, a block shorter than its header).
 */
export function countBlock(block: Uint8Array, linkType: number, packetsMax: number): BlockCountsResult {
  const limit = packetsMaxField(packetsMax);
  requestView.setUint32(Layout.block_bytes.offset, block.byteLength, true);
  requestView.setUint32(Layout.link_type.offset, linkType, true);
  requestView.setUint32(Layout.packets_max.offset, limit, true);
  const status = captureLibrary().cap_block_counts(block, request);
  if (status < 0) {
    const code = codeFromStatus(status);
    throw new CaptureError(code, `cap_block_counts failed: ${code}`);
  }
  result.packets = requestView.getUint32(Layout.packets_done.offset, true);
  result.badPackets = requestView.getUint32(Layout.bad_packets.offset, true);
  result.malformedPackets = requestView.getUint32(Layout.malformed_packets.offset, true);
  result.protocolClasses.set(classesView);
  result.wireBytes = Number(requestView.getBigUint64(Layout.wire_bytes.offset, true));
  result.capturedBytes = Number(requestView.getBigUint64(Layout.captured_bytes.offset, true));
  return result;
}
