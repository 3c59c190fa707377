/**
 * The SIP start line: `METHOD SP Request-URI SP SIP/2.0` or `SIP/2.0 SP 3DIGIT SP Reason-Phrase`, ended by CRLF or a
 * bare LF. Scanning is allocation-free so detection can run on every payload of every port.
 * @module
 */
import type { Detection } from "../parser.ts";
import { CR, LF, SP } from "./_bytes.ts";

/** Longest start line scanned; longer lines are not taken for SIP (bounds detection cost). */
export const SIP_START_LINE_BYTES_MAX = 8192;
/** Longest method token accepted (the longest standard method, SUBSCRIBE, has 9). */
const METHOD_BYTES_MAX = 32;

/** Positions found by `scanSipStartLine`, written into a caller-owned object (no allocation). */
export interface StartLineSpans {
  /** Request: end of the method (it starts at 0). */
  methodEnd: number;
  uriStart: number;
  uriEnd: number;
  /** Response: status code; reason phrase span (may be empty). */
  statusCode: number;
  reasonStart: number;
  reasonEnd: number;
  /** Index just past the line's LF. */
  nextLine: number;
}

/** Creates a spans object to reuse across calls. */
export function createStartLineSpans(): StartLineSpans {
  return { methodEnd: 0, uriStart: 0, uriEnd: 0, statusCode: 0, reasonStart: 0, reasonEnd: 0, nextLine: 0 };
}

/** RFC 3261 `token` characters: alphanumerics and `-.!%*_+\`'~`. */
function isTokenByte(byte: number): boolean {
  if ((byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5a) || (byte >= 0x61 && byte <= 0x7a)) return true;
  return byte === 0x2d || byte === 0x2e || byte === 0x21 || byte === 0x25 || byte === 0x2a || byte === 0x5f ||
    byte === 0x2b || byte === 0x60 || byte === 0x27 || byte === 0x7e;
}

/** True if `bytes[pos..pos+7)` is "SIP/2.0" (case-insensitive letters). */
function isSipVersion(bytes: Uint8Array, pos: number): boolean {
  if (pos + 7 > bytes.length) return false;
  return (bytes[pos]! | 0x20) === 0x73 && (bytes[pos + 1]! | 0x20) === 0x69 && (bytes[pos + 2]! | 0x20) === 0x70 &&
    bytes[pos + 3] === 0x2f && bytes[pos + 4] === 0x32 && bytes[pos + 5] === 0x2e && bytes[pos + 6] === 0x30;
}

/** Index just past the line end at `pos` (CRLF or LF), or -1 if `pos` is not at a line end. */
function lineEndAt(bytes: Uint8Array, pos: number): number {
  if (bytes[pos] === LF) return pos + 1;
  if (bytes[pos] === CR && bytes[pos + 1] === LF) return pos + 2;
  return -1;
}

function scanStatusLine(bytes: Uint8Array, spans: StartLineSpans): Detection | undefined {
  if (bytes[7] !== SP) return undefined;
  let code = 0;
  for (let i = 8; i < 11; i++) {
    const digit = (bytes[i] ?? 0) - 0x30;
    if (digit < 0 || digit > 9) return undefined;
    code = code * 10 + digit;
  }
  if (code < 100) return undefined;
  const after = bytes[11];
  if (after !== SP && after !== CR && after !== LF) return undefined;
  const limit = Math.min(bytes.length, SIP_START_LINE_BYTES_MAX);
  let pos = 11;
  if (bytes[pos] === SP) pos++;
  const reasonStart = pos;
  while (pos < limit && bytes[pos] !== LF) pos++;
  if (pos >= limit) return undefined;
  spans.statusCode = code;
  spans.reasonStart = reasonStart;
  spans.reasonEnd = Math.max(reasonStart, bytes[pos - 1] === CR ? pos - 1 : pos);
  spans.nextLine = pos + 1;
  return "response";
}

function scanRequestLine(bytes: Uint8Array, spans: StartLineSpans): Detection | undefined {
  let pos = 0;
  while (pos < bytes.length && pos < METHOD_BYTES_MAX && isTokenByte(bytes[pos]!)) pos++;
  if (pos === 0 || bytes[pos] !== SP) return undefined;
  const methodEnd = pos;
  const uriStart = ++pos;
  const limit = Math.min(bytes.length, SIP_START_LINE_BYTES_MAX);
  // The URI holds no SP, CR, LF or other control bytes.
  while (pos < limit && bytes[pos]! > SP && bytes[pos] !== 0x7f) pos++;
  if (pos === uriStart || bytes[pos] !== SP || !isSipVersion(bytes, pos + 1)) return undefined;
  const nextLine = lineEndAt(bytes, pos + 8);
  if (nextLine === -1) return undefined;
  spans.methodEnd = methodEnd;
  spans.uriStart = uriStart;
  spans.uriEnd = pos;
  spans.nextLine = nextLine;
  return "request";
}

/**
 * Scans the start line of `bytes` and fills `spans`.
 * @returns "request", "response", or undefined when the first line is not a complete SIP start line.
 */
export function scanSipStartLine(bytes: Uint8Array, spans: StartLineSpans): Detection | undefined {
  if (bytes.length < 12) return undefined;
  if (isSipVersion(bytes, 0)) return scanStatusLine(bytes, spans);
  return scanRequestLine(bytes, spans);
}

/** True when the payload starts with "SIP/2.0" (a status line, well-formed or not). */
export function startsWithSipVersion(bytes: Uint8Array): boolean {
  return isSipVersion(bytes, 0);
}
