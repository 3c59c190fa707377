/**
 * Transport headers: UDP and TCP ports (and TCP flags), SCTP ports, ICMP/ICMPv6 type and code. Sets the payload
 * to what follows the header, cut to the UDP length.
 * @module
 */

import { readU16 } from "./cursor.ts";
import { IpProtocol, Malformed, type MalformedReason, type PacketSummary } from "./summary.ts";

const UDP_HEADER_BYTES = 8;
const TCP_HEADER_BYTES_MIN = 20;
const SCTP_HEADER_BYTES = 12;
const ICMP_HEADER_BYTES = 4;

/**
 * Decodes the header of `summary.protocol` at `at`, up to `ipEnd` (the IP packet end, cut to the capture).
 * Returns false when the header is cut short or invalid (`malformed` set).
 */
export function decodeTransport(summary: PacketSummary, at: number, ipEnd: number): boolean {
  switch (summary.protocol) {
    case IpProtocol.UDP:
      return decodeUdp(summary, at, ipEnd);
    case IpProtocol.TCP:
      return decodeTcp(summary, at, ipEnd);
    case IpProtocol.SCTP:
      if (!hasHeader(summary, at, ipEnd, SCTP_HEADER_BYTES, Malformed.SCTP_TRUNCATED)) return false;
      setPorts(summary, at, ipEnd);
      return setPayload(summary, at + SCTP_HEADER_BYTES, ipEnd);
    case IpProtocol.ICMP:
    case IpProtocol.ICMPV6:
      if (!hasHeader(summary, at, ipEnd, ICMP_HEADER_BYTES, Malformed.ICMP_TRUNCATED)) return false;
      summary.icmpType = summary.data[at];
      summary.icmpCode = summary.data[at + 1];
      return setPayload(summary, at + ICMP_HEADER_BYTES, ipEnd);
    case IpProtocol.NO_NEXT_HEADER:
      return setPayload(summary, at, at);
    default:
      return setPayload(summary, at, ipEnd);
  }
}

function hasHeader(summary: PacketSummary, at: number, end: number, bytes: number, reason: MalformedReason): boolean {
  if (at + bytes <= end) return true;
  summary.malformed = reason;
  return false;
}

function setPorts(summary: PacketSummary, at: number, end: number): void {
  summary.srcPort = readU16(summary.data, at, end);
  summary.dstPort = readU16(summary.data, at + 2, end);
}

function setPayload(summary: PacketSummary, at: number, end: number): boolean {
  summary.payloadOffset = at;
  summary.payloadBytes = end > at ? end - at : 0;
  return true;
}

function decodeUdp(summary: PacketSummary, at: number, ipEnd: number): boolean {
  if (!hasHeader(summary, at, ipEnd, UDP_HEADER_BYTES, Malformed.UDP_TRUNCATED)) return false;
  setPorts(summary, at, ipEnd);
  const udpBytes = readU16(summary.data, at + 4, ipEnd);
  // Length 0 is legal for IPv6 jumbograms: the IP end bounds the payload then.
  if (udpBytes === 0) return setPayload(summary, at + UDP_HEADER_BYTES, ipEnd);
  if (udpBytes < UDP_HEADER_BYTES) {
    setPayload(summary, at + UDP_HEADER_BYTES, ipEnd);
    summary.malformed = Malformed.UDP_LENGTH_INVALID;
    return false;
  }
  if (at + udpBytes > ipEnd) {
    summary.payloadTruncated = true;
    return setPayload(summary, at + UDP_HEADER_BYTES, ipEnd);
  }
  return setPayload(summary, at + UDP_HEADER_BYTES, at + udpBytes);
}

function decodeTcp(summary: PacketSummary, at: number, ipEnd: number): boolean {
  if (!hasHeader(summary, at, ipEnd, TCP_HEADER_BYTES_MIN, Malformed.TCP_TRUNCATED)) return false;
  const data = summary.data;
  setPorts(summary, at, ipEnd);
  summary.tcpFlags = data[at + 13] | ((data[at + 12] & 0x01) << 8);
  const headerBytes = (data[at + 12] >> 4) * 4;
  if (headerBytes < TCP_HEADER_BYTES_MIN) {
    summary.malformed = Malformed.TCP_HEADER_INVALID;
    return false;
  }
  if (!hasHeader(summary, at, ipEnd, headerBytes, Malformed.TCP_TRUNCATED)) return false;
  return setPayload(summary, at + headerBytes, ipEnd);
}
