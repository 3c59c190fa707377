import assert from "node:assert/strict";
import { createPacketBatch } from "./batch.ts";
import { chunkOf, createChunk, setTimestampUnits } from "./chunk.ts";

function split(units: bigint, unitsPerSec: number): [number, number] {
  const batch = createPacketBatch(1);
  setTimestampUnits(batch, 0, Number(units >> 32n), Number(units & 0xffffffffn), unitsPerSec);
  return [batch.timestampSec[0], batch.timestampNsec[0]];
}

Deno.test("setTimestampUnits() is exact for nanoseconds beyond 2^53", () => {
  assert.deepEqual(split(1_700_000_000_123_456_789n, 1e9), [1700000000, 123456789]);
  assert.deepEqual(split(18_446_744_073_709_551_615n, 1e9), [18446744073, 709551615]);
});

Deno.test("setTimestampUnits() handles micro, milli, power-of-two and picosecond resolutions", () => {
  assert.deepEqual(split(1_700_000_000_999_999n, 1e6), [1700000000, 999999000]);
  assert.deepEqual(split(12_345n, 1e3), [12, 345_000_000]);
  assert.deepEqual(split((5n << 32n) + (1n << 31n), 2 ** 32), [5, 500_000_000]);
  assert.deepEqual(split(3n * 1024n + 1n, 1024), [3, 976562]);
  assert.deepEqual(split(2_000_000_000_001_500n, 1e12), [2000, 1]);
});

Deno.test("chunkOf() and createChunk() cover the bytes with a matching view", () => {
  const bytes = new Uint8Array([1, 2, 3, 4]);
  const chunk = chunkOf(bytes.subarray(1));
  assert.equal(chunk.end, 3);
  assert.equal(chunk.view.getUint8(0), 2);
  assert.equal(createChunk(bytes).end, 0);
});
