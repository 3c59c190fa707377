/**
 * Splitting of SIP header values: comma-separated lists and `;`-separated parameters, both ignoring separators
 * inside quoted strings (and, for lists, inside `<...>`).
 * @module
 */

/** Most items taken from one list value; the rest is ignored (bounds work on hostile input). */
export const SIP_LIST_ITEMS_MAX = 64;

/** Appends the trimmed, non-empty comma-separated items of `text` to `out`. */
export function splitSipList(text: string, out: string[]): void {
  if (text.indexOf(",") === -1) {
    // Most values are one item: without a comma the loop below would yield exactly the trimmed text.
    const item = text.trim();
    if (item !== "" && out.length < SIP_LIST_ITEMS_MAX) out.push(item);
    return;
  }
  let quoted = false;
  let angle = false;
  let start = 0;
  for (let i = 0; i <= text.length && out.length < SIP_LIST_ITEMS_MAX; i++) {
    const char = i < text.length ? text.charCodeAt(i) : 0x2c;
    if (quoted) {
      if (char === 0x5c) i++; // A backslash escapes the next character.
      else if (char === 0x22) quoted = false;
    } else if (char === 0x22) quoted = true;
    else if (char === 0x3c) angle = true;
    else if (char === 0x3e) angle = false;
    else if (char === 0x2c && !angle) {
      const item = text.slice(start, i).trim();
      if (item !== "") out.push(item);
      start = i + 1;
    }
  }
}

/**
 * Finds parameter `name` (lower case) in a `;`-separated parameter string such as `tag=1;lr;received=1.2.3.4`.
 * @returns the value with surrounding quotes removed, "" for a parameter without value, undefined when absent.
 */
export function findSipParam(params: string, name: string): string | undefined {
  // Without quotes only ';' matters, and the native indexOf jumps between separators.
  if (params.indexOf('"') === -1) {
    for (let start = 0;;) {
      const semicolon = params.indexOf(";", start);
      const end = semicolon === -1 ? params.length : semicolon;
      const value = paramValueAt(params, start, end, name);
      if (value !== undefined || semicolon === -1) return value;
      start = semicolon + 1;
    }
  }
  let quoted = false;
  let start = 0;
  for (let i = 0; i <= params.length; i++) {
    const char = i < params.length ? params.charCodeAt(i) : 0x3b;
    if (quoted) {
      if (char === 0x5c) i++;
      else if (char === 0x22) quoted = false;
    } else if (char === 0x22) quoted = true;
    else if (char === 0x3b) {
      const value = paramValueAt(params, start, i, name);
      if (value !== undefined) return value;
      start = i + 1;
    }
  }
  return undefined;
}

/** True for the ASCII characters String.prototype.trim() removes. */
function isAsciiTrimmed(char: number): boolean {
  return char === 0x20 || (char >= 0x09 && char <= 0x0d);
}

/**
 * `paramValueIfNamed(params.slice(start, end), name)` without slicing every parameter: the key is compared in place.
 * Non-ASCII around or in the key takes the slicing path, so trim() and toLowerCase() semantics stay exact.
 */
function paramValueAt(params: string, start: number, end: number, name: string): string | undefined {
  let equals = params.indexOf("=", start);
  if (equals >= end) equals = -1;
  let keyStart = start;
  let keyEnd = equals === -1 ? end : equals;
  while (keyStart < keyEnd && isAsciiTrimmed(params.charCodeAt(keyStart))) keyStart++;
  while (keyEnd > keyStart && isAsciiTrimmed(params.charCodeAt(keyEnd - 1))) keyEnd--;
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
  if (equals === -1) return "";
  return unquote(params.slice(equals + 1, end).trim());
}

function paramValueIfNamed(param: string, name: string): string | undefined {
  const equals = param.indexOf("=");
  const key = (equals === -1 ? param : param.slice(0, equals)).trim();
  if (key.length !== name.length || key.toLowerCase() !== name) return undefined;
  if (equals === -1) return "";
  return unquote(param.slice(equals + 1).trim());
}

/** Removes surrounding double quotes and resolves backslash escapes; other text is returned as is. */
export function unquote(text: string): string {
  if (text.length < 2 || text.charCodeAt(0) !== 0x22 || text.charCodeAt(text.length - 1) !== 0x22) return text;
  const inner = text.slice(1, -1);
  return inner.includes("\\") ? inner.replace(/\\(.)/g, "$1") : inner;
}
