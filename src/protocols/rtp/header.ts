/**
 * RTP fixed header (RFC 3550 §5.1) read into one reusable object, and the RTP/RTCP split of RFC 5761 §4.
 * No allocation: a caller keeps one `RtpHeader` and reads every packet into it.
 * @module
 */

/** Why a payload is not an RTP packet. Values index `RTP_INVALID_NAMES` (metric labels). */
export const RtpInvalid = {
  NONE: 0,
  /** Shorter than the 12-byte fixed header. */
  TRUNCATED: 1,
  /** Version field is not 2. */
  BAD_VERSION: 2,
  /** The CSRC list or the header extension runs past the payload. */
  HEADER_OVERFLOW: 3,
  /** The padding count is 0 or larger than what follows the header. */
  BAD_PADDING: 4,
  /** The second byte is an RTCP packet type (RFC 5761 §4): RTCP, not RTP. */
  RTCP: 5,
} as const;

/** An `RtpInvalid` value. */
export type RtpInvalidReason = typeof RtpInvalid[keyof typeof RtpInvalid];

/** Label of each `RtpInvalid` value, indexed by the value. */
export const RTP_INVALID_NAMES: readonly string[] = [
  "none",
  "truncated",
  "bad_version",
  "header_overflow",
  "bad_padding",
  "rtcp",
];

/** The RTP fixed header fields plus where the payload is. */
export interface RtpHeader {
  version: number;
  padding: boolean;
  extension: boolean;
  csrcCount: number;
  marker: boolean;
  payloadType: number;
  sequence: number;
  /** RTP timestamp, unsigned 32-bit. */
  timestamp: number;
  /** Unsigned 32-bit. */
  ssrc: number;
  /** Bytes of the header (fixed + CSRC list + extension). */
  headerBytes: number;
  /** Media payload bytes (padding removed). */
  payloadBytes: number;
}

/** Creates the one header object a loop reuses. */
export function createRtpHeader(): RtpHeader {
  return {
    version: 0,
    padding: false,
    extension: false,
    csrcCount: 0,
    marker: false,
    payloadType: 0,
    sequence: 0,
    timestamp: 0,
    ssrc: 0,
    headerBytes: 0,
    payloadBytes: 0,
  };
}

/** Smallest RTP packet: the fixed header. */
export const RTP_HEADER_BYTES_MIN = 12;

/**
 * True when the second byte of an RTP/RTCP packet is an RTCP packet type: 192–223 per RFC 5761 §4 (SR 200, RR 201,
 * SDES 202, BYE 203, APP 204, RTPFB 205, PSFB 206, XR 207 and the reserved rest). RTP payload types 64–95 with the
 * marker bit set would collide; RFC 5761 forbids them on a muxed port.
 */
export function isRtcpSecondByte(secondByte: number): boolean {
  return secondByte >= 192 && secondByte <= 223;
}

function readU32(data: Uint8Array, at: number): number {
  return ((data[at]! << 24) | (data[at + 1]! << 16) | (data[at + 2]! << 8) | data[at + 3]!) >>> 0;
}

/**
 * Reads the RTP header of `data[offset, offset + length)` into `out`.
 * @returns `RtpInvalid.NONE` when `out` holds a valid header, else the reason (fields read so far stay set).
 * @example
 * ```ts
 * const header = createRtpHeader();
 * if (readRtpHeader(payload, 0, payload.length, header) === RtpInvalid.NONE) console.log(header.sequence);
 * ```
 */
export function readRtpHeader(data: Uint8Array, offset: number, length: number, out: RtpHeader): RtpInvalidReason {
  if (length < 2) return RtpInvalid.TRUNCATED;
  const first = data[offset]!;
  const second = data[offset + 1]!;
  out.version = first >> 6;
  if (out.version !== 2) return RtpInvalid.BAD_VERSION;
  // Checked before the RTP length: an RTCP packet (e.g. an empty RR) may be shorter than an RTP header.
  if (isRtcpSecondByte(second)) return RtpInvalid.RTCP;
  if (length < RTP_HEADER_BYTES_MIN) return RtpInvalid.TRUNCATED;
  out.padding = (first & 0x20) !== 0;
  out.extension = (first & 0x10) !== 0;
  out.csrcCount = first & 0x0f;
  out.marker = (second & 0x80) !== 0;
  out.payloadType = second & 0x7f;
  out.sequence = (data[offset + 2]! << 8) | data[offset + 3]!;
  out.timestamp = readU32(data, offset + 4);
  out.ssrc = readU32(data, offset + 8);
  let headerBytes = RTP_HEADER_BYTES_MIN + 4 * out.csrcCount;
  if (headerBytes > length) return RtpInvalid.HEADER_OVERFLOW;
  if (out.extension) {
    // Extension: 16-bit profile id, 16-bit length in 32-bit words, then the words.
    if (headerBytes + 4 > length) return RtpInvalid.HEADER_OVERFLOW;
    const words = (data[offset + headerBytes + 2]! << 8) | data[offset + headerBytes + 3]!;
    headerBytes += 4 + 4 * words;
    if (headerBytes > length) return RtpInvalid.HEADER_OVERFLOW;
  }
  out.headerBytes = headerBytes;
  let paddingBytes = 0;
  if (out.padding) {
    paddingBytes = data[offset + length - 1]!;
    if (paddingBytes === 0 || headerBytes + paddingBytes > length) return RtpInvalid.BAD_PADDING;
  }
  out.payloadBytes = length - headerBytes - paddingBytes;
  return RtpInvalid.NONE;
}
