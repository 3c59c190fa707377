/**
 * Via values (RFC 3261 §20.42): `SIP/2.0/UDP host:port;branch=z9hG4bK...;received=...;rport=...`, possibly several
 * per header, comma-separated.
 * @module
 */
import { findSipParam, splitSipList } from "./_list.ts";
import { isRegExpSpace, parseDecimalText } from "./_bytes.ts";
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

/** Index of the first character at or after `pos` that is `\s` (or `;` when `semicolon`), or `text.length`. */
function scanToken(text: string, pos: number, semicolon: boolean): number {
  while (pos < text.length) {
    const char = text.charCodeAt(pos);
    if (isRegExpSpace(char) || (semicolon && char === 0x3b)) break;
    pos++;
  }
  return pos;
}

/** Index of the first character at or after `pos` that is not `\s`, or `text.length`. */
function skipRegExpSpace(text: string, pos: number): number {
  while (pos < text.length && isRegExpSpace(text.charCodeAt(pos))) pos++;
  return pos;
}

const SIP_2_0 = "SIP/2.0/";

/**
 * The transport, sent-by and parameters of a trimmed Via value that starts with `SIP/2.0/`: exactly what the
 * RegExp in `parseSipVia()` captures (its groups 3, 4 and 5), found without running it. Null when it does not match.
 */
function splitCanonicalVia(text: string): [string, string, string] | null {
  const transportStart = skipRegExpSpace(text, SIP_2_0.length);
  const transportEnd = scanToken(text, transportStart, true);
  if (transportEnd === transportStart || transportEnd === text.length || text.charCodeAt(transportEnd) === 0x3b) {
    return null;
  }
  const pos = skipRegExpSpace(text, transportEnd);
  const sentByEnd = scanToken(text, pos, true);
  if (sentByEnd === pos) return null;
  const after = skipRegExpSpace(text, sentByEnd);
  if (after < text.length && text.charCodeAt(after) !== 0x3b) return null;
  const params = after < text.length ? text.slice(after + 1) : "";
  return [text.slice(transportStart, transportEnd), text.slice(pos, sentByEnd), params];
}

function matchVia(value: string): [string, string, string] | null {
  const text = value.trim();
  if (text.startsWith(SIP_2_0)) return splitCanonicalVia(text);
  // LWS may surround the slashes ("SIP / 2.0 / UDP"); the sent-by follows the transport after whitespace.
  const match = /^([^/\s]+)\s*\/\s*([^/\s]+)\s*\/\s*([^\s;]+)\s+([^;\s]+)\s*(?:;(.*))?$/s.exec(text);
  return match === null ? null : [match[3]!, match[4]!, match[5] ?? ""];
}

/** Parses one Via value; undefined when it has no `SIP/2.0/transport` and sent-by. */
export function parseSipVia(value: string): SipVia | undefined {
  const match = matchVia(value);
  if (match === null) return undefined;
  const { host, port } = splitHostPort(match[1]);
  const params = match[2];
  const rport = findSipParam(params, "rport");
  return {
    transport: match[0],
    host,
    port,
    branch: findSipParam(params, "branch") ?? "",
    received: findSipParam(params, "received") ?? "",
    hasRport: rport !== undefined,
    rport: rport === undefined || rport === "" ? undefined : parsePort(rport),
  };
}

/** Parses a Via header value with one or more comma-separated values, appending each to `out` in order. */
export function parseSipVias(value: string, out: SipVia[]): void {
  const items: string[] = [];
  splitSipList(value, items);
  for (const item of items) {
    const via = parseSipVia(item);
    if (via !== undefined) out.push(via);
  }
}
