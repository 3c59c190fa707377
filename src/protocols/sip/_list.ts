/**
 * Splitting of SIP header values: comma-separated lists and `;`-separated parameters, both ignoring separators
 * inside quoted strings (and, for lists, inside `<...>`).
 * @module
 */
import { flatSlice } from "./_flat.ts";
import { isRegExpSpace } from "./_bytes.ts";

/** Most items taken from one list value; the rest is ignored (bounds work on hostile input). */
export const SIP_LIST_ITEMS_MAX = 64;

/** Index of `char` in `text[from, to)`, or -1. */
export function indexIn(text: string, char: string, from: number, to: number): number {
  const at = text.indexOf(char, from);
  return at < to ? at : -1;
}

/**
 * A remembered native search for one separator: values are read left to right, so one search usually answers every
 * later range of the same text; without it a separator absent from a value (a comma, a quote) would be searched for
 * up to the end of the header block for each value.
 */
export class SeparatorSearch {
  #text = "";
  #from = 0;
  #at = -1;

  constructor(readonly char: string) {}

  /** True when `text[from, to)` holds the separator. */
  isIn(text: string, from: number, to: number): boolean {
    if (from >= to) return false;
    if (text !== this.#text || from < this.#from || (this.#at !== -1 && this.#at < from)) {
      this.#text = text;
      this.#from = from;
      this.#at = text.indexOf(this.char, from);
    }
    return this.#at !== -1 && this.#at < to;
  }
}

const commas = new SeparatorSearch(",");
const quotes = new SeparatorSearch('"');

/**
 * Appends the trimmed, non-empty comma-separated items of `text[from, to)` to `out` as ranges: two numbers, start and
 * end, per item (callers read the items in place, from a flat string).
 */
export function splitSipListRanges(text: string, from: number, to: number, out: number[]): void {
  if (!commas.isIn(text, from, to)) {
    // Most values are one item: without a comma the loop below would yield exactly the trimmed range.
    pushTrimmed(text, from, to, out);
    return;
  }
  let quoted = false;
  let angle = false;
  let start = from;
  for (let i = from; i <= to && out.length < SIP_LIST_ITEMS_MAX * 2; i++) {
    const char = i < to ? text.charCodeAt(i) : 0x2c;
    if (quoted) {
      if (char === 0x5c) i++; // A backslash escapes the next character.
      else if (char === 0x22) quoted = false;
    } else if (char === 0x22) quoted = true;
    else if (char === 0x3c) angle = true;
    else if (char === 0x3e) angle = false;
    else if (char === 0x2c && !angle) {
      pushTrimmed(text, start, i, out);
      start = i + 1;
    }
  }
}

function pushTrimmed(text: string, start: number, end: number, out: number[]): void {
  while (start < end && isRegExpSpace(text.charCodeAt(start))) start++;
  while (end > start && isRegExpSpace(text.charCodeAt(end - 1))) end--;
  if (end > start && out.length < SIP_LIST_ITEMS_MAX * 2) out.push(start, end);
}

/**
 * End of the parameter that starts at `start` in `params[.., to)`: the next `;` outside a quoted string, or `to` for
 * the last one; -1 when a quoted string runs past `to` (the rest is then no parameter). `quotes`: the range has a
 * double quote (without one, the native indexOf jumps between separators).
 */
function paramEnd(params: string, start: number, to: number, quotes: boolean): number {
  if (!quotes) {
    const semicolon = indexIn(params, ";", start, to);
    return semicolon === -1 ? to : semicolon;
  }
  let quoted = false;
  for (let i = start; i <= to; i++) {
    const char = i < to ? params.charCodeAt(i) : 0x3b;
    if (quoted) {
      if (char === 0x5c) i++; // A backslash escapes the next character.
      else if (char === 0x22) quoted = false;
    } else if (char === 0x22) quoted = true;
    else if (char === 0x3b) return i;
  }
  return -1;
}

/**
 * Finds parameter `name` (lower case) in a `;`-separated parameter string such as `tag=1;lr;received=1.2.3.4`: all
 * of `params`, or its range `[from, to)` (callers need not slice it off: values are built from `params` itself).
 * @returns the value with surrounding quotes removed, "" for a parameter without value, undefined when absent.
 */
export function findSipParam(params: string, name: string, from = 0, to = params.length): string | undefined {
  oneName[0] = name;
  findSipParams(params, from, to, oneName, oneValue);
  return oneValue[0];
}

// Reused by findSipParam() (parsing is synchronous and does not re-enter it).
const oneName: string[] = [""];
const oneValue: (string | undefined)[] = [undefined];

