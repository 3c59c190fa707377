/**
 * Domain names in wire format (RFC 1035 §3.1, §4.1.4): labels and compression pointers, read with a bound on every
 * index and on the number of pointers followed, so a crafted loop ends in `pointer_loop` instead of spinning.
 * @module
 */
import type { DnsInvalidReason } from "./types.ts";

/** RFC 1035 §2.3.4: 255 octets in wire form, counting length bytes and the root label. */
export const NAME_WIRE_BYTES_MAX = 255;

/**
 * Pointers a single name may follow. A valid name has at most 127 labels, so more jumps than that means the pointers
 * revisit bytes: a loop.
 */
export const NAME_POINTERS_MAX = 127;

/** Where a name read ended: the decoded name and the offset just after it in the original (unjumped) position. */
export interface NameRead {
  name: string;
  /** Offset after the name's last byte at the place it was read (after the first pointer, if any). */
  next: number;
}

const POINTER_TAG = 0xc0;

/**
 * Reads the name starting at `offset` of the message `message` (offsets in pointers are relative to its start).
 *
 * @param message The whole DNS message (without a TCP length prefix).
 * @param offset Where the name starts.
 * @param out Receives the name and the offset after it.
 * @returns `undefined` on success, else why the name is unusable.
 */
export function readName(message: Uint8Array, offset: number, out: NameRead): DnsInvalidReason | undefined {
  let position = offset;
  let next = -1;
  let wireBytes = 0;
  let pointers = 0;
  let name = "";
  for (;;) {
    if (position >= message.length) return "bad_name";
    const length = message[position]!;
    if ((length & POINTER_TAG) === POINTER_TAG) {
      if (position + 1 >= message.length) return "bad_name";
      if (++pointers > NAME_POINTERS_MAX) return "pointer_loop";
      if (next === -1) next = position + 2;
      position = ((length & 0x3f) << 8) | message[position + 1]!;
      continue;
    }
    // 0x40 and 0x80 are the obsolete extended and the reserved label types (RFC 6891 §5).
    if ((length & POINTER_TAG) !== 0) return "bad_name";
    wireBytes += length + 1;
    if (wireBytes > NAME_WIRE_BYTES_MAX) return "name_too_long";
    if (length === 0) {
      out.name = name === "" ? "." : name;
      out.next = next === -1 ? position + 1 : next;
      return undefined;
    }
    const end = position + 1 + length;
    if (end > message.length) return "bad_name";
    if (name !== "") name += ".";
    name += labelText(message, position + 1, end);
    position = end;
  }
}

/**
 * Presentation form of one label (RFC 4343 §2.1): printable ASCII as is, "." and "\" escaped with a backslash, other
 * bytes as `\DDD`.
 */
export function labelText(bytes: Uint8Array, start: number, end: number): string {
  let text = "";
  for (let i = start; i < end; i++) {
    const byte = bytes[i]!;
    if (byte === 0x2e || byte === 0x5c) text += "\\" + String.fromCharCode(byte);
    else if (byte > 0x20 && byte < 0x7f) text += String.fromCharCode(byte);
    else text += "\\" + String(byte).padStart(3, "0");
  }
  return text;
}
