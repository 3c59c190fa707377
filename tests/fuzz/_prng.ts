/** A small seeded PRNG (mulberry32): fuzz inputs are reproducible from `(seed, index)` alone. */

/** Deterministic 32-bit generator; every method draws from the same stream. */
export class Prng {
  #state: number;

  constructor(seed: number) {
    this.#state = seed >>> 0;
  }

  /** Generator of input `index` of a run with `seed`: an input can be rebuilt without replaying earlier ones. */
  static forInput(seed: number, index: number): Prng {
    return new Prng(Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(index + 1, 0xc2b2ae35));
  }

  /** Next unsigned 32-bit value. */
  u32(): number {
    let t = (this.#state = (this.#state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  /** Integer in `[0, limit)`; 0 when `limit <= 0`. */
  below(limit: number): number {
    return limit <= 0 ? 0 : this.u32() % limit;
  }

  /** True with probability `1 / n`. */
  oneIn(n: number): boolean {
    return this.below(n) === 0;
  }

  /** One element of a non-empty array. */
  pick<T>(items: readonly T[]): T {
    return items[this.below(items.length)];
  }

  /** `length` random bytes. */
  bytes(length: number): Uint8Array {
    const out = new Uint8Array(length);
    for (let i = 0; i < length; i++) out[i] = this.u32() & 0xff;
    return out;
  }
}
