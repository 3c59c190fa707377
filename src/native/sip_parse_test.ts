/**
 * Differential test of the native SIP parser (`cap_sip_parse`) against the TypeScript reference: for the SIP payloads
 * of the corpus captures, hand-written edge cases, deterministic SIP-aware mutations and UTF-8 mutations (multi-byte
 * characters, the non-ASCII whitespace of trim() and `\s`, case-mapped letters and invalid sequences put where the
 * parser looks), every result the native parser gives (anything but FALLBACK) must equal `parseSipMessage`: the same
 * invalid reason, or the same JSON as `JSON.stringify(sipFields(message))` and every summary field equal to the
 * message's.
 */
import assert from "node:assert/strict";
import { openFileSource } from "../capture/file_source.ts";
import { decodeSummary } from "../decode/decode.ts";
import { createPacketSummary, IpProtocol } from "../decode/summary.ts";
import { sipFields } from "../pipeline/records.ts";
import { detectSip, parseSipMessage, SIP_INVALID_REASONS } from "../protocols/sip/mod.ts";
import {
  NativeSipParser,
  SIP_NATIVE_FALLBACK,
  SIP_SUMMARY_REASONS_MAX,
  sipReasonWord,
  SipSummaryFlag,
  SipSummaryKind,
  SipSummaryWord,
} from "./sip_parse.ts";

const CORPUS_DIR = "/work/shared/corpus/sip/";
const MUTATIONS = 150_000;
const MUTATION_FALLBACK_SHARE_MAX = 0.3;
const SEED = 0x51b5eed;
const UTF8_MUTATIONS = 40_000;
const UTF8_SEED = 0x07f8eed;
/** The capture whose TCP segments carry UTF-8 (Cyrillic display names): none of them may fall back. */
const CYRILLIC_CAPTURE = "sip_ipv4_tcp_fragmented.pcap";

const latin1 = new TextDecoder("latin1");
const utf8 = new TextDecoder();
/** Rejects what the native parser must fall back on as invalid: not UTF-8, overlongs, surrogates (BOM kept). */
const strictUtf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
const encoder = new TextEncoder();

/**
 * The code points above 0x7F that trim() and the RegExp `\s` remove (ECMAScript WhiteSpace and LineTerminator), plus
 * U+180E (whitespace before Unicode 6.3): a header section holding one falls back (ffi/sip_scan.zig
 * `is_unicode_space`).
 */
const UNICODE_SPACES = [
  0xa0,
  0x1680,
  0x180e,
  ...Array.from({ length: 11 }, (_, k) => 0x2000 + k),
  0x2028,
  0x2029,
  0x202f,
  0x205f,
  0x3000,
  0xfeff,
];
const UNICODE_SPACE = new RegExp(`[${UNICODE_SPACES.map((c) => `\\u${c.toString(16).padStart(4, "0")}`).join("")}]`);

/** The native rule for a start line and header section: valid UTF-8 without a `UNICODE_SPACES` code point. */
function isPlainUtf8(bytes: Uint8Array): boolean {
  try {
    return !UNICODE_SPACE.test(strictUtf8.decode(bytes));
  } catch {
    return false;
  }
}

function hasNonAscii(bytes: Uint8Array): boolean {
  return bytes.some((byte) => byte >= 0x80);
}

/** `chars` as its UTF-8 bytes, one char per byte (the form the mutations work on). */
function u8s(chars: string): string {
  return text(encoder.encode(chars));
}

/** Bytes as a string of one char per byte (for line-based mutations and readable failure messages). */
function text(bytes: Uint8Array): string {
  return latin1.decode(bytes);
}

function bytesOf(chars: string): Uint8Array {
  const out = new Uint8Array(chars.length);
  for (let i = 0; i < chars.length; i++) out[i] = chars.charCodeAt(i) & 0xff;
  return out;
}

/** How the inputs of one run fared. */
interface Tally {
  inputs: number;
  fallbacks: number;
  messages: number;
  invalid: number;
  /** Messages whose start line or header section has a byte above 0x7F (compared like the others). */
  nonAsciiMessages: number;
}

