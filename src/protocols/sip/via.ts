/**
 * Via values (RFC 3261 §20.42): `SIP/2.0/UDP host:port;branch=z9hG4bK...;received=...;rport=...`, possibly several
 * per header, comma-separated. Parsed by index over the value: the only strings built are the fields.
 * @module
 */
import { findSipParams, indexIn, splitSipListRanges } from "./_list.ts";
import { isRegExpSpace } from "./_bytes.ts";
import { flatSlice } from "./_flat.ts";
import type { SipVia } from "./types.ts";

const PORT_DIGITS_MAX = 5;
const SIP_2_0 = "SIP/2.0/";
const VIA_PARAMS = ["branch", "received", "rport"] as const;

// Reused (parsing is synchronous and does not re-enter this module): the values of VIA_PARAMS, and the host range
// and port of a sent-by as found by `hostPortAt()`.
const paramValues: (string | undefined)[] = [undefined, undefined, undefined];
const sentBy = { hostStart: 0, hostEnd: 0, port: undefined as number | undefined };

/** The port in `text[start, end)` trimmed of `\s`: at most 5 digits and ≤ 65535, else undefined. */
function parsePortAt(text: string, start: number, end: number): number | undefined {
  while (start < end && isRegExpSpace(text.charCodeAt(start))) start++;
  while (end > start && isRegExpSpace(text.charCodeAt(end - 1))) end--;
  if (end === start || end - start > PORT_DIGITS_MAX) return undefined;
  let port = 0;
  for (let i = start; i < end; i++) {
    const digit = text.charCodeAt(i) - 0x30;
    if (digit < 0 || digit > 9) return undefined;
    port = port * 10 + digit;
  }
  return port <= 0xffff ? port : undefined;
}

/** Index of the last `char` code in `text[from, to)`, or -1. */
function lastIndexIn(text: string, char: number, from: number, to: number): number {
  for (let i = to - 1; i >= from; i--) if (text.charCodeAt(i) === char) return i;
  return -1;
}

/** True when `text[from, to)` has exactly eight colons and no "::" (unbracketed IPv6 with a port). */
function isIpv6WithPort(text: string, from: number, to: number): boolean {
  let colons = 0;
  for (let i = from; i < to; i++) {
    if (text.charCodeAt(i) !== 0x3a) continue;
    if (i + 1 < to && text.charCodeAt(i + 1) === 0x3a) return false;
    colons++;
  }
  return colons === 8;
}

/** `splitHostPort(text.slice(start, end))` by index, into `sentBy`. */
function hostPortAt(text: string, start: number, end: number): void {
  sentBy.hostStart = start;
  sentBy.hostEnd = end;
  sentBy.port = undefined;
  if (start < end && text.charCodeAt(start) === 0x5b) {
    const close = indexIn(text, "]", start, end);
    if (close === -1) return;
    sentBy.hostStart = start + 1;
    sentBy.hostEnd = close;
    if (close + 1 < end && text.charCodeAt(close + 1) === 0x3a) sentBy.port = parsePortAt(text, close + 2, end);
    return;
  }
  const colon = indexIn(text, ":", start, end);
  if (colon === -1) return;
  const last = lastIndexIn(text, 0x3a, start, end);
  if (colon === last || isIpv6WithPort(text, start, end)) {
    sentBy.hostEnd = last;
    sentBy.port = parsePortAt(text, last + 1, end);
  }
}

/**
 * Splits sent-by into host and port. Bracketed IPv6 (`[2001:db8::1]:5060`) loses its brackets. Unbracketed IPv6 is
 * invalid SIP but seen in the wild: when it has nine colon-separated groups and no `::`, the last group is the port;
 * otherwise the whole text is the host.
 */
export function splitHostPort(text: string): { host: string; port: number | undefined } {
  hostPortAt(text, 0, text.length);
  return { host: text.slice(sentBy.hostStart, sentBy.hostEnd), port: sentBy.port };
}

