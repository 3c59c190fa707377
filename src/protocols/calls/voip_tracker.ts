/**
 * Calls and their media together: SIP messages drive the `CallTracker` and bind SDP endpoints; UDP packets to or from
 * a bound endpoint are RTP (per-SSRC statistics) or RTCP (parsed, attached to the streams, emitted). Records go to one
 * sink: `call` when a call ends, `rtp_stream` every `intervalMs` and at stream end, `rtcp` per RTCP packet, and
 * `rtp_packet` per RTP packet when `packetRecords` asks for them.
 *
 * Per RTP packet: two Map lookups by numeric key (IPv4), a header read into a reused object and a short scan of the
 * call's streams — no allocation.
 * @module
 */
import { parseSdp } from "../sdp/mod.ts";
import { isSdpContentType, type SipDialogMessage } from "../sip/mod.ts";
import { createRtpHeader, readRtpHeader, RTP_INVALID_NAMES, RtpInvalid } from "../rtp/header.ts";
import { RtpStreamStats } from "../rtp/stream_stats.ts";
import { parseRtcp, RTCP_INVALID_REASONS, type RtcpInvalidReason, type RtcpPacket } from "../rtcp/mod.ts";
import type { Call } from "./call.ts";
import { CallTracker, type CallTrackerOptions } from "./call_tracker.ts";
import { type EndpointKey, endpointKeyFromBytes, formatAddressBytes } from "./endpoint.ts";
import { type MediaBinding, MediaBindings, type MediaBindingsOptions } from "./media_bindings.ts";
import {
  emptyRtcpSummary,
  MediaSession,
  type RtpStreamRecord,
  type StreamEntry,
  streamRecord,
} from "./media_session.ts";
import { type RtpPacketRecord, rtpPacketRecord } from "./rtp_packet.ts";
import type { CallRecord, SipTuple } from "./types.ts";

/** The fields of a decoded UDP packet the tracker reads (`PacketSummary` has them). */
export interface UdpPacketView {
  data: Uint8Array;
  addressBytes: number;
  srcAddressOffset: number;
  dstAddressOffset: number;
  srcPort: number;
  dstPort: number;
  payloadOffset: number;
  payloadBytes: number;
}

/** The `rtcp` record. */
export interface RtcpRecord {
  callId: string;
  timeMs: number;
  srcIp: string;
  srcPort: number;
  dstIp: string;
  dstPort: number;
  packets: RtcpPacket[];
  tailError: RtcpInvalidReason | undefined;
}

/** Everything the tracker emits. */
export type VoipRecord =
  | { type: "call"; call: CallRecord }
  | { type: "rtp_stream"; stream: RtpStreamRecord }
  | { type: "rtcp"; rtcp: RtcpRecord }
  | { type: "rtp_packet"; packet: RtpPacketRecord };

/** Options of a `VoipTracker`. */
export interface VoipTrackerOptions extends CallTrackerOptions, MediaBindingsOptions {
  /** Period of the non-final stream records. @default 60000 */
  intervalMs?: number;
  /** A stream without packets this long ends (final record, reason "idle"). @default 60000 */
  streamIdleMs?: number;
  /** Streams in flight; packets of new streams beyond it are counted and skipped. @default 20000 */
  streamsMax?: number;
  /** Emit one `rtp_packet` record per RTP packet of a bound stream. @default false */
  packetRecords?: boolean;
}

/** Counters of a `VoipTracker` (besides `calls.stats` and `bindings.stats`). */
export interface VoipStats {
  rtpPackets: number;
  rtcpPackets: number;
  /** Invalid RTP by `RTP_INVALID_NAMES` label, invalid RTCP by `RtcpInvalidReason`. */
  rtpInvalid: Record<string, number>;
  rtcpInvalid: Record<string, number>;
  streamsDropped: number;
  sdpInvalid: number;
}

/** Calls, bindings and streams of one capture. */
export class VoipTracker {
  readonly calls: CallTracker;
  readonly bindings: MediaBindings;
  readonly stats: VoipStats = {
    rtpPackets: 0,
    rtcpPackets: 0,
    rtpInvalid: Object.fromEntries(RTP_INVALID_NAMES.map((name) => [name, 0])),
    rtcpInvalid: Object.fromEntries(RTCP_INVALID_REASONS.map((name) => [name, 0])),
    streamsDropped: 0,
    sdpInvalid: 0,
  };
  readonly #sink: (record: VoipRecord) => void;
  readonly #sessions = new Map<string, MediaSession>();
  readonly #streams = new Set<StreamEntry>();
  readonly #header = createRtpHeader();
  readonly #intervalMs: number;
  readonly #streamIdleMs: number;
  readonly #streamsMax: number;
  readonly #packetRecords: boolean;

