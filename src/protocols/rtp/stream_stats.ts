/**
 * Statistics of one RTP stream (one SSRC in one direction): counts, sequence accounting (`SequenceTracker`),
 * interarrival jitter (RFC 3550 A.8) and arrival deltas. Updating does not allocate; `snapshot()` does, once per record.
 *
 * Max delta, max jitter and mean jitter follow Wireshark's RTP stream analysis, so they can be checked against
 * `tshark -z rtp,streams`: they count only "regular" packets (not the first, not marked, not comfort noise or the packet
 * after it, not older in timestamp than the previous one).
 * @module
 */
import { CodecMap, isAuxiliaryCodec, type RtpCodec } from "./codec.ts";
import type { RtpHeader } from "./header.ts";
import { codecImpairment, estimateMos } from "./mos.ts";
import { SequenceTracker, SequenceVerdict } from "./sequence.ts";

/** Numbers describing a stream at one moment (what a record carries). */
export interface RtpStreamSnapshot {
  ssrc: number;
  payloadType: number;
  /** Codec name of the last voice payload type ("" when unknown). */
  codec: string;
  clockRate: number;
  firstSeenMs: number;
  lastSeenMs: number;
  packets: number;
  /** RTP bytes (header + payload + padding). */
  bytes: number;
  /** Media payload bytes. */
  payloadBytes: number;
  expected: number;
  lost: number;
  /** lost / expected, 0..1. */
  lossRatio: number;
  duplicates: number;
  /** Late (reordered) packets. */
  outOfOrder: number;
  /** Big sequence jumps (sender restarts). */
  sequenceJumps: number;
  markers: number;
  /** Current interarrival jitter in timestamp units (RFC 3550 A.8) and in milliseconds. */
  jitter: number;
  jitterMs: number;
  maxJitterMs: number;
  meanJitterMs: number;
  maxDeltaMs: number;
  /** Estimated MOS from loss, jitter and codec (see `mos.ts`). */
  mos: number;
}

/** The running statistics of one stream. */
export class RtpStreamStats {
  readonly ssrc: number;
  /** Payload type → codec from the call's SDP; replaced when a re-INVITE changes it. */
  codecs: CodecMap;
  readonly sequence = new SequenceTracker();
  packets = 0;
  bytes = 0;
  payloadBytes = 0;
  markers = 0;
  firstSeenMs = 0;
  lastSeenMs = 0;
  payloadType = -1;
  codec: RtpCodec;
  jitterMs = 0;
  maxJitterMs = 0;
  maxDeltaMs = 0;
  #jitterSumMs = 0;
  #regularPackets = 0;
  // Reference for jitter and delta: the last packet that was not older in timestamp than its predecessor.
  #referenceArrivalMs = 0;
  #referenceTimestamp = 0;
  #previousWasComfortNoise = false;

  /** Starts the statistics of `ssrc`; `codecs` maps its payload types. */
  constructor(ssrc: number, codecs: CodecMap = new CodecMap()) {
    this.ssrc = ssrc;
    this.codecs = codecs;
    this.codec = codecs.lookup(0);
  }

  /** Accounts for one packet whose header is `header`, captured at `arrivalMs`; `rtpBytes` is the UDP payload size. */
  update(header: RtpHeader, arrivalMs: number, rtpBytes: number): void {
    const first = this.packets === 0;
    this.packets++;
    this.bytes += rtpBytes;
    this.payloadBytes += header.payloadBytes;
    this.lastSeenMs = arrivalMs;
    if (header.marker) this.markers++;
    const verdict = this.sequence.update(header.sequence);
    const codec = this.codecs.lookup(header.payloadType);
    const auxiliary = isAuxiliaryCodec(codec);
    if (!auxiliary) this.codec = codec;
    this.payloadType = header.payloadType;
    if (first) {
      this.firstSeenMs = arrivalMs;
      this.#referenceArrivalMs = arrivalMs;
      this.#referenceTimestamp = header.timestamp;
      this.#previousWasComfortNoise = auxiliary;
      return;
    }
    if (verdict === SequenceVerdict.DUPLICATE) return;
    const timestampDelta = (header.timestamp - this.#referenceTimestamp) | 0;
    const inTimeOrder = timestampDelta >= 0;
    const deltaMs = arrivalMs - this.#referenceArrivalMs;
    const clockRate = auxiliary ? 0 : codec.clockRate;
    if (clockRate > 0) {
      const transitChangeMs = Math.abs(deltaMs - timestampDelta * 1000 / clockRate);
      this.jitterMs += (transitChangeMs - this.jitterMs) / 16;
    }
    const regular = inTimeOrder && !header.marker && !auxiliary && !this.#previousWasComfortNoise;
    if (regular) {
      if (deltaMs > this.maxDeltaMs) this.maxDeltaMs = deltaMs;
      if (clockRate > 0) {
        if (this.jitterMs > this.maxJitterMs) this.maxJitterMs = this.jitterMs;
        this.#jitterSumMs += this.jitterMs;
        this.#regularPackets++;
      }
    }
    if (inTimeOrder) this.#setReference(arrivalMs, header.timestamp, auxiliary);
  }

  #setReference(arrivalMs: number, timestamp: number, auxiliary: boolean): void {
    this.#previousWasComfortNoise = auxiliary;
    // DTMF events keep the event's start timestamp; they must not become the reference of the voice clock.
    if (auxiliary) return;
    this.#referenceArrivalMs = arrivalMs;
    this.#referenceTimestamp = timestamp;
  }

  /** Mean of the jitter over the regular packets, in milliseconds. */
  get meanJitterMs(): number {
    return this.#regularPackets === 0 ? 0 : this.#jitterSumMs / this.#regularPackets;
  }

  /** The current numbers as a plain object; `networkDelayMs` (e.g. from RTCP round trips) feeds the MOS estimate. */
  snapshot(networkDelayMs = 0): RtpStreamSnapshot {
    const expected = this.sequence.expected;
    const lost = this.sequence.lost;
    const lossRatio = expected === 0 ? 0 : lost / expected;
    const clockRate = this.codec.clockRate;
    return {
      ssrc: this.ssrc,
      payloadType: this.payloadType,
      codec: this.codec.name,
      clockRate,
      firstSeenMs: this.firstSeenMs,
      lastSeenMs: this.lastSeenMs,
      packets: this.packets,
      bytes: this.bytes,
      payloadBytes: this.payloadBytes,
      expected,
      lost,
      lossRatio,
      duplicates: this.sequence.duplicates,
      outOfOrder: this.sequence.late,
      sequenceJumps: this.sequence.jumps,
      markers: this.markers,
      jitter: this.jitterMs * clockRate / 1000,
      jitterMs: this.jitterMs,
      maxJitterMs: this.maxJitterMs,
      meanJitterMs: this.meanJitterMs,
      maxDeltaMs: this.maxDeltaMs,
      mos: estimateMos({
        lossRatio,
        jitterMs: this.jitterMs,
        networkDelayMs,
        impairment: codecImpairment(this.codec.name),
      }),
    };
  }
}
