import assert from "node:assert/strict";
import { endpointKeyFromText } from "./endpoint.ts";
import { MediaBindings } from "./media_bindings.ts";
import { MediaSession } from "./media_session.ts";

Deno.test("MediaBindings.hasPort() counts the bindings on a port through rebinding, eviction and expiry", () => {
  const bindings = new MediaBindings({ bindingsMax: 2, idleMs: 1000 });
  const session = new MediaSession("call-1", undefined);
  assert.equal(bindings.hasPort(4000), false);
  assert.ok(bindings.bindStatic("10.0.0.1", 4000, "rtp", session, 0));
  assert.ok(bindings.bindStatic("10.0.0.1", 4000, "rtp", session, 10)); // The same key again: still one binding.
  assert.ok(bindings.bindStatic("2001:db8::1", 4000, "rtp", session, 20));
  assert.equal(bindings.size, 2);
  assert.equal(bindings.hasPort(4000), true);
  assert.ok(bindings.bindStatic("10.0.0.2", 5000, "rtcp", session, 30)); // Evicts 10.0.0.1:4000, the oldest.
  assert.equal(bindings.hasPort(4000), true, "the IPv6 binding is left on 4000");
  assert.equal(bindings.hasPort(5000), true);
  assert.ok(bindings.bindStatic("10.0.0.3", 6000, "rtp", session, 40)); // Evicts [2001:db8::1]:4000.
  assert.equal(bindings.hasPort(4000), false);
  assert.equal(bindings.stats.evicted, 2);
  bindings.expire(1035); // 5000 idle since 30, 6000 since 40.
  assert.deepEqual([bindings.hasPort(5000), bindings.hasPort(6000)], [false, true]);
  bindings.expire(1040);
  assert.equal(bindings.hasPort(6000), false);
  assert.equal(bindings.size, 0);
});

Deno.test("MediaBindings.hasPort() agrees with the table after random binds, evictions and expiries", () => {
  let seed = 7;
  const random = (n: number) => { // mulberry32
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) % n;
  };
  const bindings = new MediaBindings({ bindingsMax: 10, idleMs: 12 });
  const sessions = [new MediaSession("a", undefined), new MediaSession("b", undefined)];
  const ports = [1, 4000, 4001, 65535];
  const addresses = ["10.0.0.1", "10.0.0.2", "::1", "2001:db8::7"];
  const keys = addresses.flatMap((address) =>
    ports.map((port) => ({ port, key: endpointKeyFromText(address, port)! }))
  );
  for (let step = 0; step < 5000; step++) {
    const nowMs = step;
    if (random(10) === 0) bindings.expire(nowMs);
    else {
      const kind = random(2) === 0 ? "rtp" : "rtcp";
      bindings.bindStatic(addresses[random(4)], ports[random(4)], kind, sessions[random(2)], nowMs);
    }
    for (const port of ports) {
      const bound = keys.some((entry) => entry.port === port && bindings.get(entry.key) !== undefined);
      assert.equal(bindings.hasPort(port), bound, `step ${step}, port ${port}`);
    }
  }
  assert.ok(bindings.stats.evicted > 0 && bindings.stats.expired > 0, JSON.stringify(bindings.stats));
});
