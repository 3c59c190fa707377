import assert from "node:assert/strict";
import { latin1 } from "./_bytes.ts";

Deno.test("latin1() maps each byte to the code point of its value, short or long, ASCII or not", () => {
  let seed = 11;
  const next = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 8;
  for (let round = 0; round < 2000; round++) {
    const bytes = new Uint8Array(next() % 120);
    const high = round % 3 === 0;
    for (let i = 0; i < bytes.length; i++) bytes[i] = high ? next() & 0xff : next() & 0x7f;
    const start = bytes.length === 0 ? 0 : next() % bytes.length;
    const end = start + next() % (bytes.length - start + 1);
    assert.equal(latin1(bytes, start, end), String.fromCharCode(...bytes.subarray(start, end)), `round ${round}`);
  }
});
