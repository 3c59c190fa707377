/** Big-endian readers over a byte array (callers check bounds first). */

/** Unsigned 32-bit at `at`. */
export function u32(data: Uint8Array, at: number): number {
  return ((data[at]! << 24) | (data[at + 1]! << 16) | (data[at + 2]! << 8) | data[at + 3]!) >>> 0;
}

/** Unsigned 16-bit at `at`. */
export function u16(data: Uint8Array, at: number): number {
  return (data[at]! << 8) | data[at + 1]!;
}

/** Signed 8-bit at `at`. */
export function i8(data: Uint8Array, at: number): number {
  return (data[at]! << 24) >> 24;
}
