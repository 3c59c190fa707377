/**
 * From, To and Contact values (RFC 3261 §20.10, §20.20, §20.39): `name-addr` (`"Display" <uri>;params`,
 * `Display <uri>`) and `addr-spec` (`uri;params`, where the parameters belong to the header, not the URI).
 * @module
 */
import { isRegExpSpace } from "./_bytes.ts";
import { flatSlice, flatTrimmed } from "./_flat.ts";
import { findSipParam, indexIn, splitSipListRanges, unquoteRange } from "./_list.ts";
import type { SipAddress } from "./types.ts";

/** Index of the quote closing the quoted string that opens at `start`, before `end`; -1 when there is none. */
function closingQuote(text: string, start: number, end: number): number {
  for (let i = start + 1; i < end; i++) {
    const char = text.charCodeAt(i);
    if (char === 0x5c) i++;
    else if (char === 0x22) return i;
  }
  return -1;
}

/** The header parameters after `>`: `text.slice(start, end)` trimmed, without its leading `;`; "" when none. */
function headerParams(text: string, start: number, end: number): string {
  while (start < end && isRegExpSpace(text.charCodeAt(start))) start++;
  return start < end && text.charCodeAt(start) === 0x3b ? flatTrimmed(text, start + 1, end) : "";
}

function address(displayName: string, uri: string, params: string): SipAddress {
  return { displayName, uri, tag: findSipParam(params, "tag") ?? "", params };
}

/**
 * Parses one From/To/Contact value: all of `value`, or its range `[from, to)`. Each field is built once, as a flat
 * string, from its range of the value (see `_flat.ts`).
 * @returns the address, or undefined when the value has an unclosed quote or `<`.
 */
export function parseSipAddress(value: string, from = 0, to = value.length): SipAddress | undefined {
  let start = from;
  let end = to;
  while (start < end && isRegExpSpace(value.charCodeAt(start))) start++;
  while (end > start && isRegExpSpace(value.charCodeAt(end - 1))) end--;
  if (end - start === 1 && value.charCodeAt(start) === 0x2a) return address("", "*", "");
  let displayName = "";
  let restStart = start;
  if (start < end && value.charCodeAt(start) === 0x22) {
    const close = closingQuote(value, start, end);
    if (close === -1) return undefined;
    displayName = unquoteRange(value, start, close + 1);
    restStart = close + 1;
  }
  const open = indexIn(value, "<", restStart, end);
  if (open !== -1) {
    const close = indexIn(value, ">", open, end);
    if (close === -1) return undefined;
    if (displayName === "") displayName = flatTrimmed(value, restStart, open);
    return address(displayName, flatTrimmed(value, open + 1, close), headerParams(value, close + 1, end));
  }
  if (displayName !== "") return undefined; // A quoted display name must be followed by <uri>.
  const semicolon = indexIn(value, ";", restStart, end);
  if (semicolon === -1) return address("", flatSlice(value, restStart, end), "");
  return address("", flatTrimmed(value, restStart, semicolon), flatTrimmed(value, semicolon + 1, end));
}

// Reused (parsing is synchronous and does not re-enter this function); empty between calls.
const itemRanges: number[] = [];

/**
 * Parses a comma-separated Contact value (all of `value`, or its range `[from, to)`), appending each address to
 * `out` (unparsable items are skipped).
 */
export function parseSipAddressList(value: string, out: SipAddress[], from = 0, to = value.length): void {
  splitSipListRanges(value, from, to, itemRanges);
  for (let i = 0; i < itemRanges.length; i += 2) {
    const parsed = parseSipAddress(value, itemRanges[i], itemRanges[i + 1]);
    if (parsed !== undefined) out.push(parsed);
  }
  itemRanges.length = 0;
}
