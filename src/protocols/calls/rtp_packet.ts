/**
 * The per-packet RTP record: one per RTP packet of a bound stream, made only when a task asks for them (protocol
 * `rtp_packet`); stream statistics (`rtp_stream`) are the default view of media.
 * @module
 */
import type { RtpHeader } from "../rtp/header.ts";
import type { StreamEntry } from "./media_session.ts";

/** One RTP packet of a stream bound to a call. */
export interface RtpPacketRecord {
  /** Call-ID of the call the stream is bound to ("" for a static binding without call). */
  callId: string;
  timeMs: number;
  srcIp: string;
  srcPort: number;
  dstIp: string;
  dstPort: number;
  ssrc: number;
  /** RTP sequence number (16 bits). */
  seq: number;
  /** RTP timestamp (unsigned 32 bits). */
  timestamp: number;
  payloadType: number;
  marker: boolean;
  /** Media payload bytes (header, CSRCs, extension and padding excluded). */
  payloadBytes: number;
  /** Codec of this packet's payload type from the call's SDP (or the static table); "" when unknown. */
  codec: string;
  clockRate: number;
  /** SDP media type ("audio", "video"). */
  media: string;
  /**
   * The same object for every packet of the stream, and only of it: a key for a consumer's per-stream state (the
   * `rtp_packet` record's JSON keeps the text that repeats). Not part of the record's data.
   */
  stream: object;
}

/** The record of the packet whose header is `header`, on `stream`, captured at `timeMs`. */
export function rtpPacketRecord(stream: StreamEntry, header: RtpHeader, timeMs: number): RtpPacketRecord {
  const codec = stream.stats.codecs.lookup(header.payloadType);
  return {
    callId: stream.session.callId,
    timeMs,
    srcIp: stream.srcIp,
    srcPort: stream.srcPort,
    dstIp: stream.dstIp,
    dstPort: stream.dstPort,
    ssrc: stream.stats.ssrc,
    seq: header.sequence,
    timestamp: header.timestamp,
    payloadType: header.payloadType,
    marker: header.marker,
    payloadBytes: header.payloadBytes,
    codec: codec.name,
    clockRate: codec.clockRate,
    media: stream.media,
    stream,
  };
}
