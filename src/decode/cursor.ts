/**
 * Bounds-checked reads of big-endian fields. Decoders pass `(data, at, end)` triples instead of allocating a cursor
 * object per packet; every read below is preceded by a length check in its caller, and these helpers return -1
 * instead of reading past `end`, so a missed check shows up as a wrong value, never as garbage from a neighbour.
 * @module
 */

/** Returns true when `bytes` bytes are available at `at` before `end`. */
export function has(at: number, end: number, bytes: number): boolean {
  return at + bytes <= end;
}

/** Big-endian u16 at `at`, or -1 when it would cross `end`. */
export function readU16(data: Uint8Array, at: number, end: number): number {
  if (at + 2 > end) return -1;
  return (data[at] << 8) | data[at + 1];
}

/** Big-endian u32 at `at`, or -1 when it would cross `end`. */
export function readU32(data: Uint8Array, at: number, end: number): number {
  if (at + 4 > end) return -1;
  return ((data[at] << 24) | (data[at + 1] << 16) | (data[at + 2] << 8) | data[at + 3]) >>> 0;
}

/** Little-endian u32 at `at`, or -1 when it would cross `end`. */
export function readU32Le(data: Uint8Array, at: number, end: number): number {
  if (at + 4 > end) return -1;
  return ((data[at + 3] << 24) | (data[at + 2] << 16) | (data[at + 1] << 8) | data[at]) >>> 0;
}
