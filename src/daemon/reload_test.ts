import assert from "node:assert/strict";
import { DEFAULT_CONFIG } from "../config/defaults.ts";
import { changedKeys, planReload } from "./reload.ts";

Deno.test("planReload() applies the log level and lists the rest as restart-required", () => {
  const after = structuredClone(DEFAULT_CONFIG);
  after.global.log_level = "debug";
  after.daemon.metrics.listen = ":9999";
  assert.deepEqual(planReload(DEFAULT_CONFIG, after), {
    applied: ["global.log_level"],
    restartRequired: ["daemon.metrics.listen"],
  });
});

Deno.test("changedKeys() compares lists as values", () => {
  assert.deepEqual(changedKeys({ a: [1, 2], b: { c: 1 } }, { a: [1, 2], b: { c: 2 } }), ["b.c"]);
});
