import assert from "node:assert/strict";
import { RecentIds } from "./recent_ids.ts";

Deno.test("RecentIds.seen() reports repeats and forgets the least recently seen id beyond the bound", () => {
  const recent = new RecentIds(3);
  assert.equal(recent.seen("a"), false);
  assert.equal(recent.seen("b"), false);
  assert.equal(recent.seen("c"), false);
  assert.equal(recent.seen("a"), true); // Refreshes "a": "b" is now the oldest.
  assert.equal(recent.seen("d"), false);
  assert.equal(recent.size, 3);
  assert.equal(recent.seen("a"), true);
  assert.equal(recent.seen("b"), false); // Forgotten when "d" came in.
  assert.throws(() => new RecentIds(0), RangeError);
});
