/**
 * Differential test of the native SIP parser (`cap_sip_parse`) against the TypeScript reference: for the SIP payloads
 * of the corpus captures, hand-written edge cases and deterministic SIP-aware mutations, every result the native parser
 * gives (anything but FALLBACK) must equal `parseSipMessage`: the same invalid reason, or the same JSON as
 * `JSON.stringify(sipFields(message))` and every summary field equal to the message's (`compare` of `_sip_oracle.ts`).
 * The UTF-8 sets are in sip_parse_utf8_test.ts.
 */
import assert from "node:assert/strict";
import { SIP_INVALID_REASONS } from "../protocols/sip/mod.ts";
import { bytesOf, compare, corpusPayloads, CYRILLIC_CAPTURE, tally, text } from "./_sip_oracle.ts";
import {
  BASE_REQUEST,
  BASE_RESPONSE,
  joinMessage,
  mutate,
  NAMES,
  Prng,
  splitMessage,
  VALUES,
} from "./_sip_mutations.ts";
import { NativeSipParser, SIP_NATIVE_FALLBACK, sipReasonWord, SipSummaryWord } from "./sip_parse.ts";

const MUTATIONS = 150_000;
const MUTATION_FALLBACK_SHARE_MAX = 0.3;
const SEED = 0x51b5eed;

/** Whole messages for the edges of each rule. */
const EDGE_CASES: string[] = [
  "",
  "SIP/2.0",
  "SIP/2.0 200",
  "SIP/2.0 200 OK",
  "SIP/2.0 200 OK\r\n",
  "SIP/2.0 200 OK\r\n\r\n",
  "SIP/2.0 099 Low\r\n\r\n",
  "SIP/2.0 200\r\ni: a\r\nCSeq: 1 A\r\n\r\n",
  "SIP/2.0 200\ni: a\nCSeq: 1 A\n\n",
  "SIP/2.0 200 \r\ni: a\r\nCSeq: 1 A\r\n\r\n",
  "sip/2.0 200 OK\r\ni: a\r\nCSeq: 1 A\r\n\r\n",
  "SIP/2.0 200 O\rK\x01\r\ni: a\r\nCSeq: 1 A\r\n\r\n",
  "SIP/2.0 200 OK\r\ni: a\r\nCSeq: 1 A\r\n",
  "SIP/2.0 200 OK\r\ni: a\r\nCSeq: 1 A",
  "SIP/2.0 200 OK\r\ni: a\r\nCSeq: 1 A\r\n\r\n\xff\xfe binary body \x00",
  "SIP/2.0 200 OK\r\ni: a\r\nCSeq: 1 A\r\nl: 3\r\n\r\n\xff\xfe",
  "SIP/2.0 200 \xc3\xa9\r\ni: a\r\nCSeq: 1 A\r\n\r\n",
  "OPTIONS sip:a SIP/2.0\r\ni: a\r\nCSeq: 1 OPTIONS\r\n\r\n",
  "OPTIONS sip:a SIP/2.0\ni: a\nCSeq: 1 OPTIONS\nl: 0\n\n",
  "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456 sip:a SIP/2.0\r\ni: a\r\nCSeq: 1 A\r\n\r\n",
  "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345 sip:a SIP/2.0\r\ni: a\r\nCSeq: 1 A\r\n\r\n",
  "OPTIONS sip:\xc3\xa9 SIP/2.0\r\ni: a\r\nCSeq: 1 A\r\n\r\n",
  "OPTIONS  sip:a SIP/2.0\r\n\r\n",
  "OPTIONS sip:a SIP/2.0 \r\n\r\n",
  "OPTIONS sip:a sip/2.0\r\ni: a\r\nCSeq: 1 A\r\n\r\n",
  "OPTIONS sip:a SIP/2.0\r\n i: a\r\ni: b\r\nCSeq: 1 A\r\n\r\n",
  "OPTIONS sip:a SIP/2.0\r\nbad\r\n\tbad: too\r\ni: b\r\nCSeq: 1 A\r\n\r\n",
  "OPTIONS sip:a SIP/2.0\r\ni: b\r\n folded\r\nCSeq: 1 A\r\n\r\n",
  "OPTIONS sip:a SIP/2.0\r\ni: b\r\nCSeq: 1 A\r\n\r",
  "OPTIONS sip:a SIP/2.0\r\ni: b\r\nCSeq: 1 A\r\n\r\r\n\r\n",
  "OPTIONS sip:a SIP/2.0\r\ni:\r\ni: second\r\nCSeq: x A\r\nCSeq: 2 B\r\nCSeq: 3 C\r\n\r\n",
  "OPTIONS sip:a SIP/2.0\r\ni: b\r\nCSeq: 1 A\r\nl: 1\r\nContent-Length: 01\r\n\r\nx",
  "OPTIONS sip:a SIP/2.0\r\ni: b\r\nCSeq: 1 A\r\nl: 1\r\nContent-Length: 2\r\n\r\nxy",
  "OPTIONS sip:a SIP/2.0\r\ni: b\r\nCSeq: 1 A\r\nl: x\r\n\r\n",
  "OPTIONS sip:a SIP/2.0\r\nCSeq: 1 A\r\nl: x\r\n\r\n",
  "OPTIONS sip:a SIP/2.0\r\nl: 0\r\n\r\n",
  "OPTIONS sip:a SIP/2.0\r\ni: b\r\nMax-Forwards: x\r\nMax-Forwards: 7\r\nExpires: 4294967296\r\nExpires: 5\r\nExpires: 6\r\nCSeq: 1 A\r\n\r\n",
  "OPTIONS sip:a SIP/2.0\r\ni: b\r\nCSeq: 1 A\r\nContent-Type:\r\nc: application/sdp\r\nUser-Agent:\r\nUser-Agent: ua\r\nServer: s\r\n\r\nbody",
  'OPTIONS sip:a SIP/2.0\r\ni: b\r\nCSeq: 1 A\r\nf: "unterminated\r\nf: <sip:second>;tag=2\r\nt: x\r\nt: <sip:y>\r\n\r\n',
  "OPTIONS sip:a SIP/2.0\r\ni: b\r\nCSeq: 1 A\r\nReason: a, b\r\nReason: c, d\r\nReason: e\r\n\r\n",
  "OPTIONS sip:a SIP/2.0\r\ni: b\r\nCSeq: 1 A\r\nContact: " +
  Array.from({ length: 70 }, (_, k) => `<sip:${k}>`).join(",") +
  "\r\n\r\n",
  "OPTIONS sip:a SIP/2.0\r\ni: b\r\nCSeq: 1 A\r\n" + "X: y\r\n".repeat(510) + "\r\n",
  "OPTIONS sip:a SIP/2.0\r\ni: b\r\nCSeq: 1 A\r\n" + "X: y\r\n".repeat(511) + "\r\n",
  "OPTIONS sip:a SIP/2.0\r\n" + "x\r\n".repeat(600),
  BASE_REQUEST,
  BASE_RESPONSE,
];

