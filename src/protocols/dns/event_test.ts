import assert from "node:assert/strict";
import { dnsEvent, dnsRcodeName } from "./event.ts";
import { parseDnsMessage } from "./parser.ts";
import type { DnsMessage } from "./types.ts";
import { query, response } from "./_test_messages.ts";

const parse = (bytes: Uint8Array) => (parseDnsMessage(bytes) as { message: DnsMessage }).message;

Deno.test("dnsEvent() builds a dns record with answers, latency and the extended rcode", () => {
  const event = dnsEvent({
    transport: "udp",
    client: { ip: "10.0.0.1", port: 5000 },
    server: { ip: "10.0.0.53", port: 53 },
    request: parse(query(4)),
    response: parse(response(4)),
    requestTimeMs: 100,
    responseTimeMs: 103,
    latencyMs: 3,
    notes: [],
  });
  assert.equal(event.type, "dns");
  assert.equal(event.latency_ms, 3);
  assert.equal(event.notes, undefined);
  const dns = event.dns as Record<string, unknown>;
  assert.equal(dns.response_code, "BADVERS");
  assert.deepEqual(dns.question, { name: "example.com", type: "A", class: 1 });
  assert.deepEqual((dns.answers as { type: string }[]).map((a) => a.type), ["CNAME", "A", "AAAA"]);
});

Deno.test("dnsEvent() keeps notes of an unanswered query", () => {
  const event = dnsEvent({
    transport: "tcp",
    client: { ip: "::1", port: 1 },
    server: { ip: "::1", port: 53 },
    request: parse(query(5)),
    requestTimeMs: 1,
    notes: ["no_response"],
  });
  assert.deepEqual(event.notes, ["no_response"]);
  assert.equal((event.dns as Record<string, unknown>).response_code, undefined);
  assert.equal(dnsRcodeName(3), "NXDOMAIN");
});
