/**
 * From, To and Contact values (RFC 3261 §20.10, §20.20, §20.39): `name-addr` (`"Display" <uri>;params`,
 * `Display <uri>`) and `addr-spec` (`uri;params`, where the parameters belong to the header, not the URI).
 * @module
 */
import { findSipParam, splitSipList, unquote } from "./_list.ts";
import type { SipAddress } from "./types.ts";

/** Index of the quote closing the quoted string that opens at 0, or -1. */
function closingQuote(text: string): number {
  for (let i = 1; i < text.length; i++) {
    const char = text.charCodeAt(i);
    if (char === 0x5c) i++;
    else if (char === 0x22) return i;
  }
  return -1;
}

function headerParams(rest: string): string {
  const trimmed = rest.trim();
  return trimmed.startsWith(";") ? trimmed.slice(1).trim() : "";
}

function address(displayName: string, uri: string, params: string): SipAddress {
  return { displayName, uri, tag: findSipParam(params, "tag") ?? "", params };
}

/**
 * Parses one From/To/Contact value.
 * @returns the address, or undefined when the value has an unclosed quote or `<`.
 */
export function parseSipAddress(value: string): SipAddress | undefined {
  const text = value.trim();
  if (text === "*") return address("", "*", "");
  let displayName = "";
  let rest = text;
  if (text.startsWith('"')) {
    const close = closingQuote(text);
    if (close === -1) return undefined;
    displayName = unquote(text.slice(0, close + 1));
    rest = text.slice(close + 1);
  }
  const open = rest.indexOf("<");
  if (open !== -1) {
    const close = rest.indexOf(">", open);
    if (close === -1) return undefined;
    if (displayName === "") displayName = rest.slice(0, open).trim();
    return address(displayName, rest.slice(open + 1, close).trim(), headerParams(rest.slice(close + 1)));
  }
  if (displayName !== "") return undefined; // A quoted display name must be followed by <uri>.
  const semicolon = rest.indexOf(";");
  if (semicolon === -1) return address("", rest, "");
  return address("", rest.slice(0, semicolon).trim(), rest.slice(semicolon + 1).trim());
}

/** Parses a comma-separated Contact value, appending each address to `out` (unparsable items are skipped). */
export function parseSipAddressList(value: string, out: SipAddress[]): void {
  const items: string[] = [];
  splitSipList(value, items);
  for (const item of items) {
    const parsed = parseSipAddress(item);
    if (parsed !== undefined) out.push(parsed);
  }
}
