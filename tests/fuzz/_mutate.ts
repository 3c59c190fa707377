/**
 * Mutations of seed inputs: bit flips, byte sets, "interesting" values, truncations, insertions, splices with
 * another seed, and length-field smashing (16/32-bit big- and little-endian fields set to 0, 1, max or near-max).
 */
import type { Prng } from "./_prng.ts";
import { concat as join } from "../../src/capture/_test_batch.ts";

/** Concatenates byte arrays into a new one. */
export { join };

const INTERESTING_BYTES = [0, 1, 0x7f, 0x80, 0xff, 0x0d, 0x0a, 0x3a, 0x20, 0x2c, 0x3b];
const INTERESTING_WORDS = [0, 1, 0x7fff, 0x8000, 0xffff, 0xfffe, 0x0100, 0x05dc, 0x0800, 0x86dd];
const INTERESTING_LONGS = [0, 1, 0x7fffffff, 0x80000000, 0xffffffff, 0x00010000, 0x0a0d0a0d];
const LENGTH_BYTES_MAX = 65536;

/** Returns a mutated copy of `seed` (1–8 stacked mutations); `other` is a splice partner. */
export function mutate(rng: Prng, seed: Uint8Array, other: Uint8Array): Uint8Array {
  let out: Uint8Array = seed.slice();
  const steps = 1 + rng.below(8);
  for (let step = 0; step < steps; step++) out = mutateOnce(rng, out, other);
  return out.length > LENGTH_BYTES_MAX ? out.subarray(0, LENGTH_BYTES_MAX) : out;
}

function mutateOnce(rng: Prng, bytes: Uint8Array, other: Uint8Array): Uint8Array {
  const at = rng.below(bytes.length);
  switch (rng.below(9)) {
    case 0:
      if (bytes.length > 0) bytes[at] ^= 1 << rng.below(8);
      return bytes;
    case 1:
      if (bytes.length > 0) bytes[at] = rng.u32() & 0xff;
      return bytes;
    case 2:
      if (bytes.length > 0) bytes[at] = rng.pick(INTERESTING_BYTES);
      return bytes;
    case 3:
      return bytes.subarray(0, rng.below(bytes.length + 1));
    case 4:
      return smashLength(rng, bytes, at);
    case 5:
      return join(bytes.subarray(0, at), rng.bytes(1 + rng.below(16)), bytes.subarray(at));
    case 6: {
      const from = rng.below(other.length);
      return join(bytes.subarray(0, at), other.subarray(from, from + rng.below(other.length - from + 1)));
    }
    case 7: {
      // Repeats a slice: duplicated headers, lines and records.
      const length = rng.below(Math.min(256, bytes.length - at) + 1);
      return join(bytes.subarray(0, at + length), bytes.subarray(at, at + length), bytes.subarray(at + length));
    }
    default: {
      const length = rng.below(Math.min(32, bytes.length - at) + 1);
      return join(bytes.subarray(0, at), bytes.subarray(at + length));
    }
  }
}

function smashLength(rng: Prng, bytes: Uint8Array, at: number): Uint8Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const littleEndian = rng.oneIn(2);
  if (rng.oneIn(2) && at + 2 <= bytes.length) {
    const base = rng.pick(INTERESTING_WORDS);
    view.setUint16(at, (base + rng.below(3) - 1) & 0xffff, littleEndian);
  } else if (at + 4 <= bytes.length) {
    const base = rng.pick(INTERESTING_LONGS);
    view.setUint32(at, (base + rng.below(3) - 1) >>> 0, littleEndian);
  }
  return bytes;
}