/** Index of the first character in `[pos, end)` that is `\s` or `;`, or `end`. */
function scanToken(text: string, pos: number, end: number): number {
  while (pos < end) {
    const char = text.charCodeAt(pos);
    if (isRegExpSpace(char) || char === 0x3b) break;
    pos++;
  }
  return pos;
}

/** Index of the first character in `[pos, end)` that is not `\s`, or `end`. */
function skipRegExpSpace(text: string, pos: number, end: number): number {
  while (pos < end && isRegExpSpace(text.charCodeAt(pos))) pos++;
  return pos;
}

/**
 * The Via with transport `text[transportStart, transportEnd)`, sent-by `text[sentByStart, sentByEnd)` and parameters
 * `text[paramsFrom, paramsTo)`; each field string is built once, from its range.
 */
function viaOf(
  text: string,
  transportStart: number,
  transportEnd: number,
  sentByStart: number,
  sentByEnd: number,
  paramsFrom: number,
  paramsTo: number,
): SipVia {
  hostPortAt(text, sentByStart, sentByEnd);
  findSipParams(text, paramsFrom, paramsTo, VIA_PARAMS, paramValues);
  const rport = paramValues[2];
  return {
    transport: flatSlice(text, transportStart, transportEnd),
    host: flatSlice(text, sentBy.hostStart, sentBy.hostEnd),
    port: sentBy.port,
    branch: paramValues[0] ?? "",
    received: paramValues[1] ?? "",
    hasRport: rport !== undefined,
    rport: rport === undefined || rport === "" ? undefined : parsePortAt(rport, 0, rport.length),
  };
}

/**
 * The Via of the trimmed value `text[start, end)` that starts with `SIP/2.0/`: the transport, sent-by and
 * parameters that the RegExp in `parseSipVia()` captures (its groups 3, 4 and 5), found without running it;
 * undefined when it does not match.
 */
function canonicalVia(text: string, start: number, end: number): SipVia | undefined {
  const transportStart = skipRegExpSpace(text, start + SIP_2_0.length, end);
  const transportEnd = scanToken(text, transportStart, end);
  if (transportEnd === transportStart || transportEnd === end || text.charCodeAt(transportEnd) === 0x3b) {
    return undefined;
  }
  const sentByStart = skipRegExpSpace(text, transportEnd, end);
  const sentByEnd = scanToken(text, sentByStart, end);
  if (sentByEnd === sentByStart) return undefined;
  const after = skipRegExpSpace(text, sentByEnd, end);
  if (after < end && text.charCodeAt(after) !== 0x3b) return undefined;
  return viaOf(text, transportStart, transportEnd, sentByStart, sentByEnd, after < end ? after + 1 : end, end);
}

/**
 * Parses one Via value: all of `value`, or its range `[from, to)`.
 * @returns the Via, or undefined when it has no `SIP/2.0/transport` and sent-by.
 */
export function parseSipVia(value: string, from = 0, to = value.length): SipVia | undefined {
  let start = from;
  let end = to;
  while (start < end && isRegExpSpace(value.charCodeAt(start))) start++;
  while (end > start && isRegExpSpace(value.charCodeAt(end - 1))) end--;
  if (value.startsWith(SIP_2_0, start) && end - start >= SIP_2_0.length) return canonicalVia(value, start, end);
  // LWS may surround the slashes ("SIP / 2.0 / UDP"); the sent-by follows the transport after whitespace.
  const text = value.slice(start, end);
  const match = /^([^/\s]+)\s*\/\s*([^/\s]+)\s*\/\s*([^\s;]+)\s+([^;\s]+)\s*(?:;(.*))?$/sd.exec(text);
  if (match === null) return undefined;
  const [transportStart, transportEnd] = match.indices![3]!;
  const [sentByStart, sentByEnd] = match.indices![4]!;
  const [paramsFrom, paramsTo] = match.indices![5] ?? [text.length, text.length];
  return viaOf(text, transportStart, transportEnd, sentByStart, sentByEnd, paramsFrom, paramsTo);
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
