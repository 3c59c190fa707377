import assert from "node:assert/strict";
import { parseDnsMessage } from "./parser.ts";
import { type DnsPacketTuple, type DnsTransaction, DnsTransactions } from "./transaction.ts";
import type { DnsMessage } from "./types.ts";
import { query, response } from "./_test_messages.ts";

function message(bytes: Uint8Array): DnsMessage {
  const result = parseDnsMessage(bytes);
  assert.equal(result.kind, "message");
  return (result as { message: DnsMessage }).message;
}

const OUT: DnsPacketTuple = {
  transport: "udp",
  sourceIp: "10.0.0.1",
  sourcePort: 5000,
  targetIp: "10.0.0.53",
  targetPort: 53,
};
const BACK: DnsPacketTuple = {
  transport: "udp",
  sourceIp: "10.0.0.53",
  sourcePort: 53,
  targetIp: "10.0.0.1",
  targetPort: 5000,
};

function table(options: { timeoutMs?: number; transactionsMax?: number } = {}) {
  const emitted: DnsTransaction[] = [];
  return { emitted, table: new DnsTransactions({ emit: (t) => emitted.push(t), ...options }) };
}

Deno.test("DnsTransactions pairs a response with its query and measures latency", () => {
  const { emitted, table: t } = table();
  t.add(message(query(9)), OUT, 1000);
  t.add(message(response(9)), BACK, 1012.5);
  assert.equal(emitted.length, 1);
  assert.equal(emitted[0]!.latencyMs, 12.5);
  assert.deepEqual(emitted[0]!.client, { ip: "10.0.0.1", port: 5000 });
  assert.deepEqual(emitted[0]!.notes, []);
  assert.equal(t.stats.matched, 1);
  assert.equal(t.pendingCount, 0);
});

Deno.test("DnsTransactions reports orphan responses and unanswered queries after the timeout", () => {
  const { emitted, table: t } = table({ timeoutMs: 100 });
  t.add(message(response(1)), BACK, 0);
  t.add(message(query(2)), OUT, 10);
  t.add(message(response(3)), { ...BACK, sourcePort: 5353 }, 50); // Another server: no match.
  t.expire(109);
  assert.equal(t.pendingCount, 1);
  t.expire(110);
  assert.deepEqual(emitted.map((e) => e.notes), [["orphan_response"], ["orphan_response"], ["no_response"]]);
  assert.equal(t.stats.orphanResponses, 2);
  assert.equal(t.stats.unansweredRequests, 1);
});

Deno.test("DnsTransactions closes a query repeated with the same id and evicts the oldest when full", () => {
  const { emitted, table: t } = table({ transactionsMax: 2 });
  t.add(message(query(1)), OUT, 0);
  t.add(message(query(1)), OUT, 1);
  assert.deepEqual(emitted.map((e) => e.notes), [["duplicate_request"]]);
  t.add(message(query(2)), OUT, 2);
  t.add(message(query(3)), OUT, 3);
  assert.equal(t.stats.evictions, 1);
  assert.equal(emitted[1]!.request!.id, 1);
  assert.deepEqual(emitted[1]!.notes, ["evicted"]);
  t.add(message(response(3)), BACK, 4);
  t.flush();
  assert.deepEqual(emitted.slice(2).map((e) => [e.request!.id, e.notes]), [[3, []], [2, ["no_response"]]]);
  assert.equal(t.pendingCount, 0);
});
