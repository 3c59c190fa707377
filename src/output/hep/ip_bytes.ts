/**
 * IP address text (as records carry it) to network-order bytes, written into a caller's buffer so encoding a frame
 * allocates nothing per address.
 *
 * @module
 */

/** Writes dotted-quad `text` at `target[at..at+4]`; false (target untouched past `at`) when it is not IPv4. */
export function writeIpv4(text: string, target: Uint8Array, at: number): boolean {
  let part = 0;
  let value = 0;
  let digits = 0;
  for (let i = 0; i <= text.length; i++) {
    const code = i < text.length ? text.charCodeAt(i) : 46; // A final "." closes the last part.
    if (code >= 48 && code <= 57) {
      value = value * 10 + code - 48;
      if (++digits > 3 || value > 255) return false;
    } else if (code === 46) {
      if (digits === 0 || part > 3) return false;
      target[at + part++] = value;
      value = 0;
      digits = 0;
    } else {
      return false;
    }
  }
  return part === 4;
}

function hexGroup(text: string): number {
  if (text.length === 0 || text.length > 4 || !/^[0-9a-fA-F]+$/.test(text)) return -1;
  return parseInt(text, 16);
}

function writeGroups(groups: string[], target: Uint8Array, at: number): boolean {
  for (let k = 0; k < groups.length; k++) {
    const value = hexGroup(groups[k]);
    if (value < 0) return false;
    target[at + 2 * k] = value >> 8;
    target[at + 2 * k + 1] = value & 0xff;
  }
  return true;
}

/** Writes IPv6 `text` (with `::`, an embedded IPv4 tail, no zone) at `target[at..at+16]`; false when invalid. */
export function writeIpv6(text: string, target: Uint8Array, at: number): boolean {
  let tail = text;
  let tailV4 = false;
  const lastColon = text.lastIndexOf(":");
  if (lastColon < 0) return false;
  if (text.indexOf(".", lastColon) >= 0) {
    if (!writeIpv4(text.slice(lastColon + 1), target, at + 12)) return false;
    tail = text.slice(0, lastColon + 1) + "0:0"; // placeholder groups, overwritten below
    tailV4 = true;
  }
  const halves = tail.split("::");
  if (halves.length > 2) return false;
  const head = halves[0] === "" ? [] : halves[0].split(":");
  const rest = halves.length === 2 ? (halves[1] === "" ? [] : halves[1].split(":")) : [];
  const missing = 8 - head.length - rest.length;
  if ((halves.length === 1 && missing !== 0) || (halves.length === 2 && missing < 1)) return false;
  const saved = tailV4 ? target.slice(at + 12, at + 16) : undefined;
  if (!writeGroups(head, target, at)) return false;
  target.fill(0, at + 2 * head.length, at + 2 * (head.length + missing));
  if (!writeGroups(rest, target, at + 2 * (head.length + missing))) return false;
  if (saved !== undefined) target.set(saved, at + 12);
  return true;
}
