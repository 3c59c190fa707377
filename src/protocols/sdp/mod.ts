/**
 * SDP (RFC 8866) parsing for media tracking: connections, media sections, rtpmap/fmtp, RTCP port and mux, direction.
 * The only import other folders use.
 * @module
 */
export * from "./types.ts";
export { parseSdp, SDP_LINES_MAX, SDP_MEDIA_MAX, type SdpParseResult } from "./session.ts";
