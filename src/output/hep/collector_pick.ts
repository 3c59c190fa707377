/**
 * Which collector gets a message: a hash of a key that is the same for both directions of a call or flow, then the
 * next healthy collector in ring order when that one is down (so a failed collector's share is spread by key, and
 * returns to it when it is back).
 *
 * Key: the Call-ID when the record has one (every record of a call, signalling and media, both directions, lands
 * on one collector, as Homer needs to correlate them), else the record's symmetric `flow_id`, else the endpoint
 * pair sorted so that both directions give the same text.
 *
 * @module
 */

/** FNV-1a (32 bit) of the UTF-16 code units of `text`. */
export function fnv1a32(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** The direction-independent routing key of a message. */
export function routingKey(
  callId: string | undefined,
  flowId: unknown,
  tuple: { srcIp: string; srcPort: number; dstIp: string; dstPort: number; ipProtocol: number },
): string {
  if (callId !== undefined) return `c:${callId}`;
  if (typeof flowId === "string" && flowId !== "") return `f:${flowId}`;
  const a = `${tuple.srcIp}|${tuple.srcPort}`;
  const b = `${tuple.dstIp}|${tuple.dstPort}`;
  return a < b ? `t:${tuple.ipProtocol}|${a}|${b}` : `t:${tuple.ipProtocol}|${b}|${a}`;
}

/**
 * Index of the collector for `key` among `count`, skipping those `healthy` refuses; -1 when none is healthy.
 */
export function pickCollector(key: string, count: number, healthy: (index: number) => boolean): number {
  if (count <= 0) return -1;
  const first = fnv1a32(key) % count;
  for (let step = 0; step < count; step++) {
    const index = (first + step) % count;
    if (healthy(index)) return index;
  }
  return -1;
}
