/**
 * RDATA in presentation form for the record types a DNS record most often carries; every other type (and any RDATA
 * whose length does not fit its type) is rendered as lower-case hex so nothing is lost.
 * @module
 */
import { type NameRead, readName } from "./name.ts";

/** Record type numbers rendered by {@linkcode renderRdata} (IANA DNS parameters). */
export const DnsType = {
  A: 1,
  NS: 2,
  CNAME: 5,
  SOA: 6,
  PTR: 12,
  MX: 15,
  TXT: 16,
  AAAA: 28,
  SRV: 33,
  OPT: 41,
} as const;

const TYPE_NAMES: Record<number, string> = {
  1: "A",
  2: "NS",
  5: "CNAME",
  6: "SOA",
  12: "PTR",
  13: "HINFO",
  15: "MX",
  16: "TXT",
  28: "AAAA",
  33: "SRV",
  35: "NAPTR",
  39: "DNAME",
  41: "OPT",
  43: "DS",
  46: "RRSIG",
  47: "NSEC",
  48: "DNSKEY",
  50: "NSEC3",
  52: "TLSA",
  64: "SVCB",
  65: "HTTPS",
  99: "SPF",
  251: "IXFR",
  252: "AXFR",
  255: "ANY",
  257: "CAA",
};

/** Mnemonic of a record type ("AAAA"), or RFC 3597's generic `TYPE<n>`. */
export function dnsTypeName(type: number): string {
  return TYPE_NAMES[type] ?? `TYPE${type}`;
}

const scratch: NameRead = { name: "", next: 0 };

/**
 * Renders the RDATA at `message[start, end)` of a record of `type`. Names inside RDATA may point anywhere in the
 * message, hence the whole message is passed.
 *
 * @returns The presentation form; hex when the type is not known or the bytes do not fit it.
 */
export function renderRdata(message: Uint8Array, type: number, start: number, end: number): string {
  const length = end - start;
  switch (type) {
    case DnsType.A:
      if (length === 4) return formatIpv4(message, start);
      break;
    case DnsType.AAAA:
      if (length === 16) return formatIpv6(message, start);
      break;
    case DnsType.NS:
    case DnsType.CNAME:
    case DnsType.PTR: {
      if (readName(message, start, scratch) === undefined && scratch.next === end) return scratch.name;
      break;
    }
    case DnsType.MX:
      if (length >= 3 && readName(message, start + 2, scratch) === undefined && scratch.next === end) {
        return `${u16(message, start)} ${scratch.name}`;
      }
      break;
    case DnsType.SRV:
      if (length >= 7 && readName(message, start + 6, scratch) === undefined && scratch.next === end) {
        return `${u16(message, start)} ${u16(message, start + 2)} ${u16(message, start + 4)} ${scratch.name}`;
      }
      break;
    case DnsType.TXT: {
      const text = renderTxt(message, start, end);
      if (text !== undefined) return text;
      break;
    }
    case DnsType.SOA: {
      const text = renderSoa(message, start, end);
      if (text !== undefined) return text;
      break;
    }
  }
  return hex(message, start, end);
}

/** `"mname rname serial refresh retry expire minimum"`, or undefined when the bytes do not fit. */
function renderSoa(message: Uint8Array, start: number, end: number): string | undefined {
  if (readName(message, start, scratch) !== undefined) return undefined;
  const mname = scratch.name;
  if (readName(message, scratch.next, scratch) !== undefined) return undefined;
  const rname = scratch.name;
  const at = scratch.next;
  if (at + 20 !== end) return undefined;
  const numbers = [0, 4, 8, 12, 16].map((delta) => u32(message, at + delta));
  return `${mname} ${rname} ${numbers.join(" ")}`;
}

/** Character-strings, each quoted with `"` and `\` escaped, joined by a space (RFC 1035 §5.1). */
function renderTxt(message: Uint8Array, start: number, end: number): string | undefined {
  const parts: string[] = [];
  let at = start;
  while (at < end) {
    const stringEnd = at + 1 + message[at]!;
    if (stringEnd > end) return undefined;
    let text = "";
    for (let i = at + 1; i < stringEnd; i++) {
      const byte = message[i]!;
      if (byte === 0x22 || byte === 0x5c) text += "\\" + String.fromCharCode(byte);
      else if (byte >= 0x20 && byte < 0x7f) text += String.fromCharCode(byte);
      else text += "\\" + String(byte).padStart(3, "0");
    }
    parts.push(`"${text}"`);
    at = stringEnd;
  }
  return parts.join(" ");
}

function u16(bytes: Uint8Array, at: number): number {
  return (bytes[at]! << 8) | bytes[at + 1]!;
}

function u32(bytes: Uint8Array, at: number): number {
  return ((bytes[at]! << 24) >>> 0) + ((bytes[at + 1]! << 16) | (bytes[at + 2]! << 8) | bytes[at + 3]!);
}

/** Lower-case hex of `bytes[start, end)`. */
export function hex(bytes: Uint8Array, start: number, end: number): string {
  let text = "";
  for (let i = start; i < end; i++) text += bytes[i]!.toString(16).padStart(2, "0");
  return text;
}

/** Dotted quad of the 4 bytes at `at`. */
export function formatIpv4(bytes: Uint8Array, at: number): string {
  return `${bytes[at]}.${bytes[at + 1]}.${bytes[at + 2]}.${bytes[at + 3]}`;
}

/** RFC 5952 text of the 16 bytes at `at`: lower case, leading zeros dropped, the longest run of 2+ zero groups as `::`. */
export function formatIpv6(bytes: Uint8Array, at: number): string {
  const groups: number[] = [];
  for (let i = 0; i < 8; i++) groups.push(u16(bytes, at + 2 * i));
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength) [bestStart, bestLength] = [i, j - i];
    i = j;
  }
  const text = (from: number, to: number) => groups.slice(from, to).map((g) => g.toString(16)).join(":");
  // RFC 5952 §5: IPv4-mapped addresses keep the dotted quad.
  if (bestStart === 0 && bestLength === 5 && groups[5] === 0xffff) return `::ffff:${formatIpv4(bytes, at + 12)}`;
  if (bestStart === -1) return text(0, 8);
  return `${text(0, bestStart)}::${text(bestStart + bestLength, 8)}`;
}
