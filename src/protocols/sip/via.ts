/**
 * Via values (RFC 3261 §20.42): `SIP/2.0/UDP host:port;branch=z9hG4bK...;received=...;rport=...`, possibly several
 * per header, comma-separated.
 * @module
 */
import { findSipParam, splitSipListRanges } from "./_list.ts";
import { isRegExpSpace, parseDecimalText } from "./_bytes.ts";
import { flatCopy } from "./_flat.ts";
import type { SipVia } from "./types.ts";

const PORT_DIGITS_MAX = 5;

function parsePort(text: string): number | undefined {
  const port = parseDecimalText(text.trim(), PORT_DIGITS_MAX);
  return port >= 0 && port <= 0xffff ? port : undefined;
}

/**
 * Splits sent-by into host and port. Bracketed IPv6 (`[2001:db8::1]:5060`) loses its brackets. Unbracketed IPv6 is
 * invalid SIP but seen in the wild: when it has nine colon-separated groups and no `::`, the last group is the port;
 * otherwise the whole text is the host.
 */
export function splitHostPort(sentBy: string): { host: string; port: number | undefined } {
  if (sentBy.startsWith("[")) {
    const close = sentBy.indexOf("]");
    if (close === -1) return { host: sentBy, port: undefined };
    const after = sentBy.slice(close + 1);
    return { host: sentBy.slice(1, close), port: after.startsWith(":") ? parsePort(after.slice(1)) : undefined };
  }
  const colon = sentBy.indexOf(":");
  if (colon === -1) return { host: sentBy, port: undefined };
  const last = sentBy.lastIndexOf(":");
  if (colon === last) return { host: sentBy.slice(0, colon), port: parsePort(sentBy.slice(colon + 1)) };
  if (sentBy.split(":").length === 9 && !sentBy.includes("::")) {
    return { host: sentBy.slice(0, last), port: parsePort(sentBy.slice(last + 1)) };
  }
  return { host: sentBy, port: undefined };
}

/** Index of the first character in `[pos, end)` that is `\s` (or `;` when `semicolon`), or `end`. */
function scanToken(text: string, pos: number, end: number, semicolon: boolean): number {
  while (pos < end) {
    const char = text.charCodeAt(pos);
    if (isRegExpSpace(char) || (semicolon && char === 0x3b)) break;
    pos++;
  }
  return pos;
}

/** Index of the first character in `[pos, end)` that is not `\s`, or `end`. */
function skipRegExpSpace(text: string, pos: number, end: number): number {
  while (pos < end && isRegExpSpace(text.charCodeAt(pos))) pos++;
  return pos;
}

const SIP_2_0 = "SIP/2.0/";

/** What the Via RegExp captures: transport, sent-by, and the parameters (`params` in `[paramsFrom, paramsTo)`). */
interface ViaMatch {
  transport: string;
  sentBy: string;
  params: string;
  paramsFrom: number;
  paramsTo: number;
}

/**
 * The transport, sent-by and parameters of the trimmed Via value `text[start, end)` that starts with `SIP/2.0/`:
 * exactly what the RegExp in `matchVia()` captures (its groups 3, 4 and 5), found without running it. Null when it
 * does not match. The parameters stay in `text` (not sliced off), so their values are built from a flat string.
 */
function splitCanonicalVia(text: string, start: number, end: number): ViaMatch | null {
  const transportStart = skipRegExpSpace(text, start + SIP_2_0.length, end);
  const transportEnd = scanToken(text, transportStart, end, true);
  if (transportEnd === transportStart || transportEnd === end || text.charCodeAt(transportEnd) === 0x3b) {
    return null;
  }
  const pos = skipRegExpSpace(text, transportEnd, end);
  const sentByEnd = scanToken(text, pos, end, true);
  if (sentByEnd === pos) return null;
  const after = skipRegExpSpace(text, sentByEnd, end);
  if (after < end && text.charCodeAt(after) !== 0x3b) return null;
  return {
    transport: text.slice(transportStart, transportEnd),
    sentBy: text.slice(pos, sentByEnd),
    params: text,
    paramsFrom: after < end ? after + 1 : end,
    paramsTo: end,
  };
}

function matchVia(value: string, start: number, end: number): ViaMatch | null {
  while (start < end && isRegExpSpace(value.charCodeAt(start))) start++;
  while (end > start && isRegExpSpace(value.charCodeAt(end - 1))) end--;
  if (value.startsWith(SIP_2_0, start) && end - start >= SIP_2_0.length) return splitCanonicalVia(value, start, end);
  // LWS may surround the slashes ("SIP / 2.0 / UDP"); the sent-by follows the transport after whitespace.
  const text = value.slice(start, end);
  const match = /^([^/\s]+)\s*\/\s*([^/\s]+)\s*\/\s*([^\s;]+)\s+([^;\s]+)\s*(?:;(.*))?$/s.exec(text);
  if (match === null) return null;
  const params = match[5] ?? "";
  return { transport: match[3]!, sentBy: match[4]!, params, paramsFrom: 0, paramsTo: params.length };
}

/**
 * Parses one Via value: all of `value`, or its range `[from, to)`.
 * @returns the Via, or undefined when it has no `SIP/2.0/transport` and sent-by.
 */
export function parseSipVia(value: string, from = 0, to = value.length): SipVia | undefined {
  const match = matchVia(value, from, to);
  if (match === null) return undefined;
  const { host, port } = splitHostPort(match.sentBy);
  const { params, paramsFrom, paramsTo } = match;
  const branch = findSipParam(params, "branch", paramsFrom, paramsTo);
  const received = findSipParam(params, "received", paramsFrom, paramsTo);
  const rport = findSipParam(params, "rport", paramsFrom, paramsTo);
  return {
    transport: flatCopy(match.transport),
    host: flatCopy(host),
    port,
    branch: branch ?? "",
    received: received ?? "",
    hasRport: rport !== undefined,
    rport: rport === undefined || rport === "" ? undefined : parsePort(rport),
  };
}

// Reused (parsing is synchronous and does not re-enter this function); empty between calls.
const itemRanges: number[] = [];

/**
 * Parses a Via header value with one or more comma-separated values (all of `value`, or its range `[from, to)`),
 * appending each to `out` in order.
 */
export function parseSipVias(value: string, out: SipVia[], from = 0, to = value.length): void {
  splitSipListRanges(value, from, to, itemRanges);
  for (let i = 0; i < itemRanges.length; i += 2) {
    const via = parseSipVia(value, itemRanges[i], itemRanges[i + 1]);
    if (via !== undefined) out.push(via);
  }
  itemRanges.length = 0;
}
