import assert from "node:assert/strict";
import { dnsTypeName, formatIpv6, renderRdata } from "./rdata.ts";

const bytes = (...values: number[]) => new Uint8Array(values);
const text = (s: string) => [...new TextEncoder().encode(s)];

Deno.test("renderRdata() renders addresses, names, MX, SRV, TXT and SOA", () => {
  assert.equal(renderRdata(bytes(10, 0, 0, 1), 1, 0, 4), "10.0.0.1");
  const v6 = bytes(0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1);
  assert.equal(renderRdata(v6, 28, 0, 16), "2001:db8::1");
  const name = [3, ...text("foo"), 0];
  assert.equal(renderRdata(bytes(...name), 5, 0, 5), "foo");
  assert.equal(renderRdata(bytes(0, 10, ...name), 15, 0, 7), "10 foo");
  assert.equal(renderRdata(bytes(0, 1, 0, 2, 0x13, 0xc4, ...name), 33, 0, 11), "1 2 5060 foo");
  assert.equal(renderRdata(bytes(2, ...text("hi"), 3, ...text('a"b')), 16, 0, 7), '"hi" "a\\"b"');
  const soa = [...name, 1, ...text("h"), 0, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 4, 0, 0, 0, 5];
  assert.equal(renderRdata(bytes(...soa), 6, 0, soa.length), "foo h 1 2 3 4 5");
});

Deno.test("renderRdata() falls back to hex for unknown types and for RDATA that does not fit its type", () => {
  assert.equal(renderRdata(bytes(0xab, 0x01), 99, 0, 2), "ab01");
  assert.equal(renderRdata(bytes(1, 2, 3), 1, 0, 3), "010203");
  assert.equal(renderRdata(bytes(5, 0x61), 16, 0, 2), "0561");
  assert.equal(renderRdata(bytes(3, 0x61, 0x62, 0x63, 0, 9), 5, 0, 6), "036162630009");
});

Deno.test("formatIpv6() follows RFC 5952", () => {
  assert.equal(formatIpv6(new Uint8Array(16), 0), "::");
  assert.equal(formatIpv6(bytes(0, 1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1), 0), "1:0:0:1::1");
  assert.equal(formatIpv6(bytes(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 192, 0, 2, 1), 0), "::ffff:192.0.2.1");
  assert.equal(formatIpv6(bytes(0, 1, 0, 0, 0, 1, 0, 2, 0, 3, 0, 4, 0, 5, 0, 6), 0), "1:0:1:2:3:4:5:6");
});

Deno.test("dnsTypeName() names common types and uses TYPE<n> otherwise", () => {
  assert.equal(dnsTypeName(28), "AAAA");
  assert.equal(dnsTypeName(65), "HTTPS");
  assert.equal(dnsTypeName(4242), "TYPE4242");
});
