/**
 * Splitting of SIP header values: comma-separated lists and `;`-separated parameters, both ignoring separators
 * inside quoted strings (and, for lists, inside `<...>`).
 * @module
 */

/** Most items taken from one list value; the rest is ignored (bounds work on hostile input). */
export const SIP_LIST_ITEMS_MAX = 64;

/** Appends the trimmed, non-empty comma-separated items of `text` to `out`. */
export function splitSipList(text: string, out: string[]): void {
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
  let quoted = false;
  let start = 0;
  for (let i = 0; i <= params.length; i++) {
    const char = i < params.length ? params.charCodeAt(i) : 0x3b;
    if (quoted) {
      if (char === 0x5c) i++;
      else if (char === 0x22) quoted = false;
    } else if (char === 0x22) quoted = true;
    else if (char === 0x3b) {
      const value = paramValueIfNamed(params.slice(start, i), name);
      if (value !== undefined) return value;
      start = i + 1;
    }
  }
  return undefined;
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
