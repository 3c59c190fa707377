/**
 * Text and JSON renderings of a `PacketSummary`, for printing only (these allocate strings): a tcpdump-like line
 * and a flat JSON record for `--format json`.
 * @module
 */

import { EtherType } from "./ethernet.ts";
import { IpProtocol, Malformed, MALFORMED_NAMES, type PacketSummary } from "./summary.ts";

/** Options of the formatters. */
export interface FormatOptions {
  /** Print times in UTC instead of local time (tcpdump prints local time). @default false */
  utc?: boolean;
  /** Print nanoseconds (9 digits) instead of microseconds. @default false */
  nanosecond?: boolean;
}

/** Character codes of the IPv4 text being built ("255.255.255.255" is 15 characters). */
const addressCodes = new Uint16Array(16);

/** Writes the decimal digits of `value` (0–255) at `at`; returns the position after them. */
function putDecimal(value: number, at: number): number {
  if (value >= 100) addressCodes[at++] = 48 + Math.floor(value / 100);
  if (value >= 10) addressCodes[at++] = 48 + Math.floor(value / 10) % 10;
  addressCodes[at++] = 48 + value % 10;
  return at;
}

/** Texts of recently seen IPv4 addresses; traffic repeats its addresses, so most lookups hit. Cleared when full. */
const ipv4Texts = new Map<number, string>();
const IPV4_TEXTS_MAX = 65_536;

/**
 * Dotted IPv4 as one flat string: a template literal makes a "cons" string once it reaches 13 characters, and one
 * such string in a record sends `JSON.stringify` down its slow path for the whole record (docs/benchmarks.md).
 */
function formatIpv4(data: Uint8Array, at: number): string {
  const key = (data[at] << 24 | data[at + 1] << 16 | data[at + 2] << 8 | data[at + 3]) >>> 0;
  let text = ipv4Texts.get(key);
  if (text !== undefined) return text;
  text = buildIpv4(data, at);
  if (ipv4Texts.size >= IPV4_TEXTS_MAX) ipv4Texts.clear();
  ipv4Texts.set(key, text);
  return text;
}

function buildIpv4(data: Uint8Array, at: number): string {
  let end = putDecimal(data[at], 0);
  for (let k = 1; k < 4; k++) {
    addressCodes[end++] = 46; // "."
    end = putDecimal(data[at + k], end);
  }
  return String.fromCharCode.apply(null, addressCodes.subarray(0, end) as unknown as number[]);
}

/** Formats 4 or 16 address bytes at `at` as dotted IPv4 or RFC 5952 IPv6 (as glibc's inet_ntop does). */
export function formatAddress(data: Uint8Array, at: number, bytes: number): string {
  if (bytes === 4) return formatIpv4(data, at);
  const words: number[] = [];
  for (let k = 0; k < 8; k++) words.push((data[at + 2 * k] << 8) | data[at + 2 * k + 1]);
  let bestStart = -1;
  let bestLength = 0;
  for (let k = 0; k < 8;) {
    if (words[k] !== 0) {
      k++;
      continue;
    }
    let run = 0;
    while (k + run < 8 && words[k + run] === 0) run++;
    if (run > bestLength) {
      bestStart = k;
      bestLength = run;
    }
    k += run;
  }
  if (bestLength < 2) bestStart = -1;
  // IPv4-compatible (::a.b.c.d) and IPv4-mapped (::ffff:a.b.c.d) addresses end in dotted form.
  const embedsIpv4 = bestStart === 0 && (bestLength === 6 || (bestLength === 5 && words[5] === 0xffff));
  let text = "";
  for (let k = 0; k < 8; k++) {
    if (k === bestStart) {
      text += k === 0 ? "::" : ":";
      k += bestLength - 1;
      continue;
    }
    if (k === 6 && embedsIpv4) return text + formatAddress(data, at + 12, 4);
    text += words[k].toString(16) + (k < 7 ? ":" : "");
  }
  return text;
}

/** Formats the time of day like tcpdump: `HH:MM:SS.ffffff`. */
export function formatTime(sec: number, nsec: number, options: FormatOptions = {}): string {
  const date = new Date(sec * 1000);
  const two = (n: number) => String(n).padStart(2, "0");
  const hours = options.utc ? date.getUTCHours() : date.getHours();
  const minutes = options.utc ? date.getUTCMinutes() : date.getMinutes();
  const seconds = options.utc ? date.getUTCSeconds() : date.getSeconds();
  const fraction = options.nanosecond
    ? String(nsec).padStart(9, "0")
    : String(Math.floor(nsec / 1000)).padStart(6, "0");
  return `${two(hours)}:${two(minutes)}:${two(seconds)}.${fraction}`;
}

const TCP_FLAG_LETTERS = "FSRP.UEW";

/** tcpdump's flag string: `S`, `S.`, `P.`, `F.`, `R`, ... (ACK is `.`), or `none`. */
export function formatTcpFlags(flags: number): string {
  let text = "";
  for (let bit = 0; bit < 8; bit++) if ((flags & (1 << bit)) !== 0) text += TCP_FLAG_LETTERS[bit];
  return text === "" ? "none" : text;
}

