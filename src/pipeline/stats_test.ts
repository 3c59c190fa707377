import assert from "node:assert/strict";
import { MALFORMED_NAMES } from "../decode/summary.ts";
import { createPipelineCounters, namedCounts, numericMembers } from "./stats.ts";

Deno.test("createPipelineCounters() starts every reason at zero", () => {
  const counters = createPipelineCounters();
  assert.equal(counters.malformed.length, MALFORMED_NAMES.length);
  assert.equal(counters.sipInvalid.bad_cseq, 0);
  assert.equal(counters.dnsInvalid.pointer_loop, 0);
  assert.ok(counters.malformed.every((n) => n === 0));
});

Deno.test("namedCounts() keeps non-zero entries under their names, never 'none'", () => {
  assert.deepEqual(namedCounts({}, [5, 0, 2], ["none", "a", "b"], "x_"), { x_b: 2 });
});

Deno.test("numericMembers() takes non-zero numbers only", () => {
  assert.deepEqual(numericMembers({ a: 1, b: 0, c: [1], d: { e: 1 }, f: 3 }, "p_"), { p_a: 1, p_f: 3 });
});
