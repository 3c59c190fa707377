/**
 * Test helper (not a test): deterministic SIP-aware mutations for the native SIP parser's differential tests. A seeded
 * `Prng` drives byte flips, inserted delimiters, cuts, line-level edits (duplicated, dropped, swapped, renamed header
 * lines), switched line ends and crafted values per header (`VALUES`, under any of the header's `NAMES`). Messages are
 * strings of one char per byte.
 * @module
 */
import { Prng } from "../../tests/fuzz/_prng.ts";
import { bytesOf } from "./_sip_oracle.ts";

/** A message split into its start line and header lines (without line ends), its line end and its body. */
export interface MessageParts {
  /** The start line, then the header lines. */
  head: string[];
  /** The line end of the header section: "\r\n" or "\n". */
  eol: string;
  /** Everything after the empty line. */
  body: string;
}

/** The fuzz tests' seeded PRNG (mulberry32): every mutation is reproducible from the seed. */
export { Prng };

/** Bytes and fragments worth putting anywhere: line ends, delimiters, controls, non-ASCII, parameter starts. */
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
export const VALUES: Record<string, string[]> = {
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
export const NAMES: Record<string, string[]> = {
  via: ["Via", "v", "V", "VIA"],
  address: ["From", "f", "To", "t", "T", "Contact", "m", "CONTACT", "contact"],
  reason: ["Reason", "reason"],
  cseq: ["CSeq", "cseq", "CSEQ"],
  decimal: ["Content-Length", "l", "L", "Max-Forwards", "Expires", "expires"],
  callId: ["Call-ID", "i", "call-id", "Call-Id"],
  contentType: ["Content-Type", "c", "content-type"],
  token: ["User-Agent", "Server", "Subject", "k", "X-Other"],
};

/** Header section lines of other shapes: unknown, folded, without a colon or a name, spaced, non-ASCII, a lone CR. */
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
export function splitMessage(message: string): MessageParts {
  const end = message.indexOf("\r\n\r\n");
  const lfEnd = message.indexOf("\n\n");
  if (end === -1 && lfEnd === -1) return { head: message.split("\n"), eol: "\n", body: "" };
  if (end !== -1 && (lfEnd === -1 || end < lfEnd)) {
    return { head: message.slice(0, end).split("\r\n"), eol: "\r\n", body: message.slice(end + 4) };
  }
  return { head: message.slice(0, lfEnd).split("\n"), eol: "\n", body: message.slice(lfEnd + 2) };
}

/** The message of `parts` (the inverse of `splitMessage`, with its empty line). */
export function joinMessage(parts: MessageParts): string {
  return parts.head.join(parts.eol) + parts.eol + parts.eol + parts.body;
}

/** A header line of a random group: one of its names, a separator and one of its crafted values. */
function craftedLine(rng: Prng): string {
  const group = rng.pick(Object.keys(VALUES));
  const separator = rng.pick([": ", ":", " : ", ":\t"]);
  return rng.pick(NAMES[group]) + separator + rng.pick(VALUES[group]);
}

/** One mutation of `message` (a string of one char per byte). */
export function mutateOnce(rng: Prng, message: string): string {
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

/** One line-level mutation of `message`: a header line duplicated, dropped, swapped, renamed, added or extended. */
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

/** One to four mutations of `seed` (one char per byte), as the bytes to parse. */
export function mutate(rng: Prng, seed: string): Uint8Array {
  let message = seed;
  const steps = 1 + rng.below(4);
  for (let i = 0; i < steps; i++) message = mutateOnce(rng, message);
  return bytesOf(message);
}

/** An INVITE with the headers the parser reads and a body: a seed of the mutations and an edge case. */
export const BASE_REQUEST = "INVITE sip:bob@b.example SIP/2.0\r\n" +
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

/** A 487 response with a Reason header: a seed of the mutations and an edge case. */
export const BASE_RESPONSE = "SIP/2.0 487 Request Terminated\r\n" +
  "Via: SIP/2.0/UDP a.example:5060;branch=z9hG4bK1;received=10.0.0.9;rport=5070\r\n" +
  "From: <sip:alice@a.example>;tag=77\r\n" +
  "To: Bob <sip:bob@b.example>;tag=88\r\n" +
  "Call-ID: abc@a\r\n" +
  "CSeq: 1 INVITE\r\n" +
  'Reason: Q.850;cause=16;text="Normal call clearing"\r\n' +
  "Content-Length: 0\r\n" +
  "\r\n";
