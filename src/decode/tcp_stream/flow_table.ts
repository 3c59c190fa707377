/**
 * A table keyed by symmetric flow keys (`flow_key.ts`): buckets by hash, chained entries compared by key bytes.
 * Lookups allocate nothing (no string keys); only adding an entry stores a copy of its key.
 * @module
 */

import { type FlowKey, flowKeysEqual } from "../flow_key.ts";

/** What an entry carries for the table. */
export interface FlowTableEntry<T> {
  readonly key: Uint8Array;
  readonly hash: number;
  nextInBucket: T | null;
}

/** Entries of type T keyed by flow key. */
export class FlowTable<T extends FlowTableEntry<T>> {
  readonly #buckets = new Map<number, T>();
  #size = 0;

  /** Entries held. */
  get size(): number {
    return this.#size;
  }

  /** The entry for `key`, or undefined. */
  get(key: FlowKey): T | undefined {
    for (let entry = this.#buckets.get(key.hash) ?? null; entry !== null; entry = entry.nextInBucket) {
      if (flowKeysEqual(entry.key, key.bytes)) return entry;
    }
    return undefined;
  }

  /** Adds `entry` (its key must not be present). */
  add(entry: T): void {
    entry.nextInBucket = this.#buckets.get(entry.hash) ?? null;
    this.#buckets.set(entry.hash, entry);
    this.#size++;
  }

  /** Removes `entry`; false when it was not in the table. */
  delete(entry: T): boolean {
    let previous: T | null = null;
    for (let current = this.#buckets.get(entry.hash) ?? null; current !== null; current = current.nextInBucket) {
      if (current !== entry) {
        previous = current;
        continue;
      }
      if (previous !== null) previous.nextInBucket = current.nextInBucket;
      else if (current.nextInBucket !== null) this.#buckets.set(entry.hash, current.nextInBucket);
      else this.#buckets.delete(entry.hash);
      entry.nextInBucket = null;
      this.#size--;
      return true;
    }
    return false;
  }

  /** Every entry (a snapshot array, so callers may delete while walking it). */
  entries(): T[] {
    const out: T[] = [];
    for (const head of this.#buckets.values()) {
      for (let entry: T | null = head; entry !== null; entry = entry.nextInBucket) out.push(entry);
    }
    return out;
  }
}