  /** Creates a tracker sending its records to `sink`. */
  constructor(sink: (record: VoipRecord) => void, options: VoipTrackerOptions = {}) {
    this.#sink = sink;
    this.calls = new CallTracker((record, call) => this.#onCallEnd(record, call), options);
    this.bindings = new MediaBindings(options);
    this.#intervalMs = options.intervalMs ?? 60_000;
    this.#streamIdleMs = options.streamIdleMs ?? 60_000;
    this.#streamsMax = options.streamsMax ?? 20_000;
    this.#packetRecords = options.packetRecords ?? false;
  }

  /** Accounts for one SIP message; `payload` is the bytes it was parsed from (for its SDP body). */
  onSip(message: SipDialogMessage, payload: Uint8Array, timeMs: number, tuple: SipTuple): void {
    const call = this.calls.update(message, timeMs, tuple);
    if (call === undefined || message.bodyLength === 0 || !isSdpContentType(message.contentType)) return;
    const result = parseSdp(payload.subarray(message.bodyOffset, message.bodyOffset + message.bodyLength));
    if (result.kind !== "message") {
      this.stats.sdpInvalid++;
      return;
    }
    let session = this.#sessions.get(call.callId);
    if (session === undefined || session.call !== call) {
      session = new MediaSession(call.callId, call);
      this.#sessions.set(call.callId, session);
    }
    this.bindings.bindSdp(result.message, session, `${tuple.srcIp}:${tuple.srcPort}`, timeMs);
  }

  /** Binds an endpoint by hand to a session named `label` (like tshark's decode-as). */
  bindStatic(address: string, port: number, kind: "rtp" | "rtcp", label: string, nowMs: number): boolean {
    let session = this.#sessions.get(label);
    if (session === undefined) this.#sessions.set(label, session = new MediaSession(label, undefined));
    return this.bindings.bindStatic(address, port, kind, session, nowMs);
  }

  /** Accounts for one UDP packet; false when neither endpoint is bound (not media of a known call). */
  /** Call-ID of the call the last packet accepted by `onUdp` belongs to (undefined when unknown). */
  lastCallId: string | undefined;

  onUdp(packet: UdpPacketView, timeMs: number): boolean {
    const bindings = this.bindings;
    if (!bindings.hasPort(packet.dstPort) && !bindings.hasPort(packet.srcPort)) return false;
    const { data, addressBytes } = packet;
    const dstKey = endpointKeyFromBytes(data, packet.dstAddressOffset, addressBytes, packet.dstPort);
    let binding = bindings.get(dstKey);
    const srcKey = endpointKeyFromBytes(data, packet.srcAddressOffset, addressBytes, packet.srcPort);
    // Symmetric RTP: a party sends from the endpoint it receives on, so the source binds too. When the destination
    // is an endpoint several calls share, the source's own binding names the call.
    if (binding === undefined || binding.shared) binding = bindings.get(srcKey) ?? binding;
    if (binding === undefined) return false;
    binding.lastUsedMs = timeMs;
    const call = binding.session.call;
    this.lastCallId = call?.callId;
    if (call !== undefined && timeMs > call.lastActivityMs) call.lastActivityMs = timeMs;
    if (binding.kind === "rtcp") {
      this.#onRtcp(binding, packet, timeMs);
      return true;
    }
    const invalid = readRtpHeader(data, packet.payloadOffset, packet.payloadBytes, this.#header);
    if (invalid === RtpInvalid.RTCP && binding.mux) {
      this.#onRtcp(binding, packet, timeMs);
      return true;
    }
    if (invalid !== RtpInvalid.NONE) {
      this.stats.rtpInvalid[RTP_INVALID_NAMES[invalid]!]!++;
      return true;
    }
    const stream = this.#findStream(binding, srcKey, dstKey) ??
      this.#addStream(binding, packet, srcKey, dstKey, timeMs);
    if (stream === undefined) return true;
    this.stats.rtpPackets++;
    stream.stats.update(this.#header, timeMs, packet.payloadBytes);
    if (this.#packetRecords) this.#sink({ type: "rtp_packet", packet: rtpPacketRecord(stream, this.#header, timeMs) });
    return true;
  }

  #findStream(binding: MediaBinding, srcKey: EndpointKey, dstKey: EndpointKey): StreamEntry | undefined {
    const ssrc = this.#header.ssrc;
    for (const stream of binding.session.streams) {
      if (stream.stats.ssrc === ssrc && stream.srcKey === srcKey && stream.dstKey === dstKey) return stream;
    }
    return undefined;
  }

  #addStream(binding: MediaBinding, packet: UdpPacketView, srcKey: EndpointKey, dstKey: EndpointKey, timeMs: number) {
    if (this.#streams.size >= this.#streamsMax) {
      this.stats.streamsDropped++;
      return undefined;
    }
    const { data, addressBytes } = packet;
    const stream: StreamEntry = {
      stats: new RtpStreamStats(this.#header.ssrc, binding.codecs),
      session: binding.session,
      srcKey,
      dstKey,
      srcIp: formatAddressBytes(data, packet.srcAddressOffset, addressBytes),
      srcPort: packet.srcPort,
      dstIp: formatAddressBytes(data, packet.dstAddressOffset, addressBytes),
      dstPort: packet.dstPort,
      media: binding.media,
      lastReportMs: timeMs,
      rtcp: emptyRtcpSummary(),
      lastSrNtpMiddle: 0,
      lastSrCaptureMs: 0,
    };
    binding.session.streams.push(stream);
    this.#streams.add(stream);
    return stream;
  }

  #onRtcp(binding: MediaBinding, packet: UdpPacketView, timeMs: number): void {
    const payload = packet.data.subarray(packet.payloadOffset, packet.payloadOffset + packet.payloadBytes);
    const result = parseRtcp(payload);
    if (result.kind !== "message") {
      if (result.kind === "invalid") this.stats.rtcpInvalid[result.reason]!++;
      return;
    }
    this.stats.rtcpPackets++;
    const { packets, tailError } = result.message;
    if (tailError !== undefined) this.stats.rtcpInvalid[tailError]!++;
    binding.session.attachRtcp(packets, timeMs);
    const { data, addressBytes } = packet;
    this.#sink({
      type: "rtcp",
      rtcp: {
        callId: binding.session.callId,
        timeMs,
        srcIp: formatAddressBytes(data, packet.srcAddressOffset, addressBytes),
        srcPort: packet.srcPort,
        dstIp: formatAddressBytes(data, packet.dstAddressOffset, addressBytes),
        dstPort: packet.dstPort,
        packets,
        tailError,
      },
    });
  }

