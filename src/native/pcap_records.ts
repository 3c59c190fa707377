/**
 * pcap records for a range of a `PacketBatch` built by the capture library in one FFI call (`cap_pcap_records`):
 * the capture writer's hot path, byte for byte what `PcapWriter.writePacket` writes, without per-packet JavaScript.
 * @module
 */
import type { PacketBatch } from "../capture/batch.ts";
import { PcapRecords as Layout, PcapRecordsFlag } from "./abi.ts";
import { CaptureError, codeFromStatus } from "./capture_error.ts";
import { captureLibrary, type CaptureSymbols } from "./lib.ts";

export { PcapRecordsFlag };

/** What one `pcapRecords` call did. The object is reused by the next call. */
export interface PcapRecordsResult {
  /** Packets consumed from `first` on: converted, or skipped as bad. 0 when the first record did not fit. */
  packets: number;
  /** Bytes written at the start of `out`. */
  bytes: number;
  /** Packets whose bytes lay outside `batch.data` (counted and skipped). */
  badPackets: number;
}

const request = new Uint8Array(Layout.size);
const requestView = new DataView(request.buffer);
const result: PcapRecordsResult = { packets: 0, bytes: 0, badPackets: 0 };
let symbols: CaptureSymbols | null | undefined;

/** True when the capture library can be loaded (else writers keep their TypeScript path). */
export function pcapRecordsAvailable(): boolean {
  if (symbols === undefined) {
    try {
      symbols = captureLibrary();
    } catch {
      symbols = null;
    }
  }
  return symbols !== null;
}

/**
 * Writes pcap records of packets `first ..< end` of `batch` into `out` (`PcapRecordsFlag` bits in `flags`), stopping
 * before the first record that does not fit.
 * @throws {CaptureError} when the library is missing or refuses the request (a bug, not bad packets).
 */
export function pcapRecords(
  batch: PacketBatch,
  first: number,
  end: number,
  flags: number,
  out: Uint8Array,
): PcapRecordsResult {
  if (!pcapRecordsAvailable()) throw new CaptureError("library_missing", "Capture library not loaded");
  requestView.setUint32(Layout.flags.offset, flags, true);
  requestView.setUint32(Layout.first.offset, first, true);
  requestView.setUint32(Layout.end.offset, end, true);
  requestView.setUint32(Layout.data_bytes.offset, batch.data.byteLength, true);
  requestView.setUint32(Layout.out_bytes.offset, out.byteLength, true);
  const status = symbols!.cap_pcap_records(
    batch.data,
    batch.offsets,
    batch.capturedBytes,
    batch.wireBytes,
    batch.timestampSec,
    batch.timestampNsec,
    batch.vlanTci,
    batch.vlanTpid,
    batch.flags,
    out,
    request,
  );
  if (status < 0) {
    const code = codeFromStatus(status);
    throw new CaptureError(code, `cap_pcap_records failed: ${code}`);
  }
  result.packets = requestView.getUint32(Layout.packets_done.offset, true);
  result.bytes = requestView.getUint32(Layout.bytes_done.offset, true);
  result.badPackets = requestView.getUint32(Layout.bad_packets.offset, true);
  return result;
}
