/**
 * Byte helpers for HTTP heads. Every index is checked against an explicit `end`.
 * @module
 */

export const CR = 0x0d;
export const LF = 0x0a;
export const SP = 0x20;
export const HT = 0x09;

/** Below this many bytes a string is built in JavaScript; above it an ASCII run goes through `TextDecoder`. */
const DECODER_BYTES_MIN = 16;
const ascii = new TextDecoder();

/** Decodes `bytes[start, end)` as Latin-1 (RFC 9110 §5.5: field values are octets; never throws). */
export function latin1(bytes: Uint8Array, start: number, end: number): string {
  // Concatenating characters costs about 10 ns each; TextDecoder's UTF-8 is faster for ASCII past a few dozen bytes
  // (and is Latin-1 there). Its Latin-1 decoder is not: it is a slower path.
  if (end - start >= DECODER_BYTES_MIN && isAscii(bytes, start, end)) return ascii.decode(bytes.subarray(start, end));
  let text = "";
  for (let i = start; i < end; i++) text += String.fromCharCode(bytes[i]!);
  return text;
}

function isAscii(bytes: Uint8Array, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (bytes[i] >= 0x80) return false;
  return true;
}

/** True for SP and HT. */
export function isSpace(byte: number): boolean {
  return byte === SP || byte === HT;
}

/** RFC 9110 §5.6.2 tchar: the characters of methods and header names. */
export function isTokenChar(byte: number): boolean {
  if (byte >= 0x30 && byte <= 0x39) return true; // Digits.
  const lower = byte | 0x20;
  if (lower >= 0x61 && lower <= 0x7a) return true; // Letters.
  return byte < 0x7f && "!#$%&'*+-.^_`|~".includes(String.fromCharCode(byte));
}

/** True if `bytes[start, end)` equals lower-case ASCII `lower`, ignoring case. */
export function equalsIgnoreCase(bytes: Uint8Array, start: number, end: number, lower: string): boolean {
  if (end - start !== lower.length) return false;
  for (let i = 0; i < lower.length; i++) {
    if ((bytes[start + i]! | 0x20) !== lower.charCodeAt(i)) return false;
  }
  return true;
}

/** True if `bytes` at `at` start with the ASCII `prefix` (case-sensitive) within `end`. */
export function startsWith(bytes: Uint8Array, at: number, end: number, prefix: string): boolean {
  if (end - at < prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) {
    if (bytes[at + i] !== prefix.charCodeAt(i)) return false;
  }
  return true;
}
