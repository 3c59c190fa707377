/**
 * Builders of flat strings for the fields of a parsed message. V8 keeps a slice of 13 or more characters as a view
 * into its parent (a "sliced" string) and a concatenation of that length as a pair (a "cons" string), and the fast
 * path of `JSON.stringify` gives up on the whole call at the first such string: a record holding one serialises
 * about 2.5 times slower. So every field string is built here once, as one sequential string, from the code units
 * of the range it covers (`String.fromCharCode` over a reused array: no intermediate string, no TextDecoder call).
 * @module
 */
import { isRegExpSpace } from "./_bytes.ts";

const utf8 = new TextDecoder("utf-8");

/** Shorter slices and concatenations are copied by V8 (SlicedString/ConsString::kMinLength): flat already. */
const FLAT_LENGTH_MIN = 13;
/** Longest string built from code units; longer ones are sliced (rare; bounds the argument count of the call). */
export const FLAT_LENGTH_MAX = 512;

// One array per length, reused: spreading a packed array of small integers is a plain argument copy.
const codeArrays: number[][] = [];

function codesOfLength(length: number): number[] {
  let codes = codeArrays[length];
  if (codes === undefined) {
    codes = [];
    for (let i = 0; i < length; i++) codes.push(0);
    codeArrays[length] = codes;
  }
  return codes;
}

/**
 * `bytes[start, end)` as a flat string when every byte is ASCII (then it equals the UTF-8 decoding); undefined when
 * a byte is not ASCII or the range is longer than `FLAT_LENGTH_MAX`, for the caller to decode.
 */
export function asciiString(bytes: Uint8Array, start: number, end: number): string | undefined {
  const length = end - start;
  if (length <= 0) return "";
  if (length > FLAT_LENGTH_MAX) return undefined;
  const codes = codesOfLength(length);
  for (let i = 0; i < length; i++) {
    const byte = bytes[start + i]!;
    if (byte >= 0x80) return undefined;
    codes[i] = byte;
  }
  return String.fromCharCode(...codes);
}

/** Decodes `bytes[start, end)` as UTF-8 (invalid sequences become U+FFFD; never throws) into a flat string. */
export function decodeText(bytes: Uint8Array, start: number, end: number): string {
  return asciiString(bytes, start, end) ?? utf8.decode(bytes.subarray(start, end));
}

/** `text.slice(start, end)` as a flat string (same characters, built once). */
export function flatSlice(text: string, start: number, end: number): string {
  const length = end - start;
  if (length < FLAT_LENGTH_MIN || length > FLAT_LENGTH_MAX) return text.slice(start, end);
  const codes = codesOfLength(length);
  for (let i = 0; i < length; i++) codes[i] = text.charCodeAt(start + i);
  return String.fromCharCode(...codes);
}

/** `text` itself when V8 keeps it flat anyway (shorter than 13), else a flat copy. */
export function flatCopy(text: string): string {
  return flatSlice(text, 0, text.length);
}

/** `text.slice(start, end).trim()` as a flat string (trim() removes exactly the RegExp `\s` characters). */
export function flatTrimmed(text: string, start: number, end: number): string {
  while (start < end && isRegExpSpace(text.charCodeAt(start))) start++;
  while (end > start && isRegExpSpace(text.charCodeAt(end - 1))) end--;
  return flatSlice(text, start, end);
}
