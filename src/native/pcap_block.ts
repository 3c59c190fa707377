/**
 * pcap records of one retired TPACKET_V3 block built by the capture library in one FFI call (`cap_pcap_block`):
 * the `capture -w` fast path, byte for byte what `walkBlock` + `pcapRecords` write, without a `PacketBatch`.
 * @module
 */
import { BlockRecords as Layout } from "./abi.ts";
import { CaptureError, codeFromStatus } from "./capture_error.ts";
import { captureLibrary } from "./lib.ts";

/** What one `pcapBlock` call did. The object is reused by the next call. */
export interface PcapBlockResult {
  /** Packets converted (at most `packetsMax`). */
  packets: number;
  /** Bytes of records written at the start of `out`. */
  bytes: number;
  /** Packets whose header or bytes lay outside the block (counted, not written). */
  badPackets: number;
  /** Sum of the wire lengths of the converted packets. */
  wireBytes: number;
}

const request = new Uint8Array(Layout.size);
const requestView = new DataView(request.buffer);
const result: PcapBlockResult = { packets: 0, bytes: 0, badPackets: 0, wireBytes: 0 };
/** The u32 `packets_max` fields of the block requests take any count above this as "no limit". */
const PACKETS_MAX_LIMIT = 0xffffffff;

/** `packetsMax` (any number, `Infinity` included) as a block request's u32 `packets_max` field. */
export function packetsMaxField(packetsMax: number): number {
  return Math.min(Math.max(0, Math.floor(packetsMax)), PACKETS_MAX_LIMIT);
}

/**
 * Writes the pcap records of at most `packetsMax` packets of `block` into `out` (`PcapRecordsFlag` bits in `flags`).
 * `out` must be at least as long as `block`: a block's records always fit then.
 * @throws {CaptureError} when the library is missing or refuses the request (a bug, not bad packets).
 */
export function pcapBlock(block: Uint8Array, out: Uint8Array, flags: number, packetsMax: number): PcapBlockResult {
  if (out.byteLength < block.byteLength) {
    throw new CaptureError("invalid_argument", `Output of ${out.byteLength} bytes is shorter than the block`);
  }
  const limit = packetsMaxField(packetsMax);
  requestView.setUint32(Layout.flags.offset, flags, true);
  requestView.setUint32(Layout.block_bytes.offset, block.byteLength, true);
  requestView.setUint32(Layout.out_bytes.offset, out.byteLength, true);
  requestView.setUint32(Layout.packets_max.offset, limit, true);
  const status = captureLibrary().cap_pcap_block(block, out, request);
  if (status < 0) {
    const code = codeFromStatus(status);
    throw new CaptureError(code, `cap_pcap_block failed: ${code}`);
  }
  result.packets = requestView.getUint32(Layout.packets_done.offset, true);
  result.bytes = requestView.getUint32(Layout.bytes_done.offset, true);
  result.badPackets = requestView.getUint32(Layout.bad_packets.offset, true);
  result.wireBytes = Number(requestView.getBigUint64(Layout.wire_bytes.offset, true));
  return result;
}
