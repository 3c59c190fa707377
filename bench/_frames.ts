/**
 * Bench helper: frames of a capture file read into memory, and frames packed into in-memory `PacketBatch`es, for
 * the benches that loop a corpus through the pipeline (bench/decode.ts, bench/output_workload.ts).
 * @module
 */
import { createPacketBatch, type PacketBatch } from "../src/capture/batch.ts";
import { openFileSource } from "../src/capture/file_source.ts";

/** One frame: its bytes and capture time. */
export interface Frame {
  bytes: Uint8Array;
  sec: number;
  nsec: number;
}

/** Every frame of the capture at `path`, copied out of the reader's buffers. */
export async function readFrames(path: string): Promise<Frame[]> {
  const source = await openFileSource(path);
  const frames: Frame[] = [];
  for (let batch = await source.next(); batch !== null; batch = await source.next()) {
    for (let i = 0; i < batch.count; i++) {
      const at = batch.offsets[i];
      frames.push({
        bytes: batch.data.slice(at, at + batch.capturedBytes[i]),
        sec: batch.timestampSec[i],
        nsec: batch.timestampNsec[i],
      });
    }
    source.release(batch);
  }
  await source.close();
  return frames;
}

/** `frames` packed into batches of `packetsPerBatch`, and each batch's packet seconds as packed. */
export function packFrames(
  frames: readonly Frame[],
  packetsPerBatch: number,
): { batches: PacketBatch[]; baseSec: Float64Array[] } {
  const batches: PacketBatch[] = [];
  const baseSec: Float64Array[] = [];
  for (let start = 0; start < frames.length; start += packetsPerBatch) {
    const part = frames.slice(start, start + packetsPerBatch);
    const data = new Uint8Array(part.reduce((sum, frame) => sum + frame.bytes.length, 0));
    const batch = createPacketBatch(part.length, data);
    let at = 0;
    for (const frame of part) {
      const i = batch.count++;
      data.set(frame.bytes, at);
      batch.offsets[i] = at;
      batch.capturedBytes[i] = batch.wireBytes[i] = frame.bytes.length;
      batch.timestampSec[i] = frame.sec;
      batch.timestampNsec[i] = frame.nsec;
      at += frame.bytes.length;
    }
    batches.push(batch);
    baseSec.push(batch.timestampSec.slice());
  }
  return { batches, baseSec };
}
