import assert from "node:assert/strict";
import { batchOf, ethernet, hex, ipv4, ipv6, tcp, udp } from "../capture/_test_batch.ts";
import { decodeOne } from "./_decode_one.ts";
import { formatAddress, formatSummaryText, formatTcpFlags, formatTime, summaryToJson } from "./format.ts";
import { decodeSummary } from "./decode.ts";
import { createPacketSummary } from "./summary.ts";

function v6(text: string): string {
  return formatAddress(hex(text), 0, 16);
}

Deno.test("formatAddress() prints IPv4 and compresses IPv6 like inet_ntop", () => {
  assert.equal(formatAddress(hex("0a0000fe"), 0, 4), "10.0.0.254");
  assert.equal(v6("20010db8000000000000000000000001"), "2001:db8::1");
  assert.equal(v6("00000000000000000000000000000000"), "::");
  assert.equal(v6("00000000000000000000000000000001"), "::1");
  assert.equal(v6("fe800000000000000000000000000000"), "fe80::");
  assert.equal(v6("20010db8000100000001000000000001"), "2001:db8:1:0:1::1");
  assert.equal(v6("20010000000100000000000100000001"), "2001:0:1::1:0:1");
  assert.equal(v6("00000000000000000000ffffc0000201"), "::ffff:192.0.2.1");
  assert.equal(v6("000000000000000000000000c0000201"), "::192.0.2.1");
  assert.equal(v6("20010db8000000010001000100010001"), "2001:db8:0:1:1:1:1:1");
});

Deno.test("formatTcpFlags() and formatTime() match tcpdump's notation", () => {
  assert.equal(formatTcpFlags(0x12), "S.");
  assert.equal(formatTcpFlags(0x18), "P.");
  assert.equal(formatTcpFlags(0x04), "R");
  assert.equal(formatTcpFlags(0), "none");
  assert.equal(formatTime(43200 + 61, 123456789, { utc: true }), "12:01:01.123456");
  assert.equal(formatTime(43200, 5, { utc: true, nanosecond: true }), "12:00:00.000000005");
});

Deno.test("formatSummaryText() prints tcpdump-like lines", () => {
  const udpLine = decodeOne(ethernet(0x0800, ipv4(17, udp(5060, 5060, new Uint8Array(412)))));
  assert.equal(
    formatSummaryText(udpLine, { utc: true }),
    "00:16:40.123456 IP 10.0.0.1.5060 > 10.0.0.2.5060: UDP, length 412",
  );
  const tcpLine = decodeOne(ethernet(0x86dd, ipv6(6, tcp(443, 5000, 0x12, new Uint8Array(0)))));
  assert.equal(
    formatSummaryText(tcpLine, { utc: true }),
    "00:16:40.123456 IP6 2001:db8::1.443 > 2001:db8::2.5000: Flags [S.], length 0",
  );
  const ping = decodeOne(ethernet(0x0800, ipv4(1, hex("0800 0000 0001 0001"))));
  assert.match(formatSummaryText(ping, { utc: true }), /IP 10\.0\.0\.1 > 10\.0\.0\.2: ICMP echo request, length 4$/);
  const arp = decodeOne(ethernet(0x0806, new Uint8Array(28)));
  assert.match(formatSummaryText(arp), /ARP, length 42$/);
  const cut = decodeOne(ethernet(0x0800, ipv4(17, udp(1, 2, new Uint8Array(0)))).subarray(0, 40));
  assert.match(formatSummaryText(cut), /\[malformed: udp_truncated\]$/);
  assert.match(formatSummaryText(decodeOne(new Uint8Array(30), 147)), /linktype 147, length 30$/);
});

Deno.test("summaryToJson() gives a flat record with only the decoded fields", () => {
  const batch = batchOf([ethernet(0x0800, ipv4(6, tcp(80, 1234, 0x11, new Uint8Array(5))))]);
  const summary = createPacketSummary();
  decodeSummary(batch, 0, summary);
  assert.deepEqual(summaryToJson(summary), {
    time: "1000.123456789",
    linkType: 1,
    length: 59,
    capturedLength: 59,
    etherType: 0x0800,
    ipVersion: 4,
    src: "10.0.0.1",
    dst: "10.0.0.2",
    protocol: 6,
    ttl: 64,
    srcPort: 80,
    dstPort: 1234,
    tcpFlags: "F.",
    payloadLength: 5,
  });
  assert.equal(JSON.parse(JSON.stringify(summaryToJson(summary))).srcPort, 80);
});

Deno.test("formatAddress() formats every IPv4 address the same way, cached or not, past the cache's size", () => {
  const bytes = new Uint8Array(4);
  for (let k = 0; k < 70_000; k++) {
    const value = Math.imul(k, 2654435761) >>> 0;
    new DataView(bytes.buffer).setUint32(0, value);
    const expected = `${bytes[0]}.${bytes[1]}.${bytes[2]}.${bytes[3]}`;
    assert.equal(formatAddress(bytes, 0, 4), expected);
    if (k % 1000 === 0) assert.equal(formatAddress(bytes, 0, 4), expected, "a cached address");
  }
});
