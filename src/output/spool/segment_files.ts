/**
 * The spool directory on disk: segment files named by a 16-digit id (ascending = oldest first) and a cursor file
 * that says how far replay got. Everything here is synchronous: the spool is written from `Output.write()`.
 *
 * @module
 */
import { frameLength, frameTimestampMs, scanFrames } from "./frame.ts";

/** First id of an empty spool; ids below it are left for segments put in front of the head (`Spool.prepend`). */
export const firstSegmentId = 1_000_000_000_000;
const segmentPattern = /^(\d{16})\.seg$/;
const cursorName = "cursor.json";

/** One segment as the spool tracks it. */
export interface Segment {
  id: number;
  /** Bytes of whole, valid frames. */
  bytes: number;
  records: number;
}

/** Replay position: the first unread byte of segment `segmentId`. */
export interface Cursor {
  segmentId: number;
  offset: number;
}

/** What opening a spool directory found and repaired. */
export interface SegmentRecovery {
  segments: Segment[];
  /** Position in `segments[0]` after the cursor, and the records before it. */
  headOffset: number;
  headRecordsRead: number;
  /** Torn or corrupt frames cut off (one per damaged segment) and the bytes removed with them. */
  tornRecords: number;
  tornBytes: number;
}

/** Path of segment `id` in `dir`. */
export function segmentPath(dir: string, id: number): string {
  return `${dir}/${String(id).padStart(16, "0")}.seg`;
}

/** Persists the replay position with write + rename, so a crash leaves the old or the new cursor, never half. */
export function writeCursor(dir: string, cursor: Cursor | null): void {
  const path = `${dir}/${cursorName}`;
  if (cursor === null) {
    try {
      Deno.removeSync(path);
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    }
    return;
  }
  Deno.writeTextFileSync(`${path}.tmp`, JSON.stringify(cursor));
  Deno.renameSync(`${path}.tmp`, path);
}

function readCursor(dir: string): Cursor | null {
  try {
    const value = JSON.parse(Deno.readTextFileSync(`${dir}/${cursorName}`));
    if (Number.isSafeInteger(value?.segmentId) && Number.isSafeInteger(value?.offset)) return value;
  } catch {
    // Missing or unreadable: replay from the oldest segment (duplicates are possible, loss is not).
  }
  return null;
}

function listSegmentIds(dir: string): number[] {
  const ids: number[] = [];
  for (const entry of Deno.readDirSync(dir)) {
    const match = entry.isFile ? segmentPattern.exec(entry.name) : null;
    if (match) ids.push(Number(match[1]));
  }
  return ids.sort((a, b) => a - b);
}

/**
 * Reads every segment in `dir`, truncates each at its first torn or corrupt frame, deletes empty and already
 * replayed segments, and positions the head at the saved cursor.
 */
export function recoverSegments(dir: string): SegmentRecovery {
  Deno.mkdirSync(dir, { recursive: true });
  const cursor = readCursor(dir);
  const recovery: SegmentRecovery = { segments: [], headOffset: 0, headRecordsRead: 0, tornRecords: 0, tornBytes: 0 };
  for (const id of listSegmentIds(dir)) {
    const path = segmentPath(dir, id);
    if (cursor !== null && id < cursor.segmentId) {
      Deno.removeSync(path); // Replayed before the crash, not yet deleted.
      continue;
    }
    const bytes = Deno.readFileSync(path);
    const scan = scanFrames(bytes);
    if (scan.stop !== null) {
      recovery.tornRecords++;
      recovery.tornBytes += bytes.length - scan.validBytes;
      Deno.truncateSync(path, scan.validBytes);
    }
    if (scan.records === 0) {
      Deno.removeSync(path);
      continue;
    }
    if (cursor !== null && id === cursor.segmentId) {
      const index = scan.boundaries.indexOf(cursor.offset);
      // A cursor that is not on a frame boundary is damaged: replay the whole segment rather than lose records.
      if (index > 0 && index < scan.boundaries.length - 1) {
        recovery.headOffset = cursor.offset;
        recovery.headRecordsRead = index;
      } else if (index === scan.boundaries.length - 1) {
        Deno.removeSync(path); // Fully replayed.
        continue;
      }
    }
    recovery.segments.push({ id, bytes: scan.validBytes, records: scan.records });
  }
  return recovery;
}

/** Timestamp of the frame at `offset` in segment `id`, or null when there is none. */
export function peekTimestampMs(dir: string, id: number, offset: number): number | null {
  const file = Deno.openSync(segmentPath(dir, id), { read: true });
  try {
    const header = new Uint8Array(16);
    file.seekSync(offset, Deno.SeekMode.Start);
    const read = readFully(file, header);
    return read === header.length && frameLength(header, 0) > 0 ? frameTimestampMs(header, 0) : null;
  } finally {
    file.close();
  }
}

/** Reads until `target` is full or the file ends; returns the bytes read. */
export function readFully(file: Deno.FsFile, target: Uint8Array): number {
  let filled = 0;
  while (filled < target.length) {
    const read = file.readSync(target.subarray(filled));
    if (read === null || read === 0) break;
    filled += read;
  }
  return filled;
}

/** Writes all of `bytes` (writeSync may write less than asked). */
export function writeFully(file: Deno.FsFile, bytes: Uint8Array): void {
  let written = 0;
  while (written < bytes.length) written += file.writeSync(bytes.subarray(written));
}
