import assert from "node:assert/strict";
import { encodeLines } from "./lines.ts";
import type { OutputRecord } from "./output.ts";

Deno.test("encodeLines() joins encodable records with newlines and counts the rest", () => {
  const records: OutputRecord[] = [
    { type: "sip", timestampMs: 1, value: { a: "é" } },
    { type: "bad", timestampMs: 2, value: {} },
    { type: "dns", timestampMs: 3, value: { b: 2 } },
  ];
  const encoded = encodeLines(records, (r) => r.type === "bad" ? null : JSON.stringify(r.value));
  assert.equal(new TextDecoder().decode(encoded.bytes), '{"a":"é"}\n{"b":2}\n');
  assert.equal(encoded.lines, 2);
  assert.equal(encoded.unencodable, 1);
});
