/**
 * Bytes → a compound RTCP packet (RFC 3550 §6.1): a sequence of packets each with a common header
 * (V=2, P, count, PT, length in 32-bit words minus one). Never throws; every bound is checked.
 * @module
 */
import type { ParseResult } from "../parser.ts";
import { readRtcpBody } from "./packet.ts";
import type { RtcpCompound, RtcpInvalidReason, RtcpPacket } from "./types.ts";

/** Most packets read from one compound packet. */
export const RTCP_PACKETS_MAX = 32;

/** The result of parsing one RTCP payload. */
export type RtcpParseResult = ParseResult<RtcpCompound, RtcpInvalidReason>;

/** True when `payload` starts like RTCP: version 2 and a packet type of 192–223 (RFC 5761 §4). Does not allocate. */
export function detectRtcp(payload: Uint8Array): boolean {
  if (payload.length < 8 || payload[0]! >> 6 !== 2) return false;
  const packetType = payload[1]!;
  return packetType >= 192 && packetType <= 223;
}

/** Reads one packet at `at`; its end (with padding) on success, or a reason. */
function readPacket(data: Uint8Array, at: number, out: RtcpPacket[]): number | RtcpInvalidReason {
  if (at + 4 > data.length) return "truncated";
  const first = data[at]!;
  if (first >> 6 !== 2) return "bad_version";
  const packetBytes = 4 + 4 * ((data[at + 2]! << 8) | data[at + 3]!);
  if (at + packetBytes > data.length) return "bad_length";
  let end = at + packetBytes;
  if ((first & 0x20) !== 0) {
    const paddingBytes = data[end - 1]!;
    if (paddingBytes === 0 || paddingBytes > packetBytes - 4) return "bad_padding";
    end -= paddingBytes;
  }
  const packet = readRtcpBody(data, data[at + 1]!, first & 0x1f, at + 4, end);
  if (typeof packet === "string") return packet;
  out.push(packet);
  return at + packetBytes;
}

/**
 * Parses a compound RTCP packet. An error in the first packet makes the whole payload invalid; an error later keeps
 * the packets before it and sets `tailError`.
 * @example
 * ```ts
 * const result = parseRtcp(udpPayload);
 * if (result.kind === "message") for (const packet of result.message.packets) console.log(packet.type);
 * ```
 */
export function parseRtcp(payload: Uint8Array): RtcpParseResult {
  if (payload.length < 4) return { kind: "invalid", reason: "truncated" };
  if (payload[0]! >> 6 !== 2) return { kind: "invalid", reason: "bad_version" };
  const firstType = payload[1]!;
  if (firstType < 192 || firstType > 223) return { kind: "invalid", reason: "not_rtcp" };
  const packets: RtcpPacket[] = [];
  let at = 0;
  let tailError: RtcpInvalidReason | undefined;
  while (at < payload.length && packets.length < RTCP_PACKETS_MAX) {
    const next = readPacket(payload, at, packets);
    if (typeof next === "string") {
      if (packets.length === 0) return { kind: "invalid", reason: next };
      tailError = next;
      break;
    }
    at = next;
  }
  return { kind: "message", message: { packets, tailError }, consumedBytes: at };
}
