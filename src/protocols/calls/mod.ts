/**
 * SIP call tracking with media binding: `VoipTracker` takes parsed SIP messages and UDP packets and emits `call`,
 * `rtp_stream` and `rtcp` records (and `rtp_packet` records when asked). The only import other folders use.
 * @module
 */
export * from "./types.ts";
export { Call } from "./call.ts";
export { CallTracker, type CallTrackerOptions, type CallTrackerStats } from "./call_tracker.ts";
export { type EndpointKey, endpointKeyFromBytes, endpointKeyFromText, formatAddressBytes } from "./endpoint.ts";
export { type MediaBinding, MediaBindings, type MediaBindingsOptions } from "./media_bindings.ts";
export type { RtpStreamRecord, StreamRtcpSummary } from "./media_session.ts";
export { type RtpPacketRecord, rtpPacketRecord } from "./rtp_packet.ts";
export {
  type RtcpRecord,
  type UdpPacketView,
  type VoipRecord,
  type VoipStats,
  VoipTracker,
  type VoipTrackerOptions,
} from "./voip_tracker.ts";
