/**
 * Media endpoint keys: (IP, port) → a Map key. IPv4 gives a number (address · 65536 + port, exact below 2^53) built
 * straight from packet bytes without allocation; IPv6 gives a string (one allocation; IPv6 media is the rare case).
 * The same key comes from the text of an SDP `c=` line, so offers and packets meet in one Map.
 * @module
 */

/** A Map key for one (address, port). */
export type EndpointKey = number | string;

/** The key of an address held in `data[at, at + addressBytes)` (4 or 16 bytes) and `port`. */
export function endpointKeyFromBytes(data: Uint8Array, at: number, addressBytes: number, port: number): EndpointKey {
  if (addressBytes === 4) {
    const address = ((data[at]! << 24) | (data[at + 1]! << 16) | (data[at + 2]! << 8) | data[at + 3]!) >>> 0;
    return address * 65536 + port;
  }
  let text = "";
  for (let i = 0; i < 16; i++) text += HEX_BYTES[data[at + i]!];
  return `${text}:${port}`;
}

const HEX_BYTES: readonly string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));

/** Parses dotted IPv4 text to an unsigned 32-bit number; undefined when it is not exactly four decimal octets. */
export function parseIpv4(text: string): number | undefined {
  // By character codes: flow ids of records made from address text parse it per record (a split and a regex per
  // octet cost about 1 µs).
  let address = 0;
  let octets = 0;
  let i = 0;
  while (octets < 4) {
    let octet = 0;
    let digits = 0;
    for (; digits < 3 && i < text.length; digits++, i++) {
      const digit = text.charCodeAt(i) - 48;
      if (digit < 0 || digit > 9) break;
      octet = octet * 10 + digit;
    }
    if (digits === 0 || octet > 255) return undefined;
    address = address * 256 + octet;
    if (++octets < 4) {
      if (text.charCodeAt(i) !== 46) return undefined; // "."
      i++;
    }
  }
  return i === text.length ? address : undefined;
}

/** Parses IPv6 text (with `::` and an embedded IPv4 tail) to 16 bytes; undefined when malformed. */
export function parseIpv6(text: string): Uint8Array | undefined {
  const zone = text.indexOf("%");
  const clean = zone === -1 ? text : text.slice(0, zone);
  const halves = clean.split("::");
  if (halves.length > 2) return undefined;
  const head = readGroups(halves[0]!);
  const tail = halves.length === 2 ? readGroups(halves[1]!) : [];
  if (head === undefined || tail === undefined) return undefined;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return undefined;
  const groups = [...head, ...new Array<number>(halves.length === 2 ? missing : 0).fill(0), ...tail];
  const bytes = new Uint8Array(16);
  groups.forEach((group, i) => {
    bytes[2 * i] = group >> 8;
    bytes[2 * i + 1] = group & 0xff;
  });
  return bytes;
}

function readGroups(text: string): number[] | undefined {
  if (text === "") return [];
  const groups: number[] = [];
  const parts = text.split(":");
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]!;
    if (i === parts.length - 1 && part.includes(".")) {
      const v4 = parseIpv4(part);
      if (v4 === undefined) return undefined;
      groups.push(v4 >>> 16, v4 & 0xffff);
      continue;
    }
    if (!/^[0-9a-fA-F]{1,4}$/.test(part)) return undefined;
    groups.push(parseInt(part, 16));
  }
  return groups;
}

/** The key of an address written as text (IPv4 or IPv6, brackets allowed); undefined for host names or junk. */
export function endpointKeyFromText(address: string, port: number): EndpointKey | undefined {
  const text = address.startsWith("[") && address.endsWith("]") ? address.slice(1, -1) : address;
  const v4 = parseIpv4(text);
  if (v4 !== undefined) return v4 * 65536 + port;
  const v6 = parseIpv6(text);
  return v6 === undefined ? undefined : endpointKeyFromBytes(v6, 0, 16, port);
}

/** Formats an address held in bytes (4 or 16) as text: dotted IPv4, or RFC 5952 IPv6 (longest zero run as `::`). */
export function formatAddressBytes(data: Uint8Array, at: number, addressBytes: number): string {
  if (addressBytes === 4) return `${data[at]}.${data[at + 1]}.${data[at + 2]}.${data[at + 3]}`;
  const groups: number[] = [];
  for (let i = 0; i < 8; i++) groups.push((data[at + 2 * i]! << 8) | data[at + 2 * i + 1]!);
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8;) {
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength) [bestStart, bestLength] = [i, j - i];
    i = j === i ? i + 1 : j;
  }
  const hex = groups.map((group) => group.toString(16));
  if (bestStart === -1) return hex.join(":");
  return `${hex.slice(0, bestStart).join(":")}::${hex.slice(bestStart + bestLength).join(":")}`;
}
