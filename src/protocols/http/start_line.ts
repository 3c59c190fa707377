/**
 * HTTP/1.x start lines (RFC 9112 §3, §4): `method SP target SP HTTP/1.x` and `HTTP/1.x SP status [SP reason]`.
 * @module
 */
import { isTokenChar, latin1, SP, startsWith } from "./_bytes.ts";

/** Methods a resynchronising stream accepts as a message start (RFC 9110, WebDAV, and a few common extensions). */
const KNOWN_METHODS = new Set([
  "GET",
  "HEAD",
  "POST",
  "PUT",
  "DELETE",
  "CONNECT",
  "OPTIONS",
  "TRACE",
  "PATCH",
  "PROPFIND",
  "PROPPATCH",
  "MKCOL",
  "COPY",
  "MOVE",
  "LOCK",
  "UNLOCK",
  "REPORT",
  "SEARCH",
  "PURGE",
]);

/** Longest method accepted; long enough for every registered one. */
const METHOD_BYTES_MAX = 24;

/** A parsed start line. */
export type StartLine =
  | { kind: "request"; method: string; target: string; version: string }
  | { kind: "response"; status: number; reason: string; version: string };

/** Reads "1.0" or "1.1" (any single-digit minor) after "HTTP/1." at `at`; undefined when absent. */
function readVersion(bytes: Uint8Array, at: number, end: number): string | undefined {
  if (!startsWith(bytes, at, end, "HTTP/1.") || at + 8 > end) return undefined;
  const minor = bytes[at + 7]! - 0x30;
  return minor >= 0 && minor <= 9 ? `1.${minor}` : undefined;
}

/**
 * Parses the start line in `bytes[start, end)` (without CR LF).
 *
 * @param knownMethodsOnly When resynchronising, accept only well-known methods, so a line cut in the middle by a gap
 *   (say "T /x HTTP/1.1") is not taken for a request.
 * @returns The start line, or undefined when the bytes are not one.
 */
export function parseStartLine(
  bytes: Uint8Array,
  start: number,
  end: number,
  knownMethodsOnly: boolean,
): StartLine | undefined {
  const version = readVersion(bytes, start, end);
  if (version !== undefined) {
    // Status line: "HTTP/1.1 200 OK"; the reason may be empty and the space before it missing.
    const at = start + 8;
    if (at + 4 > end || bytes[at] !== SP) return undefined;
    let status = 0;
    for (let i = at + 1; i < at + 4; i++) {
      const digit = bytes[i]! - 0x30;
      if (i >= end || digit < 0 || digit > 9) return undefined;
      status = status * 10 + digit;
    }
    if (status < 100 || (at + 4 < end && bytes[at + 4] !== SP)) return undefined;
    return { kind: "response", status, reason: latin1(bytes, Math.min(at + 5, end), end), version };
  }
  let methodEnd = start;
  while (methodEnd < end && methodEnd - start <= METHOD_BYTES_MAX && isTokenChar(bytes[methodEnd]!)) methodEnd++;
  if (methodEnd === start || methodEnd >= end || bytes[methodEnd] !== SP) return undefined;
  const method = latin1(bytes, start, methodEnd);
  if (knownMethodsOnly && !KNOWN_METHODS.has(method)) return undefined;
  // The version is the last 8 bytes; the target is everything between (it has no spaces, but be lenient).
  const versionStart = end - 8;
  if (versionStart <= methodEnd + 2 || bytes[versionStart - 1] !== SP) return undefined;
  const requestVersion = readVersion(bytes, versionStart, end);
  if (requestVersion === undefined) return undefined;
  const target = latin1(bytes, methodEnd + 1, versionStart - 1);
  return { kind: "request", method, target, version: requestVersion };
}
