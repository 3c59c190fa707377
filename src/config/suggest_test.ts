import assert from "node:assert/strict";
import { closest, didYouMean, editDistance } from "./suggest.ts";

Deno.test("editDistance() counts inserts, deletes, substitutions and transpositions", () => {
  assert.equal(editDistance("log_level", "log_level"), 0);
  assert.equal(editDistance("log_levl", "log_level"), 1);
  assert.equal(editDistance("kafak", "kafka"), 1);
  assert.equal(editDistance("", "abc"), 3);
});

Deno.test("closest() suggests likely typos only", () => {
  assert.equal(closest("enabld", ["enabled", "listen"]), "enabled");
  assert.equal(closest("block-size", ["block_size", "num_blocks"]), "block_size");
  assert.equal(closest("zzzzzz", ["enabled", "listen"]), undefined);
  assert.equal(didYouMean("lisen", ["enabled", "listen"]), '; did you mean "listen"?');
  assert.equal(didYouMean("qqqq", ["enabled"]), "");
});
