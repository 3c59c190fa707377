/**
 * The parsed form of an SDP body (RFC 8866), reduced to what media tracking needs.
 * @module
 */

/** Why a body was not SDP; each reason has its own counter. */
export type SdpInvalidReason =
  /** The first line is not `v=`. */
  | "not_sdp"
  /** More lines than `SDP_LINES_MAX` or media sections than `SDP_MEDIA_MAX`. */
  | "too_large";

/** Every `SdpInvalidReason`, for registering counters. */
export const SDP_INVALID_REASONS: readonly SdpInvalidReason[] = ["not_sdp", "too_large"];

/** Media direction attribute. */
export type SdpDirection = "sendrecv" | "sendonly" | "recvonly" | "inactive";

/** `o=<username> <sess-id> <sess-version> <nettype> <addrtype> <unicast-address>` */
export interface SdpOrigin {
  username: string;
  sessionId: string;
  sessionVersion: string;
  netType: string;
  addrType: string;
  address: string;
}

/** `c=<nettype> <addrtype> <address>[/<ttl>][/<count>]` */
export interface SdpConnection {
  netType: string;
  /** "IP4" or "IP6" (as written). */
  addrType: string;
  /** Address without the `/ttl/count` suffix. */
  address: string;
  /** IP4 multicast TTL; undefined when not written. */
  ttl: number | undefined;
  /** Number of addresses (`/count`); undefined when not written. */
  addressCount: number | undefined;
}

/** `a=rtpmap:<pt> <encoding>/<clock rate>[/<channels>]` */
export interface SdpRtpMap {
  payloadType: number;
  encoding: string;
  clockRate: number;
  channels: number | undefined;
}

/** `a=fmtp:<format> <parameters>` */
export interface SdpFmtp {
  format: string;
  parameters: string;
}

/** `a=rtcp:<port> [<nettype> <addrtype> <address>]` (RFC 3605) */
export interface SdpRtcp {
  port: number;
  /** Connection for RTCP; undefined when only the port is given. */
  connection: SdpConnection | undefined;
}

/** One `m=` section. */
export interface SdpMedia {
  /** "audio", "video", "image", "application", ... */
  media: string;
  port: number;
  /** `m=audio 49170/2 ...` gives 2; undefined when not written. */
  portCount: number | undefined;
  /** "RTP/AVP", "RTP/SAVP", "udptl", ... */
  proto: string;
  /** Formats as written (payload type numbers for RTP). */
  formats: string[];
  /** The media-level `c=` if present, else the session-level one; undefined when neither exists. */
  connection: SdpConnection | undefined;
  rtpmaps: SdpRtpMap[];
  fmtps: SdpFmtp[];
  rtcp: SdpRtcp | undefined;
  rtcpMux: boolean;
  /** Media-level direction if present, else session-level, else "sendrecv" (RFC 3264 §5.1). */
  direction: SdpDirection;
  /** `a=ptime` in milliseconds; undefined when absent. */
  ptimeMs: number | undefined;
}

/** A parsed SDP body. */
export interface SdpSession {
  version: string;
  origin: SdpOrigin | undefined;
  sessionName: string;
  /** Session-level `c=`. */
  connection: SdpConnection | undefined;
  /** Session-level direction attribute; undefined when absent. */
  direction: SdpDirection | undefined;
  media: SdpMedia[];
  /** Lines without `x=` shape, or with unparsable values, skipped and counted. */
  malformedLines: number;
}
