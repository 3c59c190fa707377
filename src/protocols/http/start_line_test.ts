import assert from "node:assert/strict";
import { parseStartLine } from "./start_line.ts";

const line = (text: string, known = false) => {
  const bytes = new TextEncoder().encode(text);
  return parseStartLine(bytes, 0, bytes.length, known);
};

Deno.test("parseStartLine() reads request and status lines", () => {
  assert.deepEqual(line("GET /a?b=c HTTP/1.1"), { kind: "request", method: "GET", target: "/a?b=c", version: "1.1" });
  assert.deepEqual(line("HTTP/1.0 404 Not Found"), {
    kind: "response",
    status: 404,
    reason: "Not Found",
    version: "1.0",
  });
  assert.deepEqual(line("HTTP/1.1 200"), { kind: "response", status: 200, reason: "", version: "1.1" });
  assert.equal(line("BREW /pot HTTP/1.1")?.kind, "request");
});

Deno.test("parseStartLine() rejects broken lines and, when resynchronising, unknown methods", () => {
  for (
    const text of ["", "GET", "GET / HTTP/2.0", "GET  HTTP/1.1", "HTTP/1.1 20", "HTTP/1.1 2000 x", "HTTP/1.1 099 x"]
  ) {
    assert.equal(line(text), undefined, text);
  }
  assert.equal(line("T /x HTTP/1.1", true), undefined);
  assert.equal(line("GET /x HTTP/1.1", true)?.kind, "request");
});
