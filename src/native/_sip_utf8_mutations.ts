/**
 * Test helper (not a test): deterministic UTF-8 mutations for the native SIP parser's differential tests. Multi-byte
 * characters, the non-ASCII whitespace of trim() and `\s`, letters JavaScript case-maps to or from ASCII and invalid
 * sequences are put where the parser looks: next to delimiters, into header names, methods, parameter names,
 * Content-Type and the decimal headers. Messages are strings of one char per byte.
 * @module
 */
import { bytesOf, u8s, UNICODE_SPACES } from "./_sip_oracle.ts";
import { joinMessage, mutateOnce, type Prng, splitMessage } from "./_sip_mutations.ts";

/** A request with UTF-8 wherever the parser reads text (one char per byte, like the seeds). */
export const UTF8_REQUEST: string = u8s(
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

/** A response with UTF-8 in its reason phrase, Via, addresses, Call-ID, Reason texts and Server (one char per byte). */
export const UTF8_RESPONSE: string = u8s(
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
export const UTF8_VALID: string[] = [
  "é",
  "П",
  "Псков-5",
  "€",
  "中文",
  "ｘ",
  "😀",
  "\u{10000}",
  "\u{10ffff}",
  "\ufffd",
  "\ufefe",
]
  .concat(["\u200b", "\u0085", "\u00ad", "\u2060", "\uffff", "\ue000", "\u00b2", "\uff17"]);
/** The non-ASCII whitespace of trim() and `\s`, and U+180E: each makes the native parser fall back. */
export const UTF8_SPACES: string[] = UNICODE_SPACES.map((c) => String.fromCodePoint(c));
/** Letters JavaScript case-maps to or from ASCII: U+212A → k, U+0130 → i̇, U+017F → S, U+0131 → I, ß → SS, ... */
export const UTF8_CASED: string[] = [
  "\u212a",
  "\u0130",
  "\u017f",
  "\u0131",
  "\u1e9e",
  "ß",
  "\ufb01",
  "\u212b",
  "K\u0130",
];
/** Bytes TextDecoder replaces with U+FFFD: stray and truncated sequences, overlongs, surrogates, above U+10FFFF. */
export const UTF8_INVALID: string[] = [
  "\x80",
  "\xbf",
  "\xc3",
  "\xe2\x82",
  "\xf0\x9f\x98",
  "\xc3\x28",
  "\xe2\x28\xa1",
  "\xfe",
  "\xff",
]
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
/** Values for Content-Type (sdp is a case-insensitive match). */
const UTF8_CONTENT_TYPES = ["application/\u017fdp", "appl\u0130cation/sdp", "\u00a0application/sdp", "ａpplication/sdp"]
  .concat(["application/sdp\u3000", "APPLICATION/SDP\ufeff", "application/sdp;x=é", "application/sdpé"]);
/** Values for the decimal headers (Content-Length, Max-Forwards, Expires): digits JavaScript does not read. */
const UTF8_DECIMALS = ["7\u00b2", "\uff17", "1\u00a0", "\u00a05", "١", "12é", "é"];

/** Delimiters whose neighbourhood (both sides) is where a multi-byte character is put. */
const UTF8_DELIMITERS = new Set(['"', "<", ">", ":", ";", "=", ",", "@", " ", "\t", "\r", "\n", "/", "\\", "[", "]"]);

/** Length of the start line and header section of `message`, the empty line included (all of it without one). */
function headLength(message: string): number {
  const parts = splitMessage(message);
  return Math.min(message.length, parts.head.join(parts.eol).length + 2 * parts.eol.length);
}

/** Every index of the start line and header section next to a delimiter (value, name and token boundaries). */
export function boundaryPoints(message: string): number[] {
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
export function mutateUtf8(rng: Prng, seed: string): Uint8Array {
  let message = seed;
  const steps = 1 + rng.below(3);
  for (let i = 0; i < steps; i++) message = utf8MutateOnce(rng, message);
  if (rng.below(4) === 0) message = mutateOnce(rng, message);
  return bytesOf(message);
}