  #onCallEnd(record: CallRecord, call: Call): void {
    this.#sink({ type: "call", call: record });
    const session = this.#sessions.get(call.callId);
    if (session === undefined || session.call !== call) return;
    session.call = undefined;
    session.endedAtMs = record.endTimeMs;
    this.bindings.endSession(session, record.endTimeMs);
  }

  #endStream(stream: StreamEntry, reason: string): void {
    this.#streams.delete(stream);
    const streams = stream.session.streams;
    streams.splice(streams.indexOf(stream), 1);
    this.#sink({ type: "rtp_stream", stream: streamRecord(stream, true, reason) });
  }

  /** Runs timeouts, periodic stream records and binding expiry at `nowMs`; call about once a second. */
  expire(nowMs: number): void {
    this.calls.expire(nowMs);
    for (const [label, session] of this.#sessions) {
      if (session.endedAtMs === undefined || nowMs < session.endedAtMs + this.bindings.ttlMs) continue;
      for (const stream of [...session.streams]) this.#endStream(stream, "call_end");
      this.#sessions.delete(label);
    }
    for (const stream of [...this.#streams]) {
      if (nowMs - stream.stats.lastSeenMs >= this.#streamIdleMs) this.#endStream(stream, "idle");
      else if (nowMs - stream.lastReportMs >= this.#intervalMs) {
        stream.lastReportMs = nowMs;
        this.#sink({ type: "rtp_stream", stream: streamRecord(stream, false, "") });
      }
    }
    this.bindings.expire(nowMs);
  }

  /** Ends every call and stream (end of capture) at `nowMs`. */
  flush(nowMs: number): void {
    this.calls.flush(nowMs);
    for (const stream of [...this.#streams]) this.#endStream(stream, "flushed");
    this.#sessions.clear();
  }
}