Deno.test("cap_sip_parse equals parseSipMessage + sipFields on the corpus, edge cases and mutations", async () => {
  const parser = new NativeSipParser();
  const { udp, tcp, cyrillic } = await corpusPayloads();
  assert.ok(udp.length > 0, "no SIP payloads in the corpus");

  const corpus = tally();
  for (const payload of udp) compare(parser, payload, corpus);
  assert.equal(corpus.fallbacks, 0, "a real corpus message fell back");
  const stream = tally();
  for (const payload of tcp) compare(parser, payload, stream);
  // The Cyrillic display names of this capture's TCP segments are valid UTF-8: parsed natively, none falls back.
  const utf8Stream = tally();
  for (const payload of cyrillic) compare(parser, payload, utf8Stream);
  assert.ok(utf8Stream.nonAsciiMessages > 0, `${CYRILLIC_CAPTURE}: no UTF-8 header section parsed natively`);
  assert.equal(utf8Stream.fallbacks, 0, `${CYRILLIC_CAPTURE}: a TCP segment fell back`);
  assert.equal(stream.fallbacks, 0, "a corpus TCP segment fell back");

  const edges = tally();
  for (const message of EDGE_CASES) compare(parser, bytesOf(message), edges);
  for (const value of Object.values(VALUES).flat()) {
    for (const names of Object.values(NAMES)) {
      for (const base of [BASE_REQUEST, BASE_RESPONSE]) {
        const parts = splitMessage(base);
        parts.head.splice(2, 0, `${names[0]}: ${value}`);
        compare(parser, bytesOf(joinMessage(parts)), edges);
      }
    }
  }

  const seeds = [BASE_REQUEST, BASE_RESPONSE, ...udp.map(text), ...tcp.map(text)];
  const mutated = tally();
  const rng = new Prng(SEED);
  for (let i = 0; i < MUTATIONS; i++) compare(parser, mutate(rng, rng.pick(seeds)), mutated);

  const share = mutated.fallbacks / mutated.inputs;
  console.log(
    `native SIP: corpus ${JSON.stringify(corpus)}, tcp ${JSON.stringify(stream)}, ` +
      `${CYRILLIC_CAPTURE} tcp ${JSON.stringify(utf8Stream)}, edges ${JSON.stringify(edges)}, ` +
      `mutations ${JSON.stringify(mutated)} (fallback ${(share * 100).toFixed(1)} %)`,
  );
  assert.ok(share < MUTATION_FALLBACK_SHARE_MAX, `fallback share of mutations ${share}`);
  assert.ok(mutated.messages > MUTATIONS / 4, "too few mutations parse as messages to compare");
  assert.ok(mutated.invalid > MUTATIONS / 20, "too few mutations are invalid to compare");
});

Deno.test("NativeSipParser falls back when the JSON does not fit, and takes an empty payload", () => {
  const small = new NativeSipParser(32);
  assert.equal(small.parse(bytesOf(BASE_REQUEST)), SIP_NATIVE_FALLBACK);
  const parser = new NativeSipParser();
  assert.equal(parser.parse(new Uint8Array(0)), -1 - SIP_INVALID_REASONS.indexOf("not_sip"));
  const n = parser.parse(bytesOf(BASE_RESPONSE));
  assert.ok(n > 0);
  assert.equal(parser.summary[SipSummaryWord.statusCode], 487);
  assert.equal(parser.summaryI32[sipReasonWord(0, "cause")], 16);
  assert.throws(() => new NativeSipParser(-1), RangeError);
});
