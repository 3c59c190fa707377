import assert from "node:assert/strict";
import { concat, ethernet, hex, ipv6, tcp, udp } from "../capture/_test_batch.ts";
import { decodeOne } from "./_decode_one.ts";
import { Malformed } from "./summary.ts";

const HOP_BY_HOP = hex("2b00 0104 00000000"); // Next: routing; 8 bytes with a PadN option.
const ROUTING = hex("3c02 0401 00000000 20010db8000000000000000000000003"); // Next: dest options; 24 bytes.
const DEST_OPTIONS = hex("3300 0104 00000000"); // Next: AH; 8 bytes.
const AH = hex("2c04 0000 00000100 00000001 0000000000000000 00000000"); // Next: fragment; (4+2)*4 = 24 bytes.
const FRAGMENT_FIRST = hex("1100 0001 00000042"); // Next: UDP; offset 0, more fragments.

Deno.test("decodeIpv6() walks hop-by-hop, routing, destination, AH and fragment headers to UDP", () => {
  const chain = concat(HOP_BY_HOP, ROUTING, DEST_OPTIONS, AH, FRAGMENT_FIRST, udp(546, 547, new Uint8Array(6)));
  const summary = decodeOne(ethernet(0x86dd, ipv6(0, chain)));
  assert.equal(summary.ok, true);
  assert.equal(summary.protocol, 17);
  assert.equal(summary.fragment, true);
  assert.equal(summary.srcPort, 546);
  assert.equal(summary.l4Offset, 14 + 40 + 8 + 24 + 8 + 24 + 8);
  assert.equal(summary.payloadBytes, 6);
  assert.equal(summary.ttl, 64);
  assert.equal(summary.addressBytes, 16);
});

Deno.test("decodeIpv6() stops at later fragments and at ESP or no-next-header", () => {
  const later = decodeOne(ethernet(0x86dd, ipv6(44, concat(hex("1100 0100 00000042"), new Uint8Array(16)))));
  assert.equal(later.fragmentOffsetBytes, 256);
  assert.equal(later.protocol, 17);
  assert.equal(later.srcPort, -1);
  const esp = decodeOne(ethernet(0x86dd, ipv6(50, new Uint8Array(16))));
  assert.equal(esp.protocol, 50);
  assert.equal(esp.payloadBytes, 16);
  const none = decodeOne(ethernet(0x86dd, ipv6(59, new Uint8Array(0))));
  assert.equal(none.ok, true);
  assert.equal(none.payloadBytes, 0);
});

Deno.test("decodeIpv6() uses the captured end for a jumbogram's payload length of 0", () => {
  const packet = ipv6(6, tcp(80, 1234, 0x18, new Uint8Array(50)));
  packet[4] = 0;
  packet[5] = 0;
  const summary = decodeOne(ethernet(0x86dd, packet));
  assert.equal(summary.payloadBytes, 50);
  assert.equal(summary.tcpFlags, 0x18);
});

Deno.test("decodeSummary() handles every truncation of an IPv6 packet with extension headers", () => {
  const destinationToUdp = hex("1100 0104 00000000");
  const frame = ethernet(0x86dd, ipv6(0, concat(HOP_BY_HOP, ROUTING, destinationToUdp, udp(1, 2, new Uint8Array(12)))));
  const l4 = 14 + 40 + 8 + 24 + 8;
  for (let length = 0; length <= frame.length; length++) {
    const summary = decodeOne(frame.subarray(0, length));
    let expected: number = Malformed.NONE;
    if (length < 14) expected = Malformed.LINK_TRUNCATED;
    else if (length < 54) expected = Malformed.IPV6_TRUNCATED;
    else if (length < l4) expected = Malformed.IPV6_EXTENSION_TRUNCATED;
    else if (length < l4 + 8) expected = Malformed.UDP_TRUNCATED;
    assert.equal(summary.malformed, expected, `length ${length}`);
    if (expected === Malformed.NONE) assert.equal(summary.payloadBytes, length - l4 - 8);
  }
});

Deno.test("decodeIpv6() rejects a wrong version nibble", () => {
  const packet = ipv6(17, udp(1, 2, new Uint8Array(0)));
  packet[0] = 0x40;
  assert.equal(decodeOne(ethernet(0x86dd, packet)).malformed, Malformed.IP_VERSION_INVALID);
});
