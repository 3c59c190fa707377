/**
 * RTCP (RFC 3550 §6, RFC 3611 XR VoIP Metrics, RFC 4585 feedback) parsing. The only import other folders use.
 *
 * @example
 * ```ts
 * import { detectRtcp, parseRtcp } from "./mod.ts";
 * const payload = new Uint8Array([0x80, 201, 0, 1, 0, 0, 0, 7]); // an empty receiver report from SSRC 7
 * if (detectRtcp(payload)) console.log(parseRtcp(payload));
 * ```
 * @module
 */
export * from "./types.ts";
export { detectRtcp, parseRtcp, RTCP_PACKETS_MAX, type RtcpParseResult } from "./compound.ts";
export { REPORT_BLOCK_BYTES, VOIP_METRICS_BLOCK_BYTES } from "./blocks.ts";
