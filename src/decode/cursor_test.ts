import assert from "node:assert/strict";
import { has, readU16, readU32, readU32Le } from "./cursor.ts";

const DATA = new Uint8Array([0x12, 0x34, 0x56, 0x78, 0x9a]);

Deno.test("readU16() and readU32() read big-endian and refuse to cross the end", () => {
  assert.equal(readU16(DATA, 0, 5), 0x1234);
  assert.equal(readU32(DATA, 1, 5), 0x3456789a);
  assert.equal(readU32Le(DATA, 0, 5), 0x78563412);
  assert.equal(readU16(DATA, 4, 5), -1);
  assert.equal(readU32(DATA, 0, 3), -1);
  assert.equal(readU32Le(DATA, 2, 5), -1);
});

Deno.test("has() checks that a field fits before the end", () => {
  assert.equal(has(0, 4, 4), true);
  assert.equal(has(1, 4, 4), false);
});
