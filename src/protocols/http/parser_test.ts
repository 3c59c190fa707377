import assert from "node:assert/strict";
import { detectHttp, findHeadEnd, httpParser, parseHttpMessage } from "./parser.ts";

const bytes = (text: string) => new TextEncoder().encode(text);

Deno.test("parseHttpMessage() parses a head and a Content-Length body from one payload", () => {
  const result = parseHttpMessage(bytes("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhiEXTRA"));
  assert.equal(result.kind, "message");
  if (result.kind !== "message") return;
  assert.equal(result.consumedBytes, 40);
  assert.equal(result.message.bodyBytes, 2);
});

Deno.test("parseHttpMessage() is incomplete for every truncation and for bodies it cannot frame alone", () => {
  const text = "POST /x HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc";
  for (let length = 0; length < text.length; length++) {
    assert.deepEqual(parseHttpMessage(bytes(text.slice(0, length))), { kind: "incomplete" }, `length ${length}`);
  }
  assert.equal(parseHttpMessage(bytes("HTTP/1.1 200 OK\r\n\r\nuntil close")).kind, "incomplete");
  assert.equal(parseHttpMessage(bytes("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")).kind, "incomplete");
  assert.deepEqual(parseHttpMessage(bytes("NOPE\r\n\r\n")), { kind: "invalid", reason: "bad_start_line" });
});

Deno.test("detectHttp() and findHeadEnd() work on the first bytes", () => {
  assert.equal(detectHttp(bytes("GET / HTTP/1.1")), "request");
  assert.equal(detectHttp(bytes("HTTP/1.0 200")), "response");
  assert.equal(detectHttp(bytes("INVITE sip:x SIP/2.0")), undefined);
  assert.equal(httpParser.detect(bytes("OPTIONS * HTTP/1.1")), "request");
  assert.equal(findHeadEnd(bytes("GET / HTTP/1.1\n\nbody"), 1000), 16);
  assert.equal(findHeadEnd(bytes("GET / HTTP/1.1\r\n"), 1000), -1);
});
