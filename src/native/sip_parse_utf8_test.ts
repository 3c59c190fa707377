/**
 * Differential test of the native SIP parser (`cap_sip_parse`) against the TypeScript reference on UTF-8: multi-byte
 * characters, the non-ASCII whitespace of trim() and `\s`, case-mapped letters and invalid sequences put where the
 * parser looks. Every result the native parser gives (anything but FALLBACK) must equal `parseSipMessage`
 * (`compare` of `_sip_oracle.ts`), and only a plain UTF-8 start line and header section is parsed natively. Also checks
 * the Unicode facts of the JavaScript engine that rule relies on.
 */
import assert from "node:assert/strict";
import { bytesOf, compare, corpusPayloads, isPlainUtf8, tally, text, u8s, UNICODE_SPACES } from "./_sip_oracle.ts";
import { BASE_REQUEST, BASE_RESPONSE, Prng } from "./_sip_mutations.ts";
import {
  boundaryPoints,
  mutateUtf8,
  UTF8_CASED,
  UTF8_INVALID,
  UTF8_REQUEST,
  UTF8_RESPONSE,
  UTF8_SPACES,
  UTF8_VALID,
} from "./_sip_utf8_mutations.ts";
import { NativeSipParser } from "./sip_parse.ts";

const UTF8_MUTATIONS = 40_000;
const UTF8_SEED = 0x07f8eed;

const utf8 = new TextDecoder();

Deno.test("cap_sip_parse equals parseSipMessage + sipFields on UTF-8 header sections, falling back on the rest", async () => {
  const parser = new NativeSipParser();
  const { udp, tcp } = await corpusPayloads();
  const bases = [BASE_REQUEST, BASE_RESPONSE, UTF8_REQUEST, UTF8_RESPONSE];

  // Each character at each delimiter boundary of the base messages (every value's, name's and token's edges).
  const sweep = tally();
  const plainFallbacks: string[] = [];
  const pieces = [...UTF8_VALID, ...UTF8_SPACES, ...UTF8_CASED].map(u8s).concat(UTF8_INVALID);
  for (const base of bases) {
    for (const at of boundaryPoints(base)) {
      for (const piece of pieces) {
        const payload = bytesOf(base.slice(0, at) + piece + base.slice(at));
        const before = sweep.fallbacks;
        compare(parser, payload, sweep);
        // None of these pieces holds a quote, backslash or line break: a plain UTF-8 one has no reason to fall back.
        if (sweep.fallbacks > before && isPlainUtf8(payload)) plainFallbacks.push(JSON.stringify(text(payload)));
      }
    }
  }
  assert.deepEqual(plainFallbacks.slice(0, 5), [], `${plainFallbacks.length} plain UTF-8 inputs fell back`);

  const mutated = tally();
  const seeds = [...bases, ...udp.map(text), ...tcp.map(text)];
  const rng = new Prng(UTF8_SEED);
  for (let i = 0; i < UTF8_MUTATIONS; i++) compare(parser, mutateUtf8(rng, rng.pick(seeds)), mutated);

  console.log(`native SIP, UTF-8: sweep ${JSON.stringify(sweep)}, mutations ${JSON.stringify(mutated)}`);
  assert.ok(sweep.inputs + mutated.inputs >= 30_000);
  // Enough of each outcome to compare: UTF-8 messages parsed natively, invalid ones, and fallbacks.
  assert.ok(sweep.nonAsciiMessages > sweep.inputs / 20, "too few UTF-8 sweep inputs parse natively");
  assert.ok(mutated.nonAsciiMessages > UTF8_MUTATIONS / 20, "too few UTF-8 mutations parse natively");
  assert.ok(mutated.invalid > UTF8_MUTATIONS / 50, "too few UTF-8 mutations are invalid to compare");
  assert.ok(mutated.fallbacks > UTF8_MUTATIONS / 10, "too few UTF-8 mutations fall back");
});

Deno.test("the Unicode facts the native rule relies on hold in this JavaScript engine", () => {
  const spaces = new Set(UNICODE_SPACES);
  const lowerToAscii: number[] = [];
  for (let c = 0x80; c <= 0x10ffff; c++) {
    if (c >= 0xd800 && c <= 0xdfff) continue;
    const char = String.fromCodePoint(c);
    // trim() and `\s` remove exactly UNICODE_SPACES (U+180E only on engines before Unicode 6.3: a spare fallback).
    const space = /\s/.test(char);
    assert.equal(char.trim() === "", space, `U+${c.toString(16)}`);
    assert.equal(space, spaces.has(c) && c !== 0x180e, `U+${c.toString(16)}`);
    const lower = char.toLowerCase();
    for (let k = 0; k < lower.length; k++) if (lower.charCodeAt(k) < 0x80) lowerToAscii.push(c);
  }
  // toLowerCase() (parameter names, application/sdp) reaches ASCII from U+0130 (as "i\u0307") and U+212A ('k') only;
  // no name the parser compares holds a 'k' (ffi/sip_fields.zig `no_kelvin_target` checks its names).
  assert.deepEqual(lowerToAscii, [0x130, 0x212a]);
  assert.equal("\u0130".toLowerCase(), "i\u0307");
  for (const name of ["tag", "branch", "received", "rport", "cause", "text", "application/sdp"]) {
    assert.ok(!name.includes("k"), name);
  }
  // TextDecoder drops a leading BOM from each range it decodes: U+FEFF must fall back (it is in UNICODE_SPACES).
  assert.equal(utf8.decode(Uint8Array.of(0xef, 0xbb, 0xbf, 0x41)), "A");
  // JSON.stringify writes non-ASCII characters as they are (only lone surrogates are escaped).
  assert.equal(JSON.stringify("Псков\u2028😀\u0085"), '"Псков\u2028😀\u0085"');
});
