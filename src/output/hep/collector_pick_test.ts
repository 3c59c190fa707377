import assert from "node:assert/strict";
import { fnv1a32, pickCollector, routingKey } from "./collector_pick.ts";

const forward = { srcIp: "10.0.0.1", srcPort: 5060, dstIp: "10.0.0.2", dstPort: 5080, ipProtocol: 17 };
const backward = { srcIp: "10.0.0.2", srcPort: 5080, dstIp: "10.0.0.1", dstPort: 5060, ipProtocol: 17 };

Deno.test("fnv1a32() matches the published FNV-1a test vectors", () => {
  assert.equal(fnv1a32(""), 0x811c9dc5);
  assert.equal(fnv1a32("a"), 0xe40c292c);
  assert.equal(fnv1a32("foobar"), 0xbf9cf968);
});

Deno.test("routingKey() is the same for both directions and prefers the Call-ID", () => {
  assert.equal(routingKey(undefined, undefined, forward), routingKey(undefined, undefined, backward));
  assert.notEqual(
    routingKey(undefined, undefined, forward),
    routingKey(undefined, undefined, { ...forward, dstPort: 1 }),
  );
  assert.equal(routingKey("abc@host", "0000beef", forward), "c:abc@host");
  assert.equal(routingKey(undefined, "0000beef", forward), "f:0000beef");
});

Deno.test("pickCollector() spreads keys and fails over to the next healthy collector", () => {
  const used = new Set<number>();
  for (let i = 0; i < 200; i++) used.add(pickCollector(`c:call-${i}`, 3, () => true));
  assert.deepEqual([...used].sort(), [0, 1, 2]);
  const key = "c:some-call";
  const first = pickCollector(key, 3, () => true);
  assert.equal(pickCollector(key, 3, (i) => i !== first), (first + 1) % 3);
  assert.equal(pickCollector(key, 3, () => false), -1);
  assert.equal(pickCollector(key, 0, () => true), -1);
});
