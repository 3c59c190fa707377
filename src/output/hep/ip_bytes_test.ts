import assert from "node:assert/strict";
import { writeIpv4, writeIpv6 } from "./ip_bytes.ts";

Deno.test("writeIpv4() writes dotted quads and refuses anything else", () => {
  const target = new Uint8Array(6);
  assert.equal(writeIpv4("200.57.7.195", target, 1), true);
  assert.deepEqual([...target], [0, 200, 57, 7, 195, 0]);
  for (const bad of ["1.2.3", "1.2.3.4.5", "256.1.1.1", "1..2.3", "a.b.c.d", "", "1.2.3.4 "]) {
    assert.equal(writeIpv4(bad, target, 0), false, bad);
  }
});

Deno.test("writeIpv6() expands :: and embedded IPv4 tails", () => {
  const target = new Uint8Array(16);
  assert.equal(writeIpv6("2001:db8::1", target, 0), true);
  assert.deepEqual([...target], [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
  assert.equal(writeIpv6("::ffff:10.0.0.1", target, 0), true);
  assert.deepEqual([...target], [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 10, 0, 0, 1]);
  assert.equal(writeIpv6("::", target, 0), true);
  assert.deepEqual([...target], new Array(16).fill(0));
  assert.equal(writeIpv6("1:2:3:4:5:6:7:8", target, 0), true);
  assert.equal(target[15], 8);
});

Deno.test("writeIpv6() refuses malformed text", () => {
  const target = new Uint8Array(16);
  for (const bad of ["1:2:3", "1::2::3", "12345::1", "g::1", "10.0.0.1", "1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7::8"]) {
    assert.equal(writeIpv6(bad, target, 0), false, bad);
  }
});
