import assert from "node:assert/strict";
import { concat, ethernet, hex, ipv4, tcp, udp } from "../capture/_test_batch.ts";
import { decodeOne } from "./_decode_one.ts";
import { Malformed } from "./summary.ts";

Deno.test("decodeIpv4() reads addresses, TTL and protocol and skips options by IHL", () => {
  const options = hex("46000020 1234 0000 40 11 0000 c0a80001 c0a80002 01010100");
  const frame = ethernet(0x0800, concat(options, udp(53, 1053, new Uint8Array(4))));
  const summary = decodeOne(frame);
  assert.equal(summary.ok, true);
  assert.equal(summary.ttl, 64);
  assert.equal(summary.protocol, 17);
  assert.equal(summary.l4Offset, 14 + 24);
  assert.deepEqual(Array.from(summary.data.subarray(summary.srcAddressOffset, summary.srcAddressOffset + 4)), [
    192,
    168,
    0,
    1,
  ]);
  assert.equal(summary.srcPort, 53);
});

Deno.test("decodeIpv4() cuts the payload at the total length, leaving Ethernet padding out", () => {
  const frame = concat(ethernet(0x0800, ipv4(17, udp(1, 2, hex("aabb")))), new Uint8Array(20));
  const summary = decodeOne(frame);
  assert.equal(summary.payloadBytes, 2);
  assert.equal(summary.payloadTruncated, false);
});

Deno.test("decodeIpv4() takes the captured end for a total length of 0 (TSO)", () => {
  const summary = decodeOne(ethernet(0x0800, ipv4(6, tcp(1, 2, 0x10, new Uint8Array(100)), { totalBytes: 0 })));
  assert.equal(summary.ok, true);
  assert.equal(summary.payloadBytes, 100);
});

Deno.test("decodeIpv4() marks fragments and reads no ports from later ones", () => {
  const first = decodeOne(ethernet(0x0800, ipv4(17, udp(7, 8, new Uint8Array(16)), { fragment: 0x2000 })));
  assert.equal(first.fragment, true);
  assert.equal(first.srcPort, 7);
  const later = decodeOne(ethernet(0x0800, ipv4(17, new Uint8Array(16), { fragment: 3 })));
  assert.equal(later.fragmentOffsetBytes, 24);
  assert.equal(later.srcPort, -1);
  assert.equal(later.payloadBytes, 16);
  assert.equal(later.ok, true);
});

Deno.test("decodeIpv4() reports invalid headers", () => {
  const badIhl = decodeOne(ethernet(0x0800, hex("44000014 0000 0000 40 11 0000 0a000001 0a000002")));
  assert.equal(badIhl.malformed, Malformed.IPV4_HEADER_INVALID);
  const badLength = decodeOne(ethernet(0x0800, ipv4(17, udp(1, 2, new Uint8Array(0)), { totalBytes: 12 })));
  assert.equal(badLength.malformed, Malformed.IPV4_HEADER_INVALID);
  const badVersion = decodeOne(ethernet(0x0800, hex("65000014 0000 0000 40 11 0000 0a000001 0a000002")));
  assert.equal(badVersion.malformed, Malformed.IPV4_HEADER_INVALID);
});

Deno.test("decodeSummary() handles every truncation of an Ethernet/IPv4/UDP packet", () => {
  const frame = ethernet(0x0800, ipv4(17, udp(5060, 5060, new Uint8Array(30).fill(7))));
  for (let length = 0; length <= frame.length; length++) {
    const summary = decodeOne(frame.subarray(0, length));
    let expected: number = Malformed.NONE;
    if (length < 14) expected = Malformed.LINK_TRUNCATED;
    else if (length < 34) expected = Malformed.IPV4_TRUNCATED;
    else if (length < 42) expected = Malformed.UDP_TRUNCATED;
    assert.equal(summary.malformed, expected, `length ${length}`);
    if (expected === Malformed.NONE) {
      assert.equal(summary.payloadBytes, length - 42);
      assert.equal(summary.payloadTruncated, length < frame.length);
      assert.equal(summary.srcPort, 5060);
    }
  }
});