function tally(): Tally {
  return { inputs: 0, fallbacks: 0, messages: 0, invalid: 0, nonAsciiMessages: 0 };
}

/** The summary as an object, spans decoded, for one deepEqual against the message. */
function summaryOf(parser: NativeSipParser, payload: Uint8Array, jsonBytes: number): Record<string, unknown> {
  const w = parser.summary;
  const span = (start: number) => utf8.decode(payload.subarray(w[start], w[start + 1]));
  const reasons = [];
  for (let i = 0; i < w[SipSummaryWord.reasonsCount]; i++) {
    const cause = parser.summaryI32[sipReasonWord(i, "cause")];
    reasons.push({
      protocol: span(sipReasonWord(i, "protocolStart")),
      cause: cause === -1 ? undefined : cause,
      text: span(sipReasonWord(i, "textStart")),
    });
  }
  return {
    kind: w[SipSummaryWord.kind],
    statusCode: w[SipSummaryWord.statusCode],
    method: span(SipSummaryWord.methodStart),
    callId: span(SipSummaryWord.callIdStart),
    cseqSeq: w[SipSummaryWord.cseqSeq],
    cseqMethod: span(SipSummaryWord.cseqMethodStart),
    hasFrom: (w[SipSummaryWord.flags] & SipSummaryFlag.FROM) !== 0,
    fromUri: span(SipSummaryWord.fromUriStart),
    fromTag: span(SipSummaryWord.fromTagStart),
    hasTo: (w[SipSummaryWord.flags] & SipSummaryFlag.TO) !== 0,
    toUri: span(SipSummaryWord.toUriStart),
    toTag: span(SipSummaryWord.toTagStart),
    contentType: span(SipSummaryWord.contentTypeStart),
    userAgent: span(SipSummaryWord.userAgentStart),
    reasons,
    bodyOffset: w[SipSummaryWord.bodyOffset],
    bodyLength: w[SipSummaryWord.bodyLength],
    consumedBytes: w[SipSummaryWord.consumedBytes],
    malformedHeaderLines: w[SipSummaryWord.malformedHeaderLines],
    jsonBytes: w[SipSummaryWord.jsonBytes],
    flagsOther: w[SipSummaryWord.flags] & ~(SipSummaryFlag.FROM | SipSummaryFlag.TO),
    jsonBytesReturned: jsonBytes,
  };
}

/** What the summary must hold for `message` (from parseSipMessage). */
function expectedSummary(
  result: Extract<ReturnType<typeof parseSipMessage>, { kind: "message" }>,
  jsonBytes: number,
): Record<string, unknown> {
  const m = result.message;
  return {
    kind: m.kind === "request" ? SipSummaryKind.request : SipSummaryKind.response,
    statusCode: m.kind === "response" ? m.statusCode : 0,
    method: m.kind === "request" ? m.method : "",
    callId: m.callId,
    cseqSeq: m.cseq.seq,
    cseqMethod: m.cseq.method,
    hasFrom: m.from !== undefined,
    fromUri: m.from?.uri ?? "",
    fromTag: m.from?.tag ?? "",
    hasTo: m.to !== undefined,
    toUri: m.to?.uri ?? "",
    toTag: m.to?.tag ?? "",
    contentType: m.contentType,
    userAgent: m.userAgent,
    reasons: m.reasons.map((r) => ({ protocol: r.protocol, cause: r.cause, text: r.text })),
    bodyOffset: m.bodyOffset,
    bodyLength: m.bodyLength,
    consumedBytes: result.consumedBytes,
    malformedHeaderLines: m.malformedHeaderLines,
    jsonBytes,
    flagsOther: 0,
    jsonBytesReturned: jsonBytes,
  };
}

