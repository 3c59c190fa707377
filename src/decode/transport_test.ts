import assert from "node:assert/strict";
import { concat, ethernet, hex, ipv4, ipv6, tcp, udp } from "../capture/_test_batch.ts";
import { decodeOne } from "./_decode_one.ts";
import { Malformed } from "./summary.ts";

Deno.test("decodeTransport() reads TCP ports, flags and skips options by data offset", () => {
  const segment = tcp(443, 50000, 0x12, hex("01020304"));
  segment[12] = 0x60; // 24-byte header: 4 bytes of options, then no payload.
  const summary = decodeOne(ethernet(0x0800, ipv4(6, segment)));
  assert.equal(summary.ok, true);
  assert.equal(summary.srcPort, 443);
  assert.equal(summary.tcpFlags, 0x12);
  assert.equal(summary.payloadBytes, 0);
});

Deno.test("decodeSummary() handles every truncation of an IPv4/TCP packet", () => {
  const frame = ethernet(0x0800, ipv4(6, tcp(80, 8080, 0x18, new Uint8Array(10))));
  for (let length = 34; length <= frame.length; length++) {
    const summary = decodeOne(frame.subarray(0, length));
    const expected = length < 54 ? Malformed.TCP_TRUNCATED : Malformed.NONE;
    assert.equal(summary.malformed, expected, `length ${length}`);
    if (length >= 54) assert.equal(summary.payloadBytes, length - 54);
  }
});

Deno.test("decodeTransport() reports a TCP data offset below 20 bytes", () => {
  const segment = tcp(1, 2, 0x02, new Uint8Array(0));
  segment[12] = 0x40;
  assert.equal(decodeOne(ethernet(0x0800, ipv4(6, segment))).malformed, Malformed.TCP_HEADER_INVALID);
});

Deno.test("decodeTransport() cuts UDP payload to the UDP length and flags bad lengths", () => {
  const datagram = udp(1, 2, new Uint8Array(8));
  datagram[5] = 12; // UDP length 12: 4 payload bytes, 4 bytes of trailer inside the IP packet.
  assert.equal(decodeOne(ethernet(0x0800, ipv4(17, datagram))).payloadBytes, 4);
  datagram[5] = 4;
  assert.equal(decodeOne(ethernet(0x0800, ipv4(17, datagram))).malformed, Malformed.UDP_LENGTH_INVALID);
  datagram[5] = 40;
  const long = decodeOne(ethernet(0x0800, ipv4(17, datagram)));
  assert.equal(long.payloadTruncated, true);
  assert.equal(long.payloadBytes, 8);
});

Deno.test("decodeTransport() reads ICMP and ICMPv6 type and code and SCTP ports", () => {
  const ping = decodeOne(ethernet(0x0800, ipv4(1, hex("0800 f7ff 0001 0001"))));
  assert.equal(ping.icmpType, 8);
  assert.equal(ping.icmpCode, 0);
  const unreachable = decodeOne(ethernet(0x86dd, ipv6(58, hex("0104 0000 00000000"))));
  assert.equal(unreachable.icmpType, 1);
  assert.equal(unreachable.icmpCode, 4);
  assert.equal(decodeOne(ethernet(0x0800, ipv4(1, hex("08")))).malformed, Malformed.ICMP_TRUNCATED);
  const sctp = decodeOne(ethernet(0x0800, ipv4(132, concat(hex("13c4 13c5 00000001 00000000"), new Uint8Array(4)))));
  assert.equal(sctp.srcPort, 5060);
  assert.equal(sctp.dstPort, 5061);
  assert.equal(decodeOne(ethernet(0x0800, ipv4(132, hex("13c4")))).malformed, Malformed.SCTP_TRUNCATED);
});

Deno.test("decodeTransport() gives other protocols the rest of the IP packet as payload", () => {
  const gre = decodeOne(ethernet(0x0800, ipv4(47, new Uint8Array(12))));
  assert.equal(gre.ok, true);
  assert.equal(gre.payloadBytes, 12);
  assert.equal(gre.srcPort, -1);
  assert.equal(decodeOne(ethernet(0x0800, ipv4(17, udp(1, 2, new Uint8Array(3))))).payloadBytes, 3);
});
