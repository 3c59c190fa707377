import assert from "node:assert/strict";
import { isChunked, parseHead } from "./head.ts";

const head = (text: string) => {
  const bytes = new TextEncoder().encode(text);
  return parseHead(bytes, 0, bytes.length);
};

Deno.test("parseHead() extracts the record fields, case-insensitively, with folding and bare LF", () => {
  const result = head(
    "POST /upload HTTP/1.1\r\nhost: example.com\r\nUser-Agent: curl/8\r\n  (folded)\r\nContent-Type: text/plain\r\n" +
      "Content-Length: 5, 5\r\nX-Other: y\r\n\r\n",
  );
  assert.ok(result.ok);
  if (!result.ok || result.message.kind !== "request") return;
  const { message } = result;
  assert.deepEqual([message.method, message.target, message.host, message.userAgent], [
    "POST",
    "/upload",
    "example.com",
    "curl/8 (folded)",
  ]);
  assert.equal(message.contentType, "text/plain");
  assert.equal(message.contentLength, 5);
  const bare = head("HTTP/1.1 200 OK\nTransfer-Encoding: gzip\nTransfer-Encoding: chunked\nConnection: Close\n\n");
  assert.ok(bare.ok && bare.message.transferEncoding === "gzip, chunked" && bare.message.connection === "close");
});

Deno.test("parseHead() rejects bad header lines and conflicting Content-Length", () => {
  assert.deepEqual(head("GET / HTTP/1.1\r\nHost : x\r\n\r\n"), { ok: false, reason: "bad_header" });
  assert.deepEqual(head("GET / HTTP/1.1\r\nno colon\r\n\r\n"), { ok: false, reason: "bad_header" });
  assert.deepEqual(head("GET / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n"), {
    ok: false,
    reason: "bad_content_length",
  });
  assert.deepEqual(head("GET / HTTP/1.1\r\nContent-Length: -1\r\n\r\n"), { ok: false, reason: "bad_content_length" });
  assert.deepEqual(head("GARBAGE\r\n\r\n"), { ok: false, reason: "bad_start_line" });
});

Deno.test("isChunked() looks at the last coding only", () => {
  assert.ok(isChunked("gzip, Chunked"));
  assert.ok(!isChunked("chunked, gzip"));
});
