/**
 * Test helper (not a test): the oracle of the native SIP parser's differential tests. `compare` runs one payload
 * through `cap_sip_parse` and, unless it falls back, asserts that the result equals the TypeScript path
 * (`parseSipMessage`, `JSON.stringify(sipFields(message))` and every summary field); `corpusPayloads` reads the SIP
 * payloads of the corpus captures. Payloads are also handled as strings of one char per byte (`text`, `bytesOf`).
 * @module
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
/** The capture whose TCP segments carry UTF-8 (Cyrillic display names): none of them may fall back. */
export const CYRILLIC_CAPTURE = "sip_ipv4_tcp_fragmented.pcap";

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
export const UNICODE_SPACES: readonly number[] = [
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
export function isPlainUtf8(bytes: Uint8Array): boolean {
  try {
    return !UNICODE_SPACE.test(strictUtf8.decode(bytes));
  } catch {
    return false;
  }
}

/** Whether any byte is above 0x7F. */
function hasNonAscii(bytes: Uint8Array): boolean {
  return bytes.some((byte) => byte >= 0x80);
}

/** `chars` as its UTF-8 bytes, one char per byte (the form the mutations work on). */
export function u8s(chars: string): string {
  return text(encoder.encode(chars));
}

/** Bytes as a string of one char per byte (for line-based mutations and readable failure messages). */
export function text(bytes: Uint8Array): string {
  return latin1.decode(bytes);
}

/** A string of one char per byte as those bytes (the inverse of `text`). */
export function bytesOf(chars: string): Uint8Array {
  const out = new Uint8Array(chars.length);
  for (let i = 0; i < chars.length; i++) out[i] = chars.charCodeAt(i) & 0xff;
  return out;
}

/** How the inputs of one run fared. */
export interface Tally {
  /** Payloads compared. */
  inputs: number;
  /** Payloads the native parser fell back on (SIP_NATIVE_FALLBACK). */
  fallbacks: number;
  /** Payloads both parsers parse as a message. */
  messages: number;
  /** Payloads both parsers reject with the same invalid reason. */
  invalid: number;
  /** Messages whose start line or header section has a byte above 0x7F (compared like the others). */
  nonAsciiMessages: number;
}

/** An empty tally. */
export function tally(): Tally {
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
export function compare(parser: NativeSipParser, payload: Uint8Array, t: Tally): void {
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
export async function corpusPayloads(): Promise<{ udp: Uint8Array[]; tcp: Uint8Array[]; cyrillic: Uint8Array[] }> {
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
