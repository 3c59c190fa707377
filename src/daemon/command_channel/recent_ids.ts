/**
 * The request ids seen recently, so that a command delivered twice (a producer retry, a replay, a rebalance before
 * the commit) runs once. Bounded: beyond `idsMax` the least recently seen id is forgotten; commands older than the
 * TTL are refused anyway, so the bound only needs to cover one TTL's worth of commands.
 * @module
 */

/** A bounded least-recently-used set of request ids. */
export class RecentIds {
  readonly #idsMax: number;
  // A Map iterates in insertion order: deleting and re-inserting moves an id to the young end.
  readonly #ids = new Map<string, true>();

  constructor(idsMax: number) {
    if (!Number.isInteger(idsMax) || idsMax < 1) {
      throw new RangeError(`idsMax must be a positive integer, got ${idsMax}`);
    }
    this.#idsMax = idsMax;
  }

  /** How many ids are remembered. */
  get size(): number {
    return this.#ids.size;
  }

  /** True when `id` was seen before (and refreshes it); otherwise remembers it and returns false. */
  seen(id: string): boolean {
    if (this.#ids.has(id)) {
      this.#ids.delete(id);
      this.#ids.set(id, true);
      return true;
    }
    this.#ids.set(id, true);
    if (this.#ids.size > this.#idsMax) this.#ids.delete(this.#ids.keys().next().value!);
    return false;
  }
}