/** Compares native and TypeScript on one payload; counts the outcome in `t`. */
function compare(parser: NativeSipParser, payload: Uint8Array, t: Tally): void {
  t.inputs++;
  const n = parser.parse(payload);
  if (n === SIP_NATIVE_FALLBACK) {
    t.fallbacks++;
    return;
  }
  const result = parseSipMessage(payload);
  const where = () => `payload ${JSON.stringify(text(payload))}`;
  if (n < 0) {
    t.invalid++;
    assert.equal(
      result.kind,
      "invalid",
      `native says ${SIP_INVALID_REASONS[-n - 1]}, TypeScript a message: ${where()}`,
    );
    assert.equal(SIP_INVALID_REASONS[-n - 1], result.reason, where());
    return;
  }
  t.messages++;
  assert.equal(
    result.kind,
    "message",
    `native parsed, TypeScript says ${(result as { reason: string }).reason}: ${where()}`,
  );
  const json = parser.json.subarray(0, n);
  const expected = JSON.stringify(sipFields(result.message));
  assert.equal(utf8.decode(json), expected, where());
  // Bytes too: decoding would hide invalid UTF-8 in the native output (TextDecoder makes U+FFFD of it, as of the input).
  assert.equal(text(json), text(encoder.encode(expected)), where());
  assert.deepEqual(summaryOf(parser, payload, n), expectedSummary(result, n), where());
  assert.ok(result.message.reasons.length <= SIP_SUMMARY_REASONS_MAX);
  // The rule of ffi/sip.zig: a message comes back only for a plain UTF-8 start line and header section.
  const head = payload.subarray(0, result.message.bodyOffset);
  assert.ok(isPlainUtf8(head), `native parsed a header section that is not plain UTF-8: ${where()}`);
  if (hasNonAscii(head)) t.nonAsciiMessages++;
}

/** The UDP and TCP payloads of every corpus capture that `detectSip` takes; `cyrillic`: the TCP ones of that file. */
async function corpusPayloads(): Promise<{ udp: Uint8Array[]; tcp: Uint8Array[]; cyrillic: Uint8Array[] }> {
  const udp: Uint8Array[] = [];
  const tcp: Uint8Array[] = [];
  const cyrillic: Uint8Array[] = [];
  const summary = createPacketSummary();
  const files = [...Deno.readDirSync(CORPUS_DIR)].filter((e) => e.isFile && /\.pcap/.test(e.name)).map((e) => e.name);
  for (const name of files.sort()) {
    const source = await openFileSource(CORPUS_DIR + name);
    for (let batch = await source.next(); batch !== null; batch = await source.next()) {
      for (let i = 0; i < batch.count; i++) {
        if (!decodeSummary(batch, i, summary) || summary.payloadBytes <= 0) continue;
        const at = summary.payloadOffset;
        const payload = summary.data.slice(at, at + summary.payloadBytes);
        if (detectSip(payload) === undefined) continue;
        if (summary.protocol === IpProtocol.UDP) udp.push(payload);
        else if (summary.protocol === IpProtocol.TCP) {
          tcp.push(payload);
          if (name === CYRILLIC_CAPTURE) cyrillic.push(payload);
        }
      }
      source.release(batch);
    }
    await source.close();
  }
  return { udp, tcp, cyrillic };
}

