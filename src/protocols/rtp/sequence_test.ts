import assert from "node:assert/strict";
import { SequenceTracker, SequenceVerdict } from "./sequence.ts";

Deno.test("SequenceTracker counts a gap across the 16-bit wrap as loss", () => {
  const tracker = new SequenceTracker();
  for (const seq of [65533, 65534, 65535, 1, 2]) tracker.update(seq); // 0 is missing
  assert.equal(tracker.cycles, 65536);
  assert.equal(tracker.expected, 6);
  assert.equal(tracker.lost, 1);
});

Deno.test("SequenceTracker counts reordered packets as late, not lost", () => {
  const tracker = new SequenceTracker();
  const verdicts = [10, 12, 11, 13].map((seq) => tracker.update(seq));
  assert.deepEqual(verdicts, [0, 0, SequenceVerdict.LATE, 0]);
  assert.equal(tracker.late, 1);
  assert.equal(tracker.lost, 0);
});

Deno.test("SequenceTracker counts duplicates once and not as received", () => {
  const tracker = new SequenceTracker();
  for (const seq of [1, 2, 2, 3, 1]) tracker.update(seq);
  assert.equal(tracker.duplicates, 2);
  assert.equal(tracker.receivedTotal, 3);
  assert.equal(tracker.lost, 0);
});

Deno.test("SequenceTracker restarts after two sequential packets far away", () => {
  const tracker = new SequenceTracker();
  for (const seq of [100, 101, 102]) tracker.update(seq);
  assert.equal(tracker.update(40000), SequenceVerdict.JUMP);
  assert.equal(tracker.update(40001), SequenceVerdict.IN_ORDER);
  tracker.update(40002);
  assert.equal(tracker.jumps, 1);
  assert.equal(tracker.expected, 6);
  assert.equal(tracker.lost, 0);
});
