import assert from "node:assert/strict";
import { HttpStream } from "./stream.ts";
import type { HttpInvalidReason, HttpMessage } from "./types.ts";

function stream(headBytesMax?: number) {
  const messages: HttpMessage[] = [];
  const invalid: HttpInvalidReason[] = [];
  const s = new HttpStream(
    {
      onHead: () => {},
      onMessage: (m) => messages.push(m),
      responseFraming: () => "normal",
      onInvalid: (reason) => invalid.push(reason),
    },
    undefined,
    headBytesMax,
  );
  return { s, messages, invalid };
}

const bytes = (text: string) => new TextEncoder().encode(text);

Deno.test("HttpStream skips leading bytes until a message start, then parses strictly", () => {
  const { s, messages, invalid } = stream();
  s.feed(bytes("ody of an earlier message\r\n\r\nGET /x HTTP/1.1\r\n\r\n\r\nGET /y HTTP/1.1\r\n\r\n"), 0);
  assert.deepEqual(messages.map((m) => m.kind === "request" && m.target), ["/x", "/y"]);
  assert.ok(s.counters.resyncSkippedBytes >= 27);
  assert.deepEqual(invalid, []);
  s.feed(bytes("NOT A START LINE\r\n"), 1);
  assert.deepEqual(invalid, ["bad_start_line"]);
  assert.ok(s.resynchronising);
});

Deno.test("HttpStream rejects heads over the limit and request bodies with a non-chunked encoding", () => {
  const { s, invalid } = stream(64);
  s.feed(bytes("GET /x HTTP/1.1\r\n\r\n"), 0);
  s.feed(bytes("GET /x HTTP/1.1\r\nX: " + "y".repeat(100) + "\r\n\r\n"), 1);
  s.feed(bytes("GET /x HTTP/1.1\r\n\r\nPOST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n"), 2);
  assert.deepEqual(invalid, ["head_too_large", "bad_transfer_encoding"]);
});

Deno.test("HttpStream emits a message cut by the end of the stream as truncated", () => {
  const { s, messages } = stream();
  s.feed(bytes("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\npart"), 0);
  assert.equal(messages.length, 0);
  s.close(5);
  assert.equal(messages[0]!.truncated, true);
  assert.equal(messages[0]!.bodyBytes, 4);
  assert.equal(messages[0]!.endTimeMs, 5);
});
