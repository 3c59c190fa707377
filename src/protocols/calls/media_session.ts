/**
 * The media of one call (or of one static binding): its RTP streams and the RTCP reports attached to them.
 * @module
 */
import type { RtcpPacket, RtcpReportBlock } from "../rtcp/mod.ts";
import type { RtpStreamSnapshot, RtpStreamStats } from "../rtp/stream_stats.ts";
import type { Call } from "./call.ts";
import type { EndpointKey } from "./endpoint.ts";

/** What RTCP said about a stream (from its sender's SR and its receiver's report blocks). */
export interface StreamRtcpSummary {
  senderReports: number;
  /** Packet and octet counts of the sender's last SR. */
  senderPacketCount: number | undefined;
  senderOctetCount: number | undefined;
  receiverReports: number;
  /** Last report block about the stream: fraction lost (0..1), cumulative lost, jitter in timestamp units. */
  fractionLost: number | undefined;
  cumulativeLost: number | undefined;
  jitter: number | undefined;
  /** Probe-side round trip: SR capture → report block capture minus DLSR (RFC 3550 §6.4.1). */
  roundTripMs: number | undefined;
  /** XR VoIP Metrics MOS-LQ / MOS-CQ (× 10 as sent) from the last block about the stream. */
  xrMosLq: number | undefined;
  xrMosCq: number | undefined;
}

/** One RTP stream: statistics plus where it flows. */
export interface StreamEntry {
  stats: RtpStreamStats;
  session: MediaSession;
  srcKey: EndpointKey;
  dstKey: EndpointKey;
  srcIp: string;
  srcPort: number;
  dstIp: string;
  dstPort: number;
  media: string;
  lastReportMs: number;
  rtcp: StreamRtcpSummary;
  /** NTP middle 32 bits of the last SR from this stream's SSRC and when it was captured. */
  lastSrNtpMiddle: number;
  lastSrCaptureMs: number;
}

/** The `rtp_stream` record. */
export interface RtpStreamRecord extends RtpStreamSnapshot {
  callId: string;
  srcIp: string;
  srcPort: number;
  dstIp: string;
  dstPort: number;
  media: string;
  /** False for the periodic records, true for the last one. */
  final: boolean;
  /** Why the final record came: "idle", "call_end", "evicted", "flushed"; "" on periodic records. */
  endReason: string;
  rtcp: StreamRtcpSummary;
}

/** Creates an empty RTCP summary. */
export function emptyRtcpSummary(): StreamRtcpSummary {
  return {
    senderReports: 0,
    senderPacketCount: undefined,
    senderOctetCount: undefined,
    receiverReports: 0,
    fractionLost: undefined,
    cumulativeLost: undefined,
    jitter: undefined,
    roundTripMs: undefined,
    xrMosLq: undefined,
    xrMosCq: undefined,
  };
}

/** The media of one call. */
export class MediaSession {
  readonly callId: string;
  /** The call while it is in flight; media activity keeps it from timing out. */
  call: Call | undefined;
  readonly streams: StreamEntry[] = [];
  /** Set when the call ended: bindings and streams go `ttlMs` later. */
  endedAtMs: number | undefined;

  /** Creates the media session of `callId`. */
  constructor(callId: string, call: Call | undefined) {
    this.callId = callId;
    this.call = call;
  }

  /** The first stream of `ssrc` in this session. */
  findStream(ssrc: number): StreamEntry | undefined {
    for (const stream of this.streams) if (stream.stats.ssrc === ssrc) return stream;
    return undefined;
  }

  /** Attaches the reports of one compound RTCP packet captured at `timeMs` to the streams they describe. */
  attachRtcp(packets: readonly RtcpPacket[], timeMs: number): void {
    for (const packet of packets) {
      if (packet.type === "sr") {
        const stream = this.findStream(packet.ssrc);
        if (stream !== undefined) {
          stream.rtcp.senderReports++;
          stream.rtcp.senderPacketCount = packet.packetCount;
          stream.rtcp.senderOctetCount = packet.octetCount;
          stream.lastSrNtpMiddle = ((packet.ntpSeconds & 0xffff) * 65536 + (packet.ntpFraction >>> 16)) >>> 0;
          stream.lastSrCaptureMs = timeMs;
        }
      }
      if (packet.type === "sr" || packet.type === "rr") {
        for (const block of packet.reports) this.#attachBlock(block, timeMs);
      }
      if (packet.type === "xr") {
        for (const metrics of packet.voipMetrics) {
          const stream = this.findStream(metrics.ssrc);
          if (stream === undefined) continue;
          stream.rtcp.xrMosLq = metrics.mosLq;
          stream.rtcp.xrMosCq = metrics.mosCq;
        }
      }
    }
  }

  #attachBlock(block: RtcpReportBlock, timeMs: number): void {
    const stream = this.findStream(block.ssrc);
    if (stream === undefined) return;
    const rtcp = stream.rtcp;
    rtcp.receiverReports++;
    rtcp.fractionLost = block.fractionLost / 256;
    rtcp.cumulativeLost = block.cumulativeLost;
    rtcp.jitter = block.jitter;
    if (block.lastSr !== 0 && block.lastSr === stream.lastSrNtpMiddle) {
      rtcp.roundTripMs = Math.max(0, timeMs - stream.lastSrCaptureMs - block.delaySinceLastSr * 1000 / 65536);
    }
  }
}

/** The record of `stream` now: periodic (`final` false, `endReason` "") or final. */
export function streamRecord(stream: StreamEntry, final: boolean, endReason: string): RtpStreamRecord {
  const roundTripMs = stream.rtcp.roundTripMs;
  return {
    ...stream.stats.snapshot(roundTripMs === undefined ? 0 : roundTripMs / 2),
    callId: stream.session.callId,
    srcIp: stream.srcIp,
    srcPort: stream.srcPort,
    dstIp: stream.dstIp,
    dstPort: stream.dstPort,
    media: stream.media,
    final,
    endReason,
    rtcp: { ...stream.rtcp },
  };
}
