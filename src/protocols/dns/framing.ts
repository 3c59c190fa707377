/**
 * DNS over TCP (RFC 1035 §4.2.2, RFC 7766): every message is preceded by a 2-byte length. The helper cuts one
 * message from the front of a reassembled stream buffer.
 * @module
 */
import type { ParseResult } from "../parser.ts";
import { HEADER_BYTES, parseDnsMessage } from "./parser.ts";
import type { DnsInvalidReason, DnsMessage } from "./types.ts";

/** Bytes of the length prefix. */
export const LENGTH_PREFIX_BYTES = 2;

/**
 * Length of the first framed message in `stream` including its prefix, 0 when more bytes are needed, -1 when the
 * prefix cannot start a DNS message (shorter than a header).
 */
export function dnsFrameLength(stream: Uint8Array): number {
  if (stream.length < LENGTH_PREFIX_BYTES) return 0;
  const length = (stream[0]! << 8) | stream[1]!;
  if (length < HEADER_BYTES) return -1;
  return stream.length >= LENGTH_PREFIX_BYTES + length ? LENGTH_PREFIX_BYTES + length : 0;
}

/**
 * Parses the first length-prefixed message at the front of `stream`.
 *
 * @returns `message` with `consumedBytes` counting the prefix, `incomplete` when the frame is not all there yet, or
 * `invalid` (`bad_length_prefix`, or the message's own reason; the frame can still be skipped by its prefix).
 */
export function parseDnsTcp(stream: Uint8Array): ParseResult<DnsMessage, DnsInvalidReason> {
  const frameBytes = dnsFrameLength(stream);
  if (frameBytes === 0) return { kind: "incomplete" };
  if (frameBytes < 0) return { kind: "invalid", reason: "bad_length_prefix" };
  const result = parseDnsMessage(stream.subarray(LENGTH_PREFIX_BYTES, frameBytes));
  if (result.kind !== "message") return result;
  // Trailing bytes inside the frame are ignored, as resolvers do; the stream advances by the whole frame.
  return { kind: "message", message: result.message, consumedBytes: frameBytes };
}
