/**
 * Which partition a message goes to, the same choice as @platformatic/kafka's default partitioner (so switching the
 * send path moves no key to another partition): keyed messages by `murmur2(key) >>> 0` modulo the partition count,
 * unkeyed messages round-robin per topic.
 *
 * @module
 */

const seed = 0x9747b28c;
const mix = 0x5bd1e995;

/**
 * Kafka's murmur2 (the Java client's `Utils.murmur2`) as a signed 32-bit integer, in 32-bit integer arithmetic
 * (the library's version uses BigInt and costs microseconds per key).
 */
export function murmur2(data: Uint8Array): number {
  const length = data.length;
  let h = seed ^ length;
  const end4 = length - (length % 4);
  for (let i = 0; i < end4; i += 4) {
    let k = data[i] | (data[i + 1] << 8) | (data[i + 2] << 16) | (data[i + 3] << 24);
    k = Math.imul(k, mix);
    k ^= k >>> 24;
    k = Math.imul(k, mix);
    h = Math.imul(h, mix) ^ k;
  }
  const rest = length % 4;
  if (rest > 0) {
    if (rest === 3) h ^= data[end4 + 2] << 16;
    if (rest >= 2) h ^= data[end4 + 1] << 8;
    h ^= data[end4];
    h = Math.imul(h, mix);
  }
  h ^= h >>> 13;
  h = Math.imul(h, mix);
  h ^= h >>> 15;
  return h | 0;
}

/** Partition choice per topic; the round-robin counters live here. */
export class Partitioner {
  readonly #roundRobin = new Map<string, number>();

  /** The partition of a message with `key` (null: none) on `topic` with `partitionCount` partitions. */
  partition(topic: string, key: Uint8Array | null, partitionCount: number): number {
    if (partitionCount <= 1) return 0;
    if (key !== null) return (murmur2(key) >>> 0) % partitionCount;
    const next = this.#roundRobin.get(topic) ?? 0;
    this.#roundRobin.set(topic, (next + 1) % 0x40000000);
    return next % partitionCount;
  }
}
