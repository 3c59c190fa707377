import assert from "node:assert/strict";
import { resolveHepOptions } from "./options.ts";

Deno.test("resolveHepOptions() parses host:port, [IPv6]:port and objects with their own transport", () => {
  const resolved = resolveHepOptions({
    collectors: ["homer:9060", "[2001:db8::1]:9061", { host: "10.0.0.5", port: 9062, transport: "tls" }],
    transport: "tcp",
    types: ["sip"],
  });
  assert.deepEqual(resolved.collectors, [
    { host: "homer", port: 9060, transport: "tcp" },
    { host: "2001:db8::1", port: 9061, transport: "tcp" },
    { host: "10.0.0.5", port: 9062, transport: "tls" },
  ]);
  assert.equal(resolved.captureId, 0);
  assert.equal(resolved.retryMs, 2000);
  assert.deepEqual([...resolved.types!], ["sip"]);
});

Deno.test("resolveHepOptions() names the bad option", () => {
  assert.throws(() => resolveHepOptions({ collectors: [{ host: "", port: 1 }] }), /expected \{host, port/);
  assert.throws(() => resolveHepOptions({ collectors: ["h:1"], retryMs: 0 }), /retryMs 0/);
  assert.throws(() => resolveHepOptions({ collectors: ["h:1"], captureId: 2 ** 32 }), /captureId/);
});