/** A seeded PRNG (mulberry32): every mutation is reproducible from the seed. */
class Prng {
  #state: number;
  constructor(seed: number) {
    this.#state = seed >>> 0;
  }
  u32(): number {
    let t = (this.#state = (this.#state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }
  below(limit: number): number {
    return limit <= 0 ? 0 : this.u32() % limit;
  }
  pick<T>(items: readonly T[]): T {
    return items[this.below(items.length)];
  }
}

const INTERESTING = [
  "\r",
  "\n",
  "\r\n",
  ":",
  ";",
  ",",
  '"',
  "<",
  ">",
  "\\",
  " ",
  "\t",
  "=",
  "*",
  "[",
  "]",
  "/",
  "0",
  "9",
  "\x00",
  "\x0b",
  "\x7f",
  "\x80",
  "\xc3\xa9",
  "\xc2\xa0",
  "@",
  "SIP/2.0/",
  ";tag=",
  ";branch=",
  ";rport",
  ";cause=",
  ';text="',
];

/** Crafted values per header (any name of that header is paired with any of them). */
const VALUES: Record<string, string[]> = {
  via: [
    "SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK776;rport=5061;received=1.2.3.4",
    'SIP / 2.0 / TCP host ; branch = "a\\"b"',
    "SIP/2.0/UDP [2001:db8::1]:5060;rport",
    "SIP/2.0/UDP 2001:db8:0:0:0:0:0:1:5060",
    "SIP/2.0/UDP 2001:db8::1:5060",
    "SIP/2.0/UDP a:b:c, SIP/2.0/TLS h;branch=1, bogus",
    "SIP/2.0/UDP h:99999;rport=65536",
    'SIP/2.0/UDP h;rport="12";received=" x "',
    'SIP/2.0/UDP h;rport="1\\2"',
    'sip/2.0/udp h:1;received=""',
    "SIP/2.0/WS h;branch=x;BRANCH=y;rport=",
    "SIP/2.0/UDP h\t;\tbranch=a\x0bb",
    "SIP/2.0/ UDP h",
    "SIP/2.0/UDP;x h",
    "SIP /2.0/UDP h x",
    "SIP/2.0/UDP [::1;branch=1",
    "SIP/2.0/UDP h: 5060 ;branch",
    'SIP/2.0/UDP h;branch="unterminated',
    "a/b/c d;e",
  ],
  address: [
    "*",
    " * ",
    '<sip:a@b>;expires=60, "X, Y" <sip:c@d>;q=0.5',
    "sip:a@b;tag=1",
    "sip:a@b ; tag = 2 ; x",
    '"unterminated <sip:a>',
    "<sip:a",
    'Bob <sip:bob@h>;tag="q"',
    'Bob <sip:bob@h>;tag="q\\"r"',
    '"" <sip:e>',
    '""x <sip:e>',
    '"n\\\\" <sip:a>;tag=x',
    '"a\\"b" <sip:a>',
    '"q" sip:a',
    "sip:a, sip:b, , sip:c",
    "<sip:a;lr>;TAG=x;tag=y",
    "<sip:a> x;tag=1",
    "<sip:a>;tag",
    "Display Name <sip:x@y>",
    "a;b <sip:c>",
    '"\\\r" <sip:a>',
    "<>",
    "",
  ],
  reason: [
    'Q.850;cause=16;text="Normal call clearing"',
    'SIP;cause=200;text="Call completed elsewhere"',
    "Q.850 ; cause = 4294967295",
    "Q.850;cause=2147483648",
    "Q.850;cause=2147483647",
    "Q.850;cause=abc;text=x",
    "a, b, c, d, e",
    "a, b, c, d",
    'Q.850;text="a\\"b"',
    'X;text="unterminated',
    ";cause=1",
    "SIP",
    'Q.850;cause="16"',
    'Q.850;cause="1\\6"',
    "Q.850;cause=;text=",
    'Q.850;text="a,b";cause=3, SIP;cause=487',
  ],
  cseq: [
    "1 INVITE",
    "4294967295 BYE",
    "4294967296 BYE",
    "00000000001 ACK",
    "0000000001 ACK",
    "1  INVITE x",
    "INVITE",
    "1\tACK",
    "1\x0bACK",
    "12",
    "1 A\x00B",
  ],
  decimal: ["0", "70", "4294967295", "4294967296", "99999999999", "-1", "", "1 2", "12a", "0000000000", "00000000000"],
  callId: ["", "abc", 'a"b\\c', "x\x01y", "i\x7f"],
  contentType: ["application/sdp", " APPLICATION/SDP ; charset=x", "application/sdpx", "text/plain", "", ";"],
  token: ["X", "", "a\x7fb", 'q"u\\o'],
};

/** Header names per value group: canonical, compact, odd case. */
const NAMES: Record<string, string[]> = {
  via: ["Via", "v", "V", "VIA"],
  address: ["From", "f", "To", "t", "T", "Contact", "m", "CONTACT", "contact"],
  reason: ["Reason", "reason"],
  cseq: ["CSeq", "cseq", "CSEQ"],
  decimal: ["Content-Length", "l", "L", "Max-Forwards", "Expires", "expires"],
  callId: ["Call-ID", "i", "call-id", "Call-Id"],
  contentType: ["Content-Type", "c", "content-type"],
  token: ["User-Agent", "Server", "Subject", "k", "X-Other"],
};

const OTHER_LINES = [
  "Foo: bar",
  " folded continuation",
  "\tfolded: too",
  "no colon here",
  ": empty name",
  "Call-ID :  spaced \t",
  "Via\t: SIP/2.0/UDP h",
  "X: \xc3\xa9",
  "\r",
];

/** Header section lines and body of a message (lines without their line ends). */
function splitMessage(message: string): { head: string[]; eol: string; body: string } {
  const end = message.indexOf("\r\n\r\n");
  const lfEnd = message.indexOf("\n\n");
  if (end === -1 && lfEnd === -1) return { head: message.split("\n"), eol: "\n", body: "" };
  if (end !== -1 && (lfEnd === -1 || end < lfEnd)) {
    return { head: message.slice(0, end).split("\r\n"), eol: "\r\n", body: message.slice(end + 4) };
  }
  return { head: message.slice(0, lfEnd).split("\n"), eol: "\n", body: message.slice(lfEnd + 2) };
}

function joinMessage(parts: { head: string[]; eol: string; body: string }): string {
  return parts.head.join(parts.eol) + parts.eol + parts.eol + parts.body;
}

function craftedLine(rng: Prng): string {
  const group = rng.pick(Object.keys(VALUES));
  const separator = rng.pick([": ", ":", " : ", ":\t"]);
  return rng.pick(NAMES[group]) + separator + rng.pick(VALUES[group]);
}

/** One mutation of `message` (a string of one char per byte). */
function mutateOnce(rng: Prng, message: string): string {
  const at = rng.below(message.length + 1);
  switch (rng.below(13)) {
    case 0: {
      if (message.length === 0) return message;
      const code = message.charCodeAt(Math.min(at, message.length - 1)) ^ (1 << rng.below(7));
      const i = Math.min(at, message.length - 1);
      return message.slice(0, i) + String.fromCharCode(code) + message.slice(i + 1);
    }
    case 1:
      return message.slice(0, at) + rng.pick(INTERESTING) + message.slice(Math.min(message.length, at + rng.below(2)));
    case 2:
      return message.slice(0, at) + message.slice(at + 1 + rng.below(16));
    case 3:
      return message.slice(0, at);
    case 4:
    case 5:
    case 6:
    case 7:
    case 8:
      return mutateLines(rng, message);
    case 9: {
      const parts = splitMessage(message);
      parts.eol = parts.eol === "\r\n" ? "\n" : "\r\n";
      return joinMessage(parts);
    }
    default: {
      // A crafted value for an existing header of the same group.
      const parts = splitMessage(message);
      parts.head.splice(1 + rng.below(parts.head.length), 0, craftedLine(rng));
      return joinMessage(parts);
    }
  }
}

function mutateLines(rng: Prng, message: string): string {
  const parts = splitMessage(message);
  const head = parts.head;
  const line = 1 + rng.below(Math.max(1, head.length - 1));
  switch (rng.below(7)) {
    case 0:
      if (line < head.length) head.splice(line, 0, head[line]);
      break;
    case 1:
      if (line < head.length) head.splice(line, 1);
      break;
    case 2: {
      const other = 1 + rng.below(Math.max(1, head.length - 1));
      if (line < head.length && other < head.length) [head[line], head[other]] = [head[other], head[line]];
      break;
    }
    case 3: {
      // Another name of the same header (compact form, other case).
      if (line >= head.length) break;
      const colon = head[line].indexOf(":");
      const group = Object.keys(NAMES).find((g) =>
        NAMES[g].some((n) => n.toLowerCase() === head[line].slice(0, colon).trim().toLowerCase())
      );
      if (colon > 0 && group !== undefined) head[line] = rng.pick(NAMES[group]) + head[line].slice(colon);
      break;
    }
    case 4:
      head.splice(line, 0, rng.pick(OTHER_LINES));
      break;
    case 5:
      head.splice(line, 0, craftedLine(rng), craftedLine(rng));
      break;
    default:
      // Appends a list item to a header value.
      if (line < head.length) {
        head[line] += rng.pick([", ", ",", " , "]) + rng.pick(VALUES[rng.pick(Object.keys(VALUES))]);
      }
  }
  return joinMessage(parts);
}

function mutate(rng: Prng, seed: string): Uint8Array {
  let message = seed;
  const steps = 1 + rng.below(4);
  for (let i = 0; i < steps; i++) message = mutateOnce(rng, message);
  return bytesOf(message);
}

const BASE_REQUEST = "INVITE sip:bob@b.example SIP/2.0\r\n" +
  "Via: SIP/2.0/UDP a.example:5060;branch=z9hG4bK1;rport\r\n" +
  'From: "Alice" <sip:alice@a.example>;tag=77\r\n' +
  "To: <sip:bob@b.example>\r\n" +
  "Call-ID: abc@a\r\n" +
  "CSeq: 1 INVITE\r\n" +
  "Contact: <sip:alice@10.0.0.1>\r\n" +
  "Content-Type: application/sdp\r\n" +
  "Content-Length: 4\r\n" +
  "\r\n" +
  "v=0\n";

const BASE_RESPONSE = "SIP/2.0 487 Request Terminated\r\n" +
  "Via: SIP/2.0/UDP a.example:5060;branch=z9hG4bK1;received=10.0.0.9;rport=5070\r\n" +
  "From: <sip:alice@a.example>;tag=77\r\n" +
  "To: Bob <sip:bob@b.example>;tag=88\r\n" +
  "Call-ID: abc@a\r\n" +
  "CSeq: 1 INVITE\r\n" +
  'Reason: Q.850;cause=16;text="Normal call clearing"\r\n' +
  "Content-Length: 0\r\n" +
  "\r\n";

/** A request and a response with UTF-8 wherever the parser reads text (one char per byte, like the seeds). */
const UTF8_REQUEST = u8s(
  "INVITE sip:Пётр@пример.рф SIP/2.0\r\n" +
    "Via: SIP/2.0/UDP хост.example:5060;branch=z9hG4bKé1;received=ä;rport\r\n" +
    'From: "Псков-5" <sip:540454@maxus.lan>;tag=ёж\r\n' +
    "To: Zoë <sip:zoë@b.example>;tag=😀\r\n" +
    "Call-ID: 中文@a\r\n" +
    "CSeq: 1 INVITE\r\n" +
    'Contact: "Ñ\\"ñ" <sip:ñ@10.0.0.1>;expires=60, <sip:b>\r\n' +
    "User-Agent: Тест/1.0 (Ω)\r\n" +
    "Überschrift: wert\r\n" +
    "Content-Type: application/sdp\r\n" +
    "Content-Length: 4\r\n" +
    "\r\n" +
    "v=0\n",
);

const UTF8_RESPONSE = u8s(
  "SIP/2.0 486 Занято здесь\r\n" +
    "Via: SIP / 2.0 / UDP ホスト:5060 ; branch=é ; rport=5070\r\n" +
    "f: <sip:ā@a.example>;tag=ß\r\n" +
    't: "Bob 😀" <sip:bob@b.example>;tag="𐀀"\r\n' +
    "i: abc€@a\r\n" +
    "CSeq: 1 INVITE\r\n" +
    'Reason: Q.850;cause=17;text="Занято", SIP;cause=486;text="Busy ✓"\r\n' +
    "Server: サーバ\r\n" +
    "Content-Length: 0\r\n" +
    "\r\n",
);

/** Valid multi-byte characters of 2, 3 and 4 bytes, none of them whitespace (U+200B, U+0085 and U+FEFE included). */
const UTF8_VALID = ["é", "П", "Псков-5", "€", "中文", "ｘ", "😀", "\u{10000}", "\u{10ffff}", "\ufffd", "\ufefe"]
  .concat(["\u200b", "\u0085", "\u00ad", "\u2060", "\uffff", "\ue000", "\u00b2", "\uff17"]);
/** The non-ASCII whitespace of trim() and `\s`, and U+180E: each makes the native parser fall back. */
const UTF8_SPACES = UNICODE_SPACES.map((c) => String.fromCodePoint(c));
/** Letters JavaScript case-maps to or from ASCII: U+212A → k, U+0130 → i̇, U+017F → S, U+0131 → I, ß → SS, ... */
const UTF8_CASED = ["\u212a", "\u0130", "\u017f", "\u0131", "\u1e9e", "ß", "\ufb01", "\u212b", "K\u0130"];
/** Bytes TextDecoder replaces with U+FFFD: stray and truncated sequences, overlongs, surrogates, above U+10FFFF. */
const UTF8_INVALID = ["\x80", "\xbf", "\xc3", "\xe2\x82", "\xf0\x9f\x98", "\xc3\x28", "\xe2\x28\xa1", "\xfe", "\xff"]
  .concat(["\xc0\xaf", "\xc1\xbf", "\xe0\x80\xaf", "\xe0\x9f\xbf", "\xf0\x80\x80\xaf", "\xf0\x8f\xbf\xbf"])
  .concat(["\xed\xa0\x80", "\xed\xbf\xbf", "\xed\xa0\xbd\xed\xb8\x80", "\xf4\x90\x80\x80", "\xf5\x80\x80\x80"])
  .concat(["\xf8\x88\x80\x80\x80"]);

/** Header names that look like known ones but are not, in both parsers (they compare bytes, not case-mapped text). */
const UTF8_NAMES = ["Expire\u017f", "Call-\u0130D", "Call-\u0131D", "C\u017feq", "\u0130", "\u0131", "\u212a", "\u017f"]
  .concat(["V\u0130a", "Fro\u1e3f", "\u0421ontact", "Ser\u1e9ever", "Call-ID\u00a0", "\ufeffVia", "Т", "Ä"]);
/** Methods for the start line and CSeq. */
const UTF8_METHODS = ["\u212aICK", "INV\u0130TE", "INV\u0131TE", "\u017fUBSCRIBE", "ИНВАЙТ", "INVITE\u00a0", "BYÉ"];
/** Parameter names next to the ones the parser searches for (tag, branch, received, rport, cause, text). */
const UTF8_PARAM_NAMES = ["ta\u0261", "\u0442ag", "TAG\u00a0", "\u00a0tag", "tag\u212a", "t\u0430g", "\u0130"]
  .concat(["br\u0430nch", "rpor\u0167", "cau\u017fe", "te\u0445t", "\ufefftag", "tag\u3000", "\u212arport"]);
/** Values for Content-Type (sdp is a case-insensitive match) and the decimal headers. */
const UTF8_CONTENT_TYPES = ["application/\u017fdp", "appl\u0130cation/sdp", "\u00a0application/sdp", "ａpplication/sdp"]
  .concat(["application/sdp\u3000", "APPLICATION/SDP\ufeff", "application/sdp;x=é", "application/sdpé"]);
const UTF8_DECIMALS = ["7\u00b2", "\uff17", "1\u00a0", "\u00a05", "١", "12é", "é"];

/** Delimiters whose neighbourhood (both sides) is where a multi-byte character is put. */
const UTF8_DELIMITERS = new Set(['"', "<", ">", ":", ";", "=", ",", "@", " ", "\t", "\r", "\n", "/", "\\", "[", "]"]);

/** Length of the start line and header section of `message`, the empty line included (all of it without one). */
function headLength(message: string): number {
  const parts = splitMessage(message);
  return Math.min(message.length, parts.head.join(parts.eol).length + 2 * parts.eol.length);
}

/** Every index of the start line and header section next to a delimiter (value, name and token boundaries). */
function boundaryPoints(message: string): number[] {
  const headEnd = headLength(message);
  const points: number[] = [];
  for (let i = 0; i <= headEnd; i++) {
    if (UTF8_DELIMITERS.has(message[i - 1] ?? "\n") || UTF8_DELIMITERS.has(message[i] ?? "\n")) points.push(i);
  }
  return points;
}

/** A character for a UTF-8 mutation, as bytes (one char per byte). */
function utf8Piece(rng: Prng): string {
  switch (rng.below(8)) {
    case 0:
    case 1:
    case 2:
      return u8s(rng.pick(UTF8_VALID));
    case 3:
    case 4:
      return u8s(rng.pick(UTF8_SPACES));
    case 5:
      return u8s(rng.pick(UTF8_CASED));
    case 6:
      return rng.pick(UTF8_INVALID);
    default:
      // After a backslash (an escape inside quotes) or inside quotes of its own.
      return rng.below(2) === 0 ? "\\" + u8s(rng.pick(UTF8_VALID)) : '"' + u8s(rng.pick(UTF8_VALID)) + '"';
  }
}

/** Replaces the name of the header line `line` (if it has one) with `name`. */
function renameHeader(parts: { head: string[] }, line: number, name: string): void {
  const colon = parts.head[line]?.indexOf(":") ?? -1;
  if (colon > 0) parts.head[line] = name + parts.head[line].slice(colon);
}

/** Replaces the value of the first header line of `names` (any case) with `value`. */
function replaceValue(parts: { head: string[] }, names: string[], value: string): void {
  const line = parts.head.findIndex((h, k) => k > 0 && names.includes(h.slice(0, h.indexOf(":")).trim().toLowerCase()));
  if (line > 0) parts.head[line] = parts.head[line].slice(0, parts.head[line].indexOf(":") + 1) + " " + value;
}

/** One UTF-8 mutation of `message` (one char per byte). */
function utf8MutateOnce(rng: Prng, message: string): string {
  switch (rng.below(8)) {
    case 0:
    case 1:
    case 2: {
      // Next to a delimiter: at a value's, name's, parameter's or token's start or end.
      const points = boundaryPoints(message);
      const at = points.length === 0 ? 0 : rng.pick(points);
      return message.slice(0, at) + utf8Piece(rng) + message.slice(at + (rng.below(4) === 0 ? 1 : 0));
    }
    case 3: {
      const at = rng.below(headLength(message) + 1);
      return message.slice(0, at) + utf8Piece(rng) + message.slice(at);
    }
    case 4: {
      const parts = splitMessage(message);
      renameHeader(parts, 1 + rng.below(Math.max(1, parts.head.length - 1)), u8s(rng.pick(UTF8_NAMES)));
      return joinMessage(parts);
    }
    case 5: {
      const method = u8s(rng.pick(UTF8_METHODS));
      if (rng.below(2) === 0) return message.replace(/^[A-Za-z]+ /, method + " ");
      return message.replace(/(CSeq|cseq|CSEQ):( *\d+ +)[^\r\n]*/, `$1:$2${method}`);
    }
    case 6: {
      const name = u8s(rng.pick(UTF8_PARAM_NAMES));
      const params = [...message.matchAll(/;\s*(tag|branch|received|rport|cause|text)\b/gi)];
      if (params.length === 0) return message;
      const match = rng.pick(params);
      return message.slice(0, match.index + 1) + name + message.slice(match.index + match[0].length);
    }
    default: {
      const parts = splitMessage(message);
      if (rng.below(2) === 0) replaceValue(parts, ["content-type", "c"], u8s(rng.pick(UTF8_CONTENT_TYPES)));
      else replaceValue(parts, ["content-length", "l", "max-forwards", "expires"], u8s(rng.pick(UTF8_DECIMALS)));
      return joinMessage(parts);
    }
  }
}

/** One to three UTF-8 mutations of `seed`, sometimes with an ordinary one on top. */
function mutateUtf8(rng: Prng, seed: string): Uint8Array {
  let message = seed;
  const steps = 1 + rng.below(3);
  for (let i = 0; i < steps; i++) message = utf8MutateOnce(rng, message);
  if (rng.below(4) === 0) message = mutateOnce(rng, message);
  return bytesOf(message);
}

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
