import assert from "node:assert/strict";
import { ChunkedScanner } from "./chunked.ts";

const bytes = (text: string) => new TextEncoder().encode(text);

Deno.test("ChunkedScanner finds the end of a body with extensions and trailers, and stops there", () => {
  const body = bytes("5;ext=1\r\nhello\r\nA\r\n0123456789\r\n0\r\nTrailer: x\r\n\r\nNEXT");
  const scanner = new ChunkedScanner(1024);
  const end = scanner.consume(body, 0, body.length);
  assert.ok(scanner.done);
  assert.equal(end, body.length - 4);
});

Deno.test("ChunkedScanner gives the same answer when the body arrives one byte at a time", () => {
  const body = bytes("3\r\nabc\r\n0\r\n\r\n");
  const scanner = new ChunkedScanner(1024);
  for (let i = 0; i < body.length; i++) {
    assert.ok(!scanner.done, `done early at ${i}`);
    assert.equal(scanner.consume(body, i, i + 1), i + 1);
  }
  assert.ok(scanner.done);
});

Deno.test("ChunkedScanner fails on a bad size, missing CRLF after data, or oversized trailers", () => {
  for (const text of ["x\r\n", "3\r\nabcX", "ffffffffffffffff\r\n"]) {
    const scanner = new ChunkedScanner(1024);
    scanner.consume(bytes(text), 0, text.length);
    assert.ok(scanner.failed, text);
  }
  const scanner = new ChunkedScanner(8);
  const text = "0\r\nVery-Long-Trailer: 1\r\n\r\n";
  scanner.consume(bytes(text), 0, text.length);
  assert.ok(scanner.failed);
});

Deno.test("ChunkedScanner skips chunk data lost in a gap", () => {
  const scanner = new ChunkedScanner(1024);
  scanner.consume(bytes("a\r\n01"), 0, 5);
  assert.equal(scanner.chunkRemainingBytes, 8);
  scanner.skipData(8);
  const rest = bytes("\r\n0\r\n\r\n");
  scanner.consume(rest, 0, rest.length);
  assert.ok(scanner.done);
});
