/**
 * HTTP/1.x message heads (RFC 9112 §2–§6): start line and header fields, reduced to the fields a record needs and
 * the ones that decide how the body is framed.
 * @module
 */
import { CR, equalsIgnoreCase, isSpace, isTokenChar, latin1, LF } from "./_bytes.ts";
import { parseStartLine } from "./start_line.ts";
import type { HttpInvalidReason, HttpMessage } from "./types.ts";

/** Content-Length digits accepted: 2^53 fits 15 digits, far above any real body. */
const CONTENT_LENGTH_DIGITS_MAX = 15;

/** Result of {@linkcode parseHead}. */
export type HeadResult = { ok: true; message: HttpMessage } | { ok: false; reason: HttpInvalidReason };

/**
 * Parses the head in `bytes[start, end)`, which ends with the empty line. Lines may end in CR LF or a bare LF.
 *
 * @param knownMethodsOnly See `parseStartLine`: true while resynchronising.
 * @returns The message with body fields zeroed (the stream fills them), or the reason it is invalid.
 */
export function parseHead(bytes: Uint8Array, start: number, end: number, knownMethodsOnly = false): HeadResult {
  let lineEnd = bytes.indexOf(LF, start);
  if (lineEnd === -1 || lineEnd >= end) return { ok: false, reason: "bad_start_line" };
  const line = parseStartLine(bytes, start, trimCr(bytes, start, lineEnd), knownMethodsOnly);
  if (line === undefined) return { ok: false, reason: "bad_start_line" };
  const message: HttpMessage = line.kind === "request"
    ? { kind: "request", method: line.method, target: line.target, ...base(line.version, end - start) }
    : { kind: "response", status: line.status, reason: line.reason, ...base(line.version, end - start) };
  let lastField: Field | undefined;
  for (let at = lineEnd + 1; at < end; at = lineEnd + 1) {
    lineEnd = bytes.indexOf(LF, at);
    if (lineEnd === -1 || lineEnd >= end) break;
    const valueEnd = trimCr(bytes, at, lineEnd);
    if (valueEnd === at) break; // The empty line ending the head.
    if (isSpace(bytes[at]!)) {
      // Obsolete line folding (RFC 9112 §5.2): the line continues the previous field's value.
      if (lastField !== undefined) appendFolded(message, lastField, latin1(bytes, at, valueEnd).trim());
      continue;
    }
    let colon = at;
    while (colon < valueEnd && isTokenChar(bytes[colon]!)) colon++;
    if (colon === at || colon === valueEnd || bytes[colon] !== 0x3a) return { ok: false, reason: "bad_header" };
    lastField = fieldName(bytes, at, colon);
    if (lastField === undefined) continue;
    const value = latin1(bytes, colon + 1, valueEnd).trim();
    const reason = setField(message, lastField, value);
    if (reason !== undefined) return { ok: false, reason };
  }
  return { ok: true, message };
}

function base(version: string, headBytes: number) {
  return { version, headBytes, bodyBytes: 0, startTimeMs: 0, endTimeMs: 0, truncated: false };
}

function trimCr(bytes: Uint8Array, start: number, lineEnd: number): number {
  return lineEnd > start && bytes[lineEnd - 1] === CR ? lineEnd - 1 : lineEnd;
}

/** The fields kept, by lower-case name; every other header is skipped without allocating its name. */
const FIELDS = ["host", "user-agent", "content-type", "content-length", "transfer-encoding", "connection"] as const;
type Field = typeof FIELDS[number];

function fieldName(bytes: Uint8Array, start: number, end: number): Field | undefined {
  for (const field of FIELDS) {
    if (equalsIgnoreCase(bytes, start, end, field)) return field;
  }
  return undefined;
}

function setField(message: HttpMessage, field: Field, value: string): HttpInvalidReason | undefined {
  switch (field) {
    case "host":
      if (message.kind === "request") message.host = value;
      return undefined;
    case "user-agent":
      if (message.kind === "request") message.userAgent = value;
      return undefined;
    case "content-type":
      message.contentType = value;
      return undefined;
    case "transfer-encoding":
      // Repeated fields form one list (RFC 9110 §5.3).
      message.transferEncoding = message.transferEncoding === undefined
        ? value
        : `${message.transferEncoding}, ${value}`;
      return undefined;
    case "connection":
      message.connection = value.toLowerCase();
      return undefined;
    case "content-length":
      return setContentLength(message, value);
  }
}

/** RFC 9110 §8.6: a list of identical values is one value; differing values make the framing unknowable. */
function setContentLength(message: HttpMessage, value: string): HttpInvalidReason | undefined {
  for (const part of value.split(",")) {
    const text = part.trim();
    if (text.length === 0 || text.length > CONTENT_LENGTH_DIGITS_MAX || !/^[0-9]+$/.test(text)) {
      return "bad_content_length";
    }
    const length = Number(text);
    if (message.contentLength !== undefined && message.contentLength !== length) return "bad_content_length";
    message.contentLength = length;
  }
  return undefined;
}

function appendFolded(message: HttpMessage, field: Field, value: string): void {
  if (field === "user-agent" && message.kind === "request" && message.userAgent !== undefined) {
    message.userAgent += " " + value;
  } else if (field === "content-type" && message.contentType !== undefined) {
    message.contentType += " " + value;
  }
}

/** True when the last transfer coding is `chunked` (RFC 9112 §6.3). */
export function isChunked(transferEncoding: string): boolean {
  const codings = transferEncoding.split(",");
  return codings[codings.length - 1]!.trim().toLowerCase() === "chunked";
}
