import assert from "node:assert/strict";
import { auditSequences, sentAtMs, seqOfKey } from "./seq_audit.ts";

Deno.test("seqOfKey() reads the number of a seq-<n>@host Call-ID and rejects others", () => {
  assert.equal(seqOfKey("seq-0@10.77.0.1"), 0);
  assert.equal(seqOfKey("seq-123456@10.77.0.1"), 123456);
  assert.equal(seqOfKey("a84b4c76e66710@pc33"), -1);
  assert.equal(seqOfKey(""), -1);
});

Deno.test("auditSequences() finds missing ranges, duplicates, reordering and foreign numbers", () => {
  const audit = auditSequences([0, 1, 2, 1, 2, 5, 4, 9, 12, -1], 10);
  assert.deepEqual(audit, {
    records: 10,
    distinct: 6,
    duplicates: 2,
    missing: [[3, 3], [6, 8]],
    outOfOrder: 1,
    foreign: 2,
  });
});

Deno.test("auditSequences() reports a clean run as no gaps, duplicates or reordering", () => {
  const audit = auditSequences([0, 1, 2, 3], 4);
  assert.deepEqual(audit.missing, []);
  assert.equal(audit.distinct, 4);
  assert.equal(audit.duplicates + audit.outOfOrder + audit.foreign, 0);
  assert.deepEqual(auditSequences([], 3).missing, [[0, 2]], "nothing read: everything missing");
});

Deno.test("sentAtMs() takes the time of the last mark at or before the number", () => {
  const marks: [number, number][] = [[0, 1000], [100, 1010], [200, 1020]];
  assert.equal(sentAtMs(marks, 0), 1000);
  assert.equal(sentAtMs(marks, 99), 1000);
  assert.equal(sentAtMs(marks, 150), 1010);
  assert.equal(sentAtMs(marks, 250), 1020);
  assert.ok(Number.isNaN(sentAtMs([], 5)));
});
