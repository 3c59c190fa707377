import assert from "node:assert/strict";
import { detectDns, dnsParser, parseDnsMessage } from "./parser.ts";
import { DNS_INVALID_REASONS } from "./types.ts";
import { query, response } from "./_test_messages.ts";

Deno.test("parseDnsMessage() reads header, question, answers and EDNS", () => {
  const result = parseDnsMessage(response(0xbeef));
  assert.equal(result.kind, "message");
  if (result.kind !== "message") return;
  const message = result.message;
  assert.equal(message.id, 0xbeef);
  assert.deepEqual(message.flags, {
    qr: true,
    opcode: 0,
    aa: false,
    tc: false,
    rd: true,
    ra: true,
    ad: false,
    cd: false,
  });
  assert.deepEqual(message.questions, [{ name: "example.com", type: 1, class: 1 }]);
  assert.deepEqual(message.answers.map((r) => [r.name, r.type, r.ttl, r.data]), [
    ["example.com", 5, 300, "www.example.com"],
    ["www.example.com", 1, 60, "93.184.216.34"],
    ["www.example.com", 28, 60, "2606:2800:220:1:248:1893:25c8:1946"],
  ]);
  assert.deepEqual(message.edns, { udpPayloadBytes: 4096, extendedRcode: 16, version: 0, dnssecOk: true });
  assert.equal(result.consumedBytes, response(1).length);
});

Deno.test("parseDnsMessage() returns invalid, never throws, for every truncation of a valid message", () => {
  for (const full of [query(7), response(7)]) {
    for (let length = 0; length < full.length; length++) {
      const result = parseDnsMessage(full.subarray(0, length));
      assert.equal(result.kind, "invalid", `length ${length}`);
      if (result.kind === "invalid") assert.ok(DNS_INVALID_REASONS.includes(result.reason));
    }
  }
  assert.deepEqual(parseDnsMessage(new Uint8Array(5)), { kind: "invalid", reason: "truncated_header" });
});

Deno.test("parseDnsMessage() reports the compression loop of dns-zlip-1.pcap as pointer_loop", () => {
  // The DNS bytes of tcpdump's dns-zlip-1.pcap: the question name is a chain of pointers that loops.
  const hex = "ed6900000001000000000000c00cc007c010c017c020c027c030c0ffcf00000001" + "0001";
  const bytes = new Uint8Array(hex.match(/../g)!.map((pair) => parseInt(pair, 16)));
  const result = parseDnsMessage(bytes);
  assert.equal(result.kind, "invalid");
  if (result.kind === "invalid") assert.ok(result.reason === "pointer_loop" || result.reason === "bad_name");
  assert.deepEqual(parseDnsMessage(new Uint8Array([...bytes.subarray(0, 12), 0xc0, 12, 0, 1, 0, 1])), {
    kind: "invalid",
    reason: "pointer_loop",
  });
});

Deno.test("parseDnsMessage() survives random bytes", () => {
  const bytes = new Uint8Array(64);
  let seed = 12345;
  for (let round = 0; round < 5000; round++) {
    for (let i = 0; i < bytes.length; i++) bytes[i] = (seed = (seed * 1103515245 + 12345) >>> 0) >>> 24;
    bytes[4] = 0; // Keep section counts small so parsing goes deep instead of stopping at the count check.
    bytes[6] = bytes[8] = bytes[10] = 0;
    const result = parseDnsMessage(bytes.subarray(0, 12 + (round % 53)));
    assert.ok(result.kind === "message" || result.kind === "invalid");
  }
});

Deno.test("detectDns() tells queries from responses and rejects non-DNS", () => {
  assert.equal(detectDns(query(1)), "request");
  assert.equal(detectDns(response(1)), "response");
  assert.equal(detectDns(new TextEncoder().encode("GET / HTTP/1.1\r\n\r\n")), undefined);
  assert.equal(detectDns(new Uint8Array(11)), undefined);
  const unassignedOpcode = query(1);
  unassignedOpcode[2] = 0x18; // Opcode 3.
  assert.equal(detectDns(unassignedOpcode), undefined);
  assert.equal(dnsParser.detect(query(1)), "request");
  assert.equal(dnsParser.name, "dns");
});
