import assert from "node:assert/strict";
import { crc32c } from "./crc32c.ts";

const encoder = new TextEncoder();

Deno.test("crc32c() matches the RFC 3720 check values", () => {
  assert.equal(crc32c(encoder.encode("123456789")), 0xe3069283);
  assert.equal(crc32c(new Uint8Array(32)), 0x8a9136aa);
  assert.equal(crc32c(new Uint8Array(32).fill(0xff)), 0x62a8ab43);
  assert.equal(crc32c(Uint8Array.from({ length: 32 }, (_, i) => i)), 0x46dd794e);
  assert.equal(crc32c(new Uint8Array(0)), 0);
});

Deno.test("crc32c() continues across chunks of any alignment", () => {
  const bytes = Uint8Array.from({ length: 1000 }, (_, i) => (i * 31 + 7) & 0xff);
  const whole = crc32c(bytes);
  for (const split of [1, 3, 8, 13, 500, 999]) {
    assert.equal(crc32c(bytes.subarray(split), crc32c(bytes.subarray(0, split))), whole);
  }
  bytes[500] ^= 1;
  assert.notEqual(crc32c(bytes), whole);
});
