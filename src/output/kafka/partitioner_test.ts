import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { murmur2 as libraryMurmur2 } from "@platformatic/kafka";
import { murmur2, Partitioner } from "./partitioner.ts";

const encoder = new TextEncoder();

Deno.test("murmur2() matches the library's (BigInt) murmur2 for every tail length and random keys", () => {
  let state = 12345;
  for (let length = 0; length < 70; length++) {
    const key = new Uint8Array(length);
    for (let i = 0; i < length; i++) key[i] = (state = (state * 1103515245 + 12345) >>> 0) >>> 24;
    assert.equal(murmur2(key), libraryMurmur2(Buffer.from(key)), `length ${length}`);
  }
  // The Java client's published value for "21": -973932308.
  assert.equal(murmur2(encoder.encode("21")), -973932308);
});

Deno.test("Partitioner keeps a key on one partition and round-robins unkeyed messages per topic", () => {
  const partitioner = new Partitioner();
  const key = encoder.encode("call-1@host");
  const expected = (libraryMurmur2(Buffer.from(key)) >>> 0) % 7;
  for (let i = 0; i < 5; i++) assert.equal(partitioner.partition("a", key, 7), expected);
  assert.deepEqual([0, 1, 2, 3].map(() => partitioner.partition("a", null, 3)), [0, 1, 2, 0]);
  assert.equal(partitioner.partition("b", null, 3), 0);
  assert.equal(partitioner.partition("a", key, 1), 0);
});
