import assert from "node:assert/strict";
import { headerList, KeyedHeaders, type TypeHeaders } from "./header_lists.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

function typeHeaders(type: string): TypeHeaders {
  return {
    keyless: headerList(null, [["task", encoder.encode("t")], ["type", encoder.encode(type)]]),
    keyed: new Map(),
  };
}

Deno.test("KeyedHeaders caches one frozen list per type and key, with the key's own copy of its bytes", () => {
  const cache = new KeyedHeaders();
  const sip = typeHeaders("sip");
  const rtp = typeHeaders("rtp_packet");
  const scratch = encoder.encode("call-1");
  const list = cache.add(sip, "call-1", scratch);
  scratch.fill(0); // The caller's bytes (a value slab) may be reused: the list has its own.
  assert.equal(cache.get(sip, "call-1"), list);
  assert.equal(cache.get(rtp, "call-1"), undefined);
  assert.equal(decoder.decode(list.key!), "call-1");
  assert.deepEqual(list.headers.map(([name, value]) => [name, decoder.decode(value)]), [
    ["task", "t"],
    ["type", "sip"],
    ["key", "call-1"],
  ]);
  assert.equal(list.headers[2][1], list.key);
  assert.ok(Object.isFrozen(list.headers) && Object.isFrozen(list.headers[2]));
  assert.equal(list.countedBytes, 3 * 32 + 4 + 1 + 4 + 3 + 3 + 6);
  assert.ok(Object.isFrozen(sip.keyless.headers));
});

Deno.test("KeyedHeaders starts over past 4096 lists; long keys are not cached; lists already made stay intact", () => {
  const cache = new KeyedHeaders();
  const sip = typeHeaders("sip");
  const rtp = typeHeaders("rtp");
  const lists = Array.from({ length: 5000 }, (_, i) => cache.add(i % 2 ? sip : rtp, `k${i}`, encoder.encode(`k${i}`)));
  assert.equal(sip.keyed.size + rtp.keyed.size, 5000 - 4096);
  assert.equal(cache.get(rtp, "k0"), undefined);
  assert.equal(cache.get(sip, "k4999"), lists[4999]);
  lists.forEach((list, i) => assert.equal(decoder.decode(list.key!), `k${i}`));
  const longKey = "x".repeat(300);
  const long = cache.add(sip, longKey, encoder.encode(longKey));
  assert.equal(decoder.decode(long.key!), longKey);
  assert.equal(cache.get(sip, longKey), undefined);
  assert.equal(Object.isFrozen(long.headers), false);
});
