/**
 * The spool's record framing: a 16-byte header, then the payload.
 *
 * ```
 * offset 0  u32 LE  payload length
 * offset 4  u32 LE  CRC-32C of bytes 8 .. 16 + length (timestamp and payload)
 * offset 8  f64 LE  timestamp, milliseconds since the Unix epoch (capture time: gives the oldest record's age)
 * offset 16 payload
 * ```
 *
 * A crash mid-write leaves a short or mismatching last frame; `scanFrames()` stops there so the segment can be
 * truncated to its last whole record.
 *
 * @module
 */
import { crc32c } from "./crc32c.ts";

/** Bytes before each payload. */
export const frameHeaderBytes = 16;

/** One record read back from a segment. */
export interface Frame {
  payload: Uint8Array;
  timestampMs: number;
}

/** Result of checking a segment's bytes frame by frame. */
export interface FrameScan {
  /** Bytes from the start that hold whole, checksum-valid frames. */
  validBytes: number;
  /** Frames in `validBytes`. */
  records: number;
  /** Offset of each frame start, plus `validBytes` at the end (for cursor validation). */
  boundaries: number[];
  /** Why the scan stopped early: "short" (torn write) or "checksum"; null when every byte was valid. */
  stop: "short" | "checksum" | null;
}

/** Writes the frame for `payload` into `target` at `offset`; returns the offset after it. */
export function writeFrame(target: Uint8Array, offset: number, payload: Uint8Array, timestampMs: number): number {
  const view = new DataView(target.buffer, target.byteOffset, target.byteLength);
  view.setUint32(offset, payload.length, true);
  view.setFloat64(offset + 8, timestampMs, true);
  target.set(payload, offset + frameHeaderBytes);
  const checked = target.subarray(offset + 8, offset + frameHeaderBytes + payload.length);
  view.setUint32(offset + 4, crc32c(checked), true);
  return offset + frameHeaderBytes + payload.length;
}

/** Encodes several records into one buffer, ready for a single write. */
export function encodeFrames(payloads: readonly Uint8Array[], timestampsMs: readonly number[]): Uint8Array {
  let total = 0;
  for (const payload of payloads) total += frameHeaderBytes + payload.length;
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (let i = 0; i < payloads.length; i++) offset = writeFrame(bytes, offset, payloads[i], timestampsMs[i]);
  return bytes;
}

/** Length of the frame starting at `offset`, or -1 when its header is incomplete. */
export function frameLength(bytes: Uint8Array, offset: number): number {
  if (bytes.length - offset < frameHeaderBytes) return -1;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return frameHeaderBytes + view.getUint32(offset, true);
}

/** Timestamp of the frame starting at `offset` (header must be present). */
export function frameTimestampMs(bytes: Uint8Array, offset: number): number {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getFloat64(offset + 8, true);
}

/** Checks every frame of a segment; stops at the first short or corrupt one. */
export function scanFrames(bytes: Uint8Array): FrameScan {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const boundaries = [0];
  let offset = 0;
  let records = 0;
  let stop: FrameScan["stop"] = null;
  while (offset < bytes.length) {
    const length = frameLength(bytes, offset);
    if (length < 0 || offset + length > bytes.length) {
      stop = "short";
      break;
    }
    const checked = bytes.subarray(offset + 8, offset + length);
    if (crc32c(checked) !== view.getUint32(offset + 4, true)) {
      stop = "checksum";
      break;
    }
    offset += length;
    records++;
    boundaries.push(offset);
  }
  return { validBytes: offset, records, boundaries, stop };
}

/**
 * Decodes whole frames from the start of `bytes` (already validated or freshly read), at most `recordsMax`; the
 * payloads are copies, so the read buffer can be reused. Returns the frames and the bytes they took.
 */
export function decodeFrames(bytes: Uint8Array, recordsMax: number): { frames: Frame[]; bytes: number } {
  const frames: Frame[] = [];
  let offset = 0;
  while (frames.length < recordsMax) {
    const length = frameLength(bytes, offset);
    if (length < 0 || offset + length > bytes.length) break;
    const payload = bytes.slice(offset + frameHeaderBytes, offset + length);
    frames.push({ payload, timestampMs: frameTimestampMs(bytes, offset) });
    offset += length;
  }
  return { frames, bytes: offset };
}
