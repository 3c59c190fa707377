import assert from "node:assert/strict";
import { HttpConnection, type HttpTransaction } from "./transaction.ts";
import type { HttpMessage } from "./types.ts";

const bytes = (text: string) => new TextEncoder().encode(text);

function connection(options: { pipelineMax?: number; timeoutMs?: number } = {}) {
  const transactions: HttpTransaction[] = [];
  const messages: HttpMessage[] = [];
  const conn = new HttpConnection({
    emit: (t) => transactions.push(t),
    onMessage: (m) => messages.push(m),
    ...options,
  });
  const summary = () =>
    transactions.map((t) =>
      `${t.request?.method ?? "-"} ${t.request?.target ?? "-"} ${t.response?.status ?? "-"} ${t.notes}`
    );
  return { conn, transactions, messages, summary };
}

Deno.test("HttpConnection pairs pipelined requests in order, with HEAD and 204/304 responses without bodies", () => {
  const { conn, transactions, summary } = connection();
  conn.feed(0, bytes("GET /a HTTP/1.1\r\nHost: h\r\n\r\nHEAD /b HTTP/1.1\r\n\r\nGET /c HTTP/1.1\r\n\r\n"), 1);
  conn.feed(1, bytes("HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc"), 5);
  conn.feed(1, bytes("HTTP/1.1 200 OK\r\nContent-Length: 99\r\n\r\nHTTP/1.1 304 Not Modified\r\n\r\n"), 6);
  assert.deepEqual(summary(), ["GET /a 200 ", "HEAD /b 200 ", "GET /c 304 "]);
  assert.equal(transactions[0]!.latencyMs, 4);
  assert.equal(transactions[0]!.response!.bodyBytes, 3);
  assert.equal(transactions[0]!.request!.headBytes, 28);
  assert.equal(conn.stats.transactions, 3);
});

Deno.test("HttpConnection frames chunked and read-until-close bodies split at every byte", () => {
  const request = "POST /p HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nwiki\r\n0\r\nT: 1\r\n\r\n";
  const response = "HTTP/1.0 200 OK\r\n\r\nbody until close";
  for (let cut = 1; cut < request.length; cut += 3) {
    const { conn, transactions, summary } = connection();
    conn.feed(0, bytes(request.slice(0, cut)), 0);
    conn.feed(0, bytes(request.slice(cut)), 1);
    conn.feed(1, bytes(response.slice(0, cut % response.length)), 2);
    conn.feed(1, bytes(response.slice(cut % response.length)), 3);
    assert.equal(transactions.length, 0);
    conn.close(4);
    assert.deepEqual(summary(), ["POST /p 200 "], `cut ${cut}`);
    assert.equal(transactions[0]!.request!.bodyBytes, 20);
    assert.equal(transactions[0]!.response!.bodyBytes, 16);
    assert.equal(transactions[0]!.response!.truncated, false);
  }
});

Deno.test("HttpConnection skips 1xx interim responses and stops parsing after 101", () => {
  const { conn, summary, messages } = connection();
  conn.feed(0, bytes("PUT /x HTTP/1.1\r\nContent-Length: 2\r\nExpect: 100-continue\r\n\r\n"), 0);
  conn.feed(1, bytes("HTTP/1.1 100 Continue\r\n\r\n"), 1);
  conn.feed(0, bytes("ok"), 2);
  conn.feed(1, bytes("HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n"), 3);
  conn.feed(0, bytes("GET /ws HTTP/1.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n"), 4);
  conn.feed(1, bytes("HTTP/1.1 101 Switching Protocols\r\n\r\n\x81\x05hello"), 5);
  conn.feed(0, bytes("\x81\x85garbage that is not HTTP\r\n\r\n"), 6);
  assert.deepEqual(summary(), ["PUT /x 201 ", "GET /ws 101 "]);
  assert.equal(messages.length, 5);
  assert.equal(conn.stats.interimResponses, 1);
  assert.equal(conn.stats.invalid.bad_start_line, 0);
  assert.ok(conn.stats.opaqueBytes > 0);
});

Deno.test("HttpConnection reports orphans, timeouts, full pipelines and unanswered requests at close", () => {
  const { conn, summary } = connection({ pipelineMax: 2, timeoutMs: 100 });
  conn.feed(1, bytes("HTTP/1.1 204 No Content\r\n\r\n"), 0);
  conn.feed(0, bytes("GET /1 HTTP/1.1\r\n\r\nGET /2 HTTP/1.1\r\n\r\nGET /3 HTTP/1.1\r\n\r\n"), 10);
  conn.expire(109);
  assert.equal(conn.pendingCount, 2);
  conn.expire(110);
  conn.feed(0, bytes("GET /4 HTTP/1.1\r\n\r\n"), 200);
  conn.close(201);
  assert.deepEqual(summary(), [
    "- - 204 orphan_response",
    "GET /1 - pipeline_full",
    "GET /2 - no_response",
    "GET /3 - no_response",
    "GET /4 - no_response",
  ]);
  assert.equal(conn.stats.orphanResponses, 1);
  assert.equal(conn.stats.unansweredRequests, 4);
});

Deno.test("HttpConnection skips a gap inside a body but resynchronises after a gap in a head", () => {
  const { conn, summary } = connection();
  conn.feed(0, bytes("GET /a HTTP/1.1\r\n\r\n"), 0);
  conn.feed(1, bytes("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n0123"), 1);
  conn.gap(1, 4, 2);
  conn.feed(1, bytes("89"), 3);
  conn.feed(0, bytes("GET /b HTTP/1.1\r\nHo"), 4);
  conn.gap(0, 50, 5);
  conn.feed(0, bytes("st: lost\r\n\r\nGET /c HTTP/1.1\r\n\r\n"), 6);
  conn.feed(1, bytes("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"), 7);
  assert.deepEqual(summary(), ["GET /a 200 ", "GET /c 404 "]);
  assert.equal(conn.stats.gapResets, 1);
  assert.ok(conn.stats.resyncSkippedBytes > 0);
});

Deno.test("HttpConnection counts a bad message, drops pairing and resynchronises at the next one", () => {
  const { conn, summary } = connection();
  conn.feed(0, bytes("GET /a HTTP/1.1\r\n\r\nGET /b HTTP/1.1\r\nbad header\r\n\r\nGET /c HTTP/1.1\r\n\r\n"), 0);
  conn.feed(1, bytes("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"), 1);
  assert.equal(conn.stats.invalid.bad_header, 1);
  assert.deepEqual(summary(), ["GET /a - stream_gap", "GET /c 200 "]);
});

Deno.test("HttpConnection never throws on any truncation or byte-wise split of a valid exchange", () => {
  const text =
    "GET / HTTP/1.1\r\nHost: x\r\n\r\nHTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\na\r\n0\r\n\r\n";
  for (let length = 0; length <= text.length; length++) {
    const { conn } = connection();
    for (const byte of bytes(text.slice(0, length))) conn.feed(0, new Uint8Array([byte]), length);
    conn.close(length);
  }
  const { conn, summary } = connection();
  for (const byte of bytes(text)) conn.feed(0, new Uint8Array([byte]), 0);
  assert.deepEqual(summary(), ["GET / 200 "]);
  conn.close(1);
});
