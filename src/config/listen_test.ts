import assert from "node:assert/strict";
import { isLoopbackHost, parseListen } from "./listen.ts";

Deno.test("parseListen() reads host:port, :port and [v6]:port", () => {
  assert.deepEqual(parseListen(":9091"), { ok: true, value: { host: "", port: 9091 } });
  assert.deepEqual(parseListen("127.0.0.1:8443"), { ok: true, value: { host: "127.0.0.1", port: 8443 } });
  assert.deepEqual(parseListen("[::1]:80"), { ok: true, value: { host: "::1", port: 80 } });
  assert.equal(parseListen("9091").ok, false);
  assert.equal(parseListen("host:0").ok, false);
  assert.equal(parseListen("host:70000").ok, false);
});

Deno.test("isLoopbackHost() accepts only loopback names and addresses", () => {
  assert.equal(isLoopbackHost("127.0.0.1"), true);
  assert.equal(isLoopbackHost("::1"), true);
  assert.equal(isLoopbackHost("localhost"), true);
  assert.equal(isLoopbackHost(""), false);
  assert.equal(isLoopbackHost("0.0.0.0"), false);
  assert.equal(isLoopbackHost("10.0.0.1"), false);
});
