import assert from "node:assert/strict";
import { parseSipVia, parseSipVias, splitHostPort } from "./via.ts";
import type { SipVia } from "./types.ts";

Deno.test("parseSipVia() reads transport, sent-by and the branch/received/rport parameters", () => {
  assert.deepEqual(parseSipVia("SIP/2.0/TLS client.example.com:5061 ;branch=z9hG4bK1;received=10.0.0.1;rport=6000"), {
    transport: "TLS",
    host: "client.example.com",
    port: 5061,
    branch: "z9hG4bK1",
    received: "10.0.0.1",
    hasRport: true,
    rport: 6000,
  });
  const spaced = parseSipVia("SIP / 2.0 / WS  df7jal23ls0d.invalid;rport;branch=z9hG4bK2");
  assert.equal(spaced?.transport, "WS");
  assert.equal(spaced?.host, "df7jal23ls0d.invalid");
  assert.equal(spaced?.port, undefined);
  assert.equal(spaced?.hasRport, true);
  assert.equal(spaced?.rport, undefined);
  assert.equal(parseSipVia("garbage"), undefined);
});

Deno.test("splitHostPort() handles bracketed and unbracketed IPv6", () => {
  assert.deepEqual(splitHostPort("[2001:db8::1]:5060"), { host: "2001:db8::1", port: 5060 });
  assert.deepEqual(splitHostPort("[2001:db8::1]"), { host: "2001:db8::1", port: undefined });
  assert.deepEqual(splitHostPort("fe80:0:0:0:21a:a0ff:fe07:32e0:5060"), {
    host: "fe80:0:0:0:21a:a0ff:fe07:32e0",
    port: 5060,
  });
  assert.deepEqual(splitHostPort("2001:db8::1"), { host: "2001:db8::1", port: undefined });
  assert.deepEqual(splitHostPort("10.0.0.1:99999"), { host: "10.0.0.1", port: undefined });
});

Deno.test("parseSipVias() keeps the order of comma-separated values", () => {
  const out: SipVia[] = [];
  parseSipVias("SIP/2.0/UDP a;branch=1, SIP/2.0/UDP b;branch=2,SIP/2.0/TCP c:7;branch=3", out);
  assert.deepEqual(out.map((via) => `${via.transport} ${via.host} ${via.branch}`), ["UDP a 1", "UDP b 2", "TCP c 3"]);
});

Deno.test("parseSipVia() reads a SIP/2.0/ value without the RegExp exactly as the RegExp reads it", () => {
  assert.equal(parseSipVia("SIP/2.0/ UDP h:5060;branch=z9hG4bK3")?.transport, "UDP");
  assert.equal(parseSipVia("SIP/2.0/UDP\u00a0h;branch=z9hG4bK4")?.host, "h");
  assert.equal(parseSipVia("SIP/2.0/UDP h  ;Branch=z9hG4bK5")?.branch, "z9hG4bK5");
  assert.equal(parseSipVia('SIP/2.0/UDP h;received="10.0.0.9";x')?.received, "10.0.0.9");
  assert.equal(parseSipVia("SIP/2.0/UDP h extra;branch=z9hG4bK6"), undefined);
  assert.equal(parseSipVia("SIP/2.0/UDP;branch=z9hG4bK7"), undefined);
  assert.equal(parseSipVia("SIP/2.0/UDP ;branch=z9hG4bK8"), undefined);
  assert.equal(parseSipVia("SIP/2.0/UDP"), undefined);
});
