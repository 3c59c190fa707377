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

/**
 * The address with display name and URI already built and header parameters `text[paramsStart, paramsEnd)`
 * (trimmed): the params string is built once, and the tag is read from `text` in place, not from that string.
 */
function address(displayName: string, uri: string, text: string, paramsStart: number, paramsEnd: number): SipAddress {
  if (paramsStart >= paramsEnd) return { displayName, uri, tag: "", params: "" };
  return {
    displayName,
    uri,
    tag: findSipParam(text, "tag", paramsStart, paramsEnd) ?? "",
    params: flatSlice(text, paramsStart, paramsEnd),
  };
}

/** Start of `text[start, end)` with `\s` skipped. */
function skipRegExpSpace(text: string, start: number, end: number): number {
  while (start < end && isRegExpSpace(text.charCodeAt(start))) start++;
  return start;
}

/** End of `text[start, end)` with trailing `\s` removed. */
function trimEndAt(text: string, start: number, end: number): number {
  while (end > start && isRegExpSpace(text.charCodeAt(end - 1))) end--;
  return end;
}

/** The `name-addr` form: `<uri>` opens at `open` in the trimmed value `[start, end)`; `displayName` as quoted. */
function nameAddr(
  value: string,
  displayName: string,
  restStart: number,
  open: number,
  end: number,
): SipAddress | undefined {
  const close = indexIn(value, ">", open, end);
  if (close === -1) return undefined;
  if (displayName === "") displayName = flatTrimmed(value, restStart, open);
  const uri = flatTrimmed(value, open + 1, close);
  // Header parameters: after `>` and optional `\s`, a `;`, then the trimmed rest.
  const semicolon = skipRegExpSpace(value, close + 1, end);
  if (semicolon >= end || value.charCodeAt(semicolon) !== 0x3b) return address(displayName, uri, value, end, end);
  return address(displayName, uri, value, skipRegExpSpace(value, semicolon + 1, end), end);
}

/**
 * Parses one From/To/Contact value: all of `value`, or its range `[from, to)`. Parsed by index over the value: each
 * kept field is built once, as a flat string, from its range (see `_flat.ts`).
 * @returns the address, or undefined when the value has an unclosed quote or `<`.
 */
export function parseSipAddress(value: string, from = 0, to = value.length): SipAddress | undefined {
  const start = skipRegExpSpace(value, from, to);
  const end = trimEndAt(value, start, to);
  if (end - start === 1 && value.charCodeAt(start) === 0x2a) return { displayName: "", uri: "*", tag: "", params: "" };
  let displayName = "";
  let restStart = start;
  if (start < end && value.charCodeAt(start) === 0x22) {
    const close = closingQuote(value, start, end);
    if (close === -1) return undefined;
    displayName = unquoteRange(value, start, close + 1);
    restStart = close + 1;
  }
  // One pass for `<` (name-addr) or the first `;` (addr-spec parameters); a `;` before `<` belongs to a display name.
  let semicolon = -1;
  for (let i = restStart; i < end; i++) {
    const char = value.charCodeAt(i);
    if (char === 0x3c) return nameAddr(value, displayName, restStart, i, end);
    if (char === 0x3b && semicolon === -1) semicolon = i;
  }
  if (displayName !== "") return undefined; // A quoted display name must be followed by <uri>.
  if (semicolon === -1) return address("", flatSlice(value, restStart, end), value, end, end);
  const paramsStart = skipRegExpSpace(value, semicolon + 1, end);
  return address("", flatTrimmed(value, restStart, semicolon), value, paramsStart, end);
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
