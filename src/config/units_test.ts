import assert from "node:assert/strict";
import { formatDurationMs, formatSize, parseDurationMs, parseSize } from "./units.ts";

Deno.test("parseSize() reads plain bytes, binary and decimal units", () => {
  assert.deepEqual(parseSize(8388608), { ok: true, value: 8388608 });
  assert.deepEqual(parseSize("8MiB"), { ok: true, value: 8 * 1024 * 1024 });
  assert.deepEqual(parseSize("64KB"), { ok: true, value: 64_000 });
  assert.deepEqual(parseSize("1.5 KiB"), { ok: true, value: 1536 });
  assert.deepEqual(parseSize("4096"), { ok: true, value: 4096 });
});

Deno.test("parseSize() refuses unknown units, fractions of bytes and negatives", () => {
  assert.equal(parseSize("8XB").ok, false);
  assert.equal(parseSize("8M").ok, false);
  assert.equal(parseSize("1.5B").ok, false);
  assert.equal(parseSize(-1).ok, false);
  assert.equal(parseSize(1.5).ok, false);
});

Deno.test("parseDurationMs() reads ms, s, m, h, d and combinations", () => {
  assert.deepEqual(parseDurationMs("100ms"), { ok: true, value: 100 });
  assert.deepEqual(parseDurationMs("5s"), { ok: true, value: 5000 });
  assert.deepEqual(parseDurationMs("1h30m"), { ok: true, value: 5_400_000 });
  assert.deepEqual(parseDurationMs("1.5s"), { ok: true, value: 1500 });
  assert.deepEqual(parseDurationMs(0), { ok: true, value: 0 });
});

Deno.test("parseDurationMs() refuses bare numbers and unknown units", () => {
  assert.equal(parseDurationMs(5).ok, false);
  assert.equal(parseDurationMs("5").ok, false);
  assert.equal(parseDurationMs("5 sec").ok, false);
  assert.equal(parseDurationMs("").ok, false);
});

Deno.test("formatSize() and formatDurationMs() use the largest exact unit", () => {
  assert.equal(formatSize(8 * 1024 * 1024), "8MiB");
  assert.equal(formatSize(1000), "1000B");
  assert.equal(formatDurationMs(90_000), "90s");
  assert.equal(formatDurationMs(300_000), "5m");
  assert.equal(formatDurationMs(150), "150ms");
});
