/**
 * Parsed RTCP (RFC 3550 §6, RFC 3611 XR, RFC 4585 feedback) as records need it. RTCP is rare next to RTP (a few
 * packets per stream every 5 s), so the parsed form is plain objects.
 * @module
 */

/** Why a payload, or the tail of a compound packet, is not valid RTCP; each reason has its own counter. */
export type RtcpInvalidReason =
  /** Shorter than a 4-byte common header (or a fixed part of a packet). */
  | "truncated"
  /** Version is not 2. */
  | "bad_version"
  /** The first packet type is not an RTCP type (192–223). */
  | "not_rtcp"
  /** The length field runs past the payload. */
  | "bad_length"
  /** The padding count is 0 or larger than the packet. */
  | "bad_padding"
  /** The report count, SDES chunks or XR blocks do not fit the packet length. */
  | "body_overflow";

/** Every `RtcpInvalidReason`, for registering counters. */
export const RTCP_INVALID_REASONS: readonly RtcpInvalidReason[] = [
  "truncated",
  "bad_version",
  "not_rtcp",
  "bad_length",
  "bad_padding",
  "body_overflow",
];

/** RTCP packet types. */
export const RtcpType = { SR: 200, RR: 201, SDES: 202, BYE: 203, APP: 204, RTPFB: 205, PSFB: 206, XR: 207 } as const;

/** One reception report block (RFC 3550 §6.4.1). */
export interface RtcpReportBlock {
  /** SSRC of the source the report is about. */
  ssrc: number;
  /** Fraction lost since the previous report, as the 8-bit fixed point value (0..255). */
  fractionLost: number;
  /** Cumulative packets lost (signed 24-bit: duplicates can make it negative). */
  cumulativeLost: number;
  /** Extended highest sequence number received. */
  highestSequence: number;
  /** Interarrival jitter in timestamp units. */
  jitter: number;
  /** Middle 32 bits of the NTP timestamp of the last SR received from the source (0: none). */
  lastSr: number;
  /** Delay since that SR in units of 1/65536 s. */
  delaySinceLastSr: number;
}

/** Sender report. */
export interface RtcpSenderReport {
  type: "sr";
  ssrc: number;
  ntpSeconds: number;
  ntpFraction: number;
  rtpTimestamp: number;
  packetCount: number;
  octetCount: number;
  reports: RtcpReportBlock[];
}

/** Receiver report. */
export interface RtcpReceiverReport {
  type: "rr";
  ssrc: number;
  reports: RtcpReportBlock[];
}

/** One SDES item (RFC 3550 §6.5): 1 CNAME, 2 NAME, 3 EMAIL, 4 PHONE, 5 LOC, 6 TOOL, 7 NOTE, 8 PRIV. */
export interface RtcpSdesItem {
  itemType: number;
  value: string;
}

/** One SDES chunk. */
export interface RtcpSdesChunk {
  ssrc: number;
  /** CNAME item value; "" when absent. */
  cname: string;
  items: RtcpSdesItem[];
}

/** Source description. */
export interface RtcpSdes {
  type: "sdes";
  chunks: RtcpSdesChunk[];
}

/** Goodbye. */
export interface RtcpBye {
  type: "bye";
  ssrcs: number[];
  /** Reason for leaving; "" when absent. */
  reason: string;
}

/** Application-defined. */
export interface RtcpApp {
  type: "app";
  subtype: number;
  ssrc: number;
  /** Four ASCII characters. */
  name: string;
  dataBytes: number;
}

/** Transport-layer (205) or payload-specific (206) feedback (RFC 4585 §6.1). */
export interface RtcpFeedback {
  type: "rtpfb" | "psfb";
  /** FMT field (e.g. 1 generic NACK, 1 PLI on PSFB). */
  format: number;
  ssrc: number;
  mediaSsrc: number;
}

/** VoIP Metrics report block (RFC 3611 §4.7, block type 7). Unavailable values are kept as sent (e.g. 127 for R). */
export interface RtcpVoipMetrics {
  ssrc: number;
  /** Fractions as 8-bit fixed point (0..255). */
  lossRate: number;
  discardRate: number;
  burstDensity: number;
  gapDensity: number;
  burstDurationMs: number;
  gapDurationMs: number;
  roundTripDelayMs: number;
  endSystemDelayMs: number;
  /** dBm (signed). */
  signalLevel: number;
  noiseLevel: number;
  residualEchoReturnLoss: number;
  gmin: number;
  rFactor: number;
  externalRFactor: number;
  /** MOS × 10 as sent (e.g. 41 = 4.1; 127 = unavailable). */
  mosLq: number;
  mosCq: number;
  receiverConfig: number;
  jitterBufferNominalMs: number;
  jitterBufferMaximumMs: number;
  jitterBufferAbsoluteMaxMs: number;
}

/** Extended report; only the VoIP Metrics blocks are decoded, other block types are counted. */
export interface RtcpXr {
  type: "xr";
  ssrc: number;
  voipMetrics: RtcpVoipMetrics[];
  otherBlocks: number;
}

/** A packet type this parser does not decode. */
export interface RtcpUnknown {
  type: "unknown";
  packetType: number;
}

/** One packet of a compound RTCP packet. */
export type RtcpPacket =
  | RtcpSenderReport
  | RtcpReceiverReport
  | RtcpSdes
  | RtcpBye
  | RtcpApp
  | RtcpFeedback
  | RtcpXr
  | RtcpUnknown;

/** A compound RTCP packet. */
export interface RtcpCompound {
  packets: RtcpPacket[];
  /** Set when packets after the first valid ones were malformed (those are dropped, the earlier kept). */
  tailError: RtcpInvalidReason | undefined;
}
