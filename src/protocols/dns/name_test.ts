import assert from "node:assert/strict";
import { labelText, type NameRead, readName } from "./name.ts";

const out: NameRead = { name: "", next: 0 };

Deno.test("readName() follows a compression pointer and returns the offset after it", () => {
  // "example.com" at 0, then "www" + pointer to 0 at 13.
  const bytes = new Uint8Array([
    7,
    ...new TextEncoder().encode("example"),
    3,
    99,
    111,
    109,
    0,
    3,
    119,
    119,
    119,
    0xc0,
    0,
  ]);
  assert.equal(readName(bytes, 0, out), undefined);
  assert.deepEqual(out, { name: "example.com", next: 13 });
  assert.equal(readName(bytes, 13, out), undefined);
  assert.deepEqual(out, { name: "www.example.com", next: 19 });
});

Deno.test("readName() renders the root as a dot", () => {
  assert.equal(readName(new Uint8Array([0]), 0, out), undefined);
  assert.equal(out.name, ".");
});

Deno.test("readName() stops pointer loops", () => {
  assert.equal(readName(new Uint8Array([0xc0, 0]), 0, out), "pointer_loop");
  assert.equal(readName(new Uint8Array([0xc0, 2, 0xc0, 0]), 0, out), "pointer_loop");
  // A loop that adds a label each turn grows past 255 bytes first.
  assert.equal(readName(new Uint8Array([1, 97, 0xc0, 0]), 0, out), "name_too_long");
});

Deno.test("readName() rejects reserved label types, names past the end and overlong names", () => {
  assert.equal(readName(new Uint8Array([0x40, 0]), 0, out), "bad_name");
  assert.equal(readName(new Uint8Array([3, 97, 98]), 0, out), "bad_name");
  assert.equal(readName(new Uint8Array([0xc0]), 0, out), "bad_name");
  assert.equal(readName(new Uint8Array([]), 0, out), "bad_name");
  const long = new Uint8Array(300);
  for (let i = 0; i + 64 < 300; i += 64) long[i] = 63;
  assert.equal(readName(long, 0, out), "name_too_long");
});

Deno.test("labelText() escapes dots, backslashes and non-printable bytes", () => {
  assert.equal(labelText(new Uint8Array([0x61, 0x2e, 0x5c, 0x00, 0x20, 0xff]), 0, 6), "a\\.\\\\\\000\\032\\255");
});