/**
 * `findSipParam()` for several names in one pass over the parameters: `values[k]` gets the value of `names[k]`
 * (undefined when absent). Each name takes its first occurrence, as `findSipParam()` does.
 */
export function findSipParams(
  params: string,
  from: number,
  to: number,
  names: readonly string[],
  values: (string | undefined)[],
): void {
  for (let k = 0; k < names.length; k++) values[k] = undefined;
  const quoted = quotes.isIn(params, from, to);
  let missing = names.length;
  for (let start = from; missing > 0;) {
    const end = paramEnd(params, start, to, quoted);
    if (end === -1) return;
    scanParamKey(params, start, end);
    for (let k = 0; k < names.length; k++) {
      if (values[k] !== undefined) continue;
      const value = paramValueAt(params, start, end, names[k]!);
      if (value !== undefined) {
        values[k] = value;
        missing--;
      }
    }
    if (end === to) return;
    start = end + 1;
  }
}

/** True for the ASCII characters String.prototype.trim() removes. */
function isAsciiTrimmed(char: number): boolean {
  return char === 0x20 || (char >= 0x09 && char <= 0x0d);
}

/** Key of the parameter last given to `scanParamKey()`: its `=` (-1 when none) and its ASCII-trimmed range. */
const key = { equals: -1, start: 0, end: 0 };

/** Finds the `=` and the key range of the parameter `params[start, end)`, into `key`. */
function scanParamKey(params: string, start: number, end: number): void {
  // A loop, not indexOf(): indexOf() would search past `end` when this parameter has no value.
  let equals = -1;
  for (let i = start; i < end; i++) {
    if (params.charCodeAt(i) === 0x3d) {
      equals = i;
      break;
    }
  }
  let keyStart = start;
  let keyEnd = equals === -1 ? end : equals;
  while (keyStart < keyEnd && isAsciiTrimmed(params.charCodeAt(keyStart))) keyStart++;
  while (keyEnd > keyStart && isAsciiTrimmed(params.charCodeAt(keyEnd - 1))) keyEnd--;
  key.equals = equals;
  key.start = keyStart;
  key.end = keyEnd;
}

/**
 * `paramValueIfNamed(params.slice(start, end), name)` without slicing every parameter: the key (found by
 * `scanParamKey()` just before) is compared in place. Non-ASCII around or in the key takes the slicing path, so
 * trim() and toLowerCase() semantics stay exact.
 */
function paramValueAt(params: string, start: number, end: number, name: string): string | undefined {
  const keyStart = key.start;
  const keyEnd = key.end;
  if (keyEnd > keyStart && (params.charCodeAt(keyStart) >= 0x80 || params.charCodeAt(keyEnd - 1) >= 0x80)) {
    return paramValueIfNamed(params.slice(start, end), name);
  }
  if (keyEnd - keyStart !== name.length) return undefined;
  for (let k = 0; k < name.length; k++) {
    let char = params.charCodeAt(keyStart + k);
    if (char >= 0x80) return paramValueIfNamed(params.slice(start, end), name);
    if (char >= 0x41 && char <= 0x5a) char += 0x20;
    if (char !== name.charCodeAt(k)) return undefined;
  }
  if (key.equals === -1) return "";
  return unquoteTrimmed(params, key.equals + 1, end);
}

function paramValueIfNamed(param: string, name: string): string | undefined {
  const equals = param.indexOf("=");
  const key = (equals === -1 ? param : param.slice(0, equals)).trim();
  if (key.length !== name.length || key.toLowerCase() !== name) return undefined;
  if (equals === -1) return "";
  return unquoteTrimmed(param, equals + 1, param.length);
}

/**
 * `text.slice(start, end)` with surrounding double quotes removed and backslash escapes resolved (other text as is),
 * built as a flat string.
 */
export function unquoteRange(text: string, start: number, end: number): string {
  if (end - start < 2 || text.charCodeAt(start) !== 0x22 || text.charCodeAt(end - 1) !== 0x22) {
    return flatSlice(text, start, end);
  }
  const inner = flatSlice(text, start + 1, end - 1);
  return inner.includes("\\") ? inner.replace(/\\(.)/g, "$1") : inner;
}

/** `unquoteRange()` of `text.slice(start, end).trim()`. */
function unquoteTrimmed(text: string, start: number, end: number): string {
  while (start < end && isRegExpSpace(text.charCodeAt(start))) start++;
  while (end > start && isRegExpSpace(text.charCodeAt(end - 1))) end--;
  return unquoteRange(text, start, end);
}