function icmpName(summary: PacketSummary): string {
  const v6 = summary.protocol === IpProtocol.ICMPV6;
  const type = summary.icmpType;
  if (!v6 && type === 8 || v6 && type === 128) return "echo request";
  if (!v6 && type === 0 || v6 && type === 129) return "echo reply";
  if (!v6 && type === 3 || v6 && type === 1) return `unreachable code ${summary.icmpCode}`;
  if (!v6 && type === 11 || v6 && type === 3) return "time exceeded";
  return `type ${type} code ${summary.icmpCode}`;
}

function formatIp(summary: PacketSummary): string {
  const src = formatAddress(summary.data, summary.srcAddressOffset, summary.addressBytes);
  const dst = formatAddress(summary.data, summary.dstAddressOffset, summary.addressBytes);
  const family = summary.ipVersion === 6 ? "IP6" : "IP";
  const length = `length ${summary.payloadBytes}`;
  if (summary.srcPort >= 0 && summary.fragmentOffsetBytes === 0) {
    const ends = `${family} ${src}.${summary.srcPort} > ${dst}.${summary.dstPort}:`;
    if (summary.protocol === IpProtocol.TCP) return `${ends} Flags [${formatTcpFlags(summary.tcpFlags)}], ${length}`;
    if (summary.protocol === IpProtocol.UDP) return `${ends} UDP, ${length}`;
    return `${ends} SCTP, ${length}`;
  }
  const ends = `${family} ${src} > ${dst}:`;
  if (summary.fragmentOffsetBytes !== 0) {
    return `${ends} ip-proto-${summary.protocol} (frag offset ${summary.fragmentOffsetBytes}), ${length}`;
  }
  if (summary.icmpType >= 0) return `${ends} ICMP${summary.ipVersion === 6 ? "6" : ""} ${icmpName(summary)}, ${length}`;
  return `${ends} ip-proto-${summary.protocol}, ${length}`;
}

/**
 * Formats a tcpdump-like line: `12:00:00.123456 IP 10.0.0.1.5060 > 10.0.0.2.5060: UDP, length 412`.
 * Lengths are payload bytes for IP packets and frame bytes otherwise; problems are appended in brackets.
 */
export function formatSummaryText(summary: PacketSummary, options: FormatOptions = {}): string {
  let text = formatTime(summary.timestampSec, summary.timestampNsec, options) + " ";
  for (let k = 0; k < Math.min(summary.vlanCount, summary.vlanIds.length); k++) text += `vlan ${summary.vlanIds[k]} `;
  if (!summary.linkDecoded) text += `linktype ${summary.linkType}, length ${summary.wireBytes}`;
  else if (summary.ipVersion !== 0) text += formatIp(summary);
  else if (summary.etherType === EtherType.ARP) text += `ARP, length ${summary.wireBytes}`;
  else if (summary.etherType !== 0) {
    text += `ethertype 0x${summary.etherType.toString(16).padStart(4, "0")}, length ${summary.wireBytes}`;
  } else text += `length ${summary.wireBytes}`;
  if (summary.malformed !== Malformed.NONE) text += ` [malformed: ${MALFORMED_NAMES[summary.malformed]}]`;
  return text;
}

/** A flat JSON-ready record of the summary; absent fields are left out. */
export function summaryToJson(summary: PacketSummary): Record<string, unknown> {
  const record: Record<string, unknown> = {
    time: `${summary.timestampSec}.${String(summary.timestampNsec).padStart(9, "0")}`,
    linkType: summary.linkType,
    length: summary.wireBytes,
    capturedLength: summary.capturedBytes,
  };
  if (summary.vlanCount > 0) record.vlan = Array.from(summary.vlanIds.subarray(0, summary.vlanCount));
  if (summary.etherType !== 0) record.etherType = summary.etherType;
  if (summary.ipVersion !== 0) {
    record.ipVersion = summary.ipVersion;
    record.src = formatAddress(summary.data, summary.srcAddressOffset, summary.addressBytes);
    record.dst = formatAddress(summary.data, summary.dstAddressOffset, summary.addressBytes);
    record.protocol = summary.protocol;
    record.ttl = summary.ttl;
  }
  if (summary.fragment) record.fragmentOffset = summary.fragmentOffsetBytes;
  if (summary.srcPort >= 0) {
    record.srcPort = summary.srcPort;
    record.dstPort = summary.dstPort;
  }
  if (summary.tcpFlags >= 0) record.tcpFlags = formatTcpFlags(summary.tcpFlags);
  if (summary.icmpType >= 0) {
    record.icmpType = summary.icmpType;
    record.icmpCode = summary.icmpCode;
  }
  if (summary.payloadOffset >= 0) record.payloadLength = summary.payloadBytes;
  if (summary.payloadTruncated) record.payloadTruncated = true;
  if (summary.malformed !== Malformed.NONE) record.malformed = MALFORMED_NAMES[summary.malformed];
  if (!summary.linkDecoded) record.undecodedLinkType = true;
  return record;
}
