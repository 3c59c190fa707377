/**
 * Byte-level helpers shared by the SIP files. Every index argument is checked against an explicit `end`, so no helper
 * reads past the range it was given.
 * @module
 */

export const CR = 0x0d;
export const LF = 0x0a;
export const SP = 0x20;
export const HT = 0x09;
export const COLON = 0x3a;

/** True for SP and HT. */
export function isSpace(byte: number): boolean {
  return byte === SP || byte === HT;
}

/** Index of the first non-SP/HT byte in `[pos, end)`, or `end`. */
export function skipSpace(bytes: Uint8Array, pos: number, end: number): number {
  while (pos < end && isSpace(bytes[pos]!)) pos++;
  return pos;
}

/** End of `[start, end)` with trailing SP/HT/CR/LF removed. */
export function trimEnd(bytes: Uint8Array, start: number, end: number): number {
  while (end > start) {
    const byte = bytes[end - 1]!;
    if (!isSpace(byte) && byte !== CR && byte !== LF) break;
    end--;
  }
  return end;
}

/** True if `bytes[start, end)` equals the lower-case ASCII `lower`, ignoring ASCII case. */
export function equalsIgnoreCase(bytes: Uint8Array, start: number, end: number, lower: string): boolean {
  if (end - start !== lower.length) return false;
  for (let i = 0; i < lower.length; i++) {
    let byte = bytes[start + i]!;
    if (byte >= 0x41 && byte <= 0x5a) byte += 0x20;
    if (byte !== lower.charCodeAt(i)) return false;
  }
  return true;
}

/** Parses an unsigned decimal in `[start, end)` with at most `digitsMax` digits; -1 when it is not one. */
export function parseDecimal(bytes: Uint8Array, start: number, end: number, digitsMax: number): number {
  if (end <= start || end - start > digitsMax) return -1;
  let value = 0;
  for (let i = start; i < end; i++) {
    const digit = bytes[i]! - 0x30;
    if (digit < 0 || digit > 9) return -1;
    value = value * 10 + digit;
  }
  return value;
}

/** Parses a whole string as an unsigned decimal with at most `digitsMax` digits; -1 when it is not one. */
export function parseDecimalText(text: string, digitsMax: number): number {
  if (text.length === 0 || text.length > digitsMax) return -1;
  let value = 0;
  for (let i = 0; i < text.length; i++) {
    const digit = text.charCodeAt(i) - 0x30;
    if (digit < 0 || digit > 9) return -1;
    value = value * 10 + digit;
  }
  return value;
}

/** True for the characters of the RegExp class `\s` (ECMAScript WhiteSpace and LineTerminator). */
export function isRegExpSpace(char: number): boolean {
  if (char <= 0x20) return char === 0x20 || (char >= 0x09 && char <= 0x0d);
  if (char < 0xa0) return false;
  return char === 0xa0 || char === 0x1680 || (char >= 0x2000 && char <= 0x200a) || char === 0x2028 ||
    char === 0x2029 || char === 0x202f || char === 0x205f || char === 0x3000 || char === 0xfeff;
}
