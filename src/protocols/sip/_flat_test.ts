import assert from "node:assert/strict";
import { asciiString, decodeText, FLAT_LENGTH_MAX, flatCopy, flatSlice, flatTrimmed } from "./_flat.ts";

const encoder = new TextEncoder();

Deno.test("asciiString() builds ASCII ranges and leaves other bytes and long ranges to the caller", () => {
  const bytes = encoder.encode("xxsip:alice@atlanta.example.com;tag=1928301774yy");
  assert.equal(asciiString(bytes, 2, bytes.length - 2), "sip:alice@atlanta.example.com;tag=1928301774");
  assert.equal(asciiString(bytes, 3, 3), "");
  assert.equal(asciiString(encoder.encode("Zoë"), 0, 4), undefined);
  assert.equal(asciiString(new Uint8Array(FLAT_LENGTH_MAX + 1).fill(0x41), 0, FLAT_LENGTH_MAX + 1), undefined);
});

Deno.test("decodeText() equals a UTF-8 TextDecoder for ASCII, non-ASCII, invalid and long input", () => {
  const decoder = new TextDecoder();
  const inputs = [
    encoder.encode("Call-ID: a84b4c76e66710@pc33.atlanta.example.com"),
    encoder.encode('"Zoë Ünïcödé" <sip:zoe@x.example>'),
    new Uint8Array([0x41, 0x80, 0xc3, 0x28, 0x42, 0xff]),
    encoder.encode("v".repeat(FLAT_LENGTH_MAX + 7)),
  ];
  for (const bytes of inputs) {
    assert.equal(decodeText(bytes, 0, bytes.length), decoder.decode(bytes));
    assert.equal(decodeText(bytes, 1, bytes.length - 1), decoder.decode(bytes.subarray(1, bytes.length - 1)));
  }
});

Deno.test("flatSlice() and flatCopy() have the characters of slice(), two-byte ones included", () => {
  const text = "<sip:bob@biloxi.example.com>;tag=a6c85cf-Büchner-😀-end";
  for (const [start, end] of [[1, 27], [0, text.length], [29, text.length], [5, 9], [3, 3]]) {
    assert.equal(flatSlice(text, start, end), text.slice(start, end));
  }
  assert.equal(flatCopy(text), text);
  assert.equal(flatSlice("é".repeat(FLAT_LENGTH_MAX + 3), 1, FLAT_LENGTH_MAX + 2), "é".repeat(FLAT_LENGTH_MAX + 1));
});

Deno.test("flatTrimmed() trims exactly what String.prototype.trim() trims", () => {
  const text = "\u00a0\t sip:alice@atlanta.example.com \u3000\r\n;\ufeff \u2028";
  assert.equal(flatTrimmed(text, 0, text.length), text.trim());
  assert.equal(flatTrimmed(text, 0, text.indexOf(";")), text.slice(0, text.indexOf(";")).trim());
  assert.equal(flatTrimmed(text, text.indexOf(";") + 1, text.length), "");
});
