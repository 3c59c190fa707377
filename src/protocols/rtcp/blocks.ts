/**
 * Fixed-size blocks inside RTCP packets: reception report blocks (RFC 3550 §6.4.1) and the XR VoIP Metrics block
 * (RFC 3611 §4.7). Callers check that the block fits before calling.
 * @module
 */
import { i8, u16, u32 } from "./_read.ts";
import type { RtcpReportBlock, RtcpVoipMetrics } from "./types.ts";

/** Size of a reception report block. */
export const REPORT_BLOCK_BYTES = 24;
/** Size of a VoIP Metrics block including its 4-byte block header. */
export const VOIP_METRICS_BLOCK_BYTES = 36;

/** Reads the report block at `at`. */
export function readReportBlock(data: Uint8Array, at: number): RtcpReportBlock {
  // Cumulative lost is a signed 24-bit number.
  const cumulative = (data[at + 5]! << 16) | (data[at + 6]! << 8) | data[at + 7]!;
  return {
    ssrc: u32(data, at),
    fractionLost: data[at + 4]!,
    cumulativeLost: cumulative & 0x800000 ? cumulative - 0x1000000 : cumulative,
    highestSequence: u32(data, at + 8),
    jitter: u32(data, at + 12),
    lastSr: u32(data, at + 16),
    delaySinceLastSr: u32(data, at + 20),
  };
}

/** Reads a VoIP Metrics block whose block header starts at `at`. */
export function readVoipMetrics(data: Uint8Array, at: number): RtcpVoipMetrics {
  const b = at + 4;
  return {
    ssrc: u32(data, b),
    lossRate: data[b + 4]!,
    discardRate: data[b + 5]!,
    burstDensity: data[b + 6]!,
    gapDensity: data[b + 7]!,
    burstDurationMs: u16(data, b + 8),
    gapDurationMs: u16(data, b + 10),
    roundTripDelayMs: u16(data, b + 12),
    endSystemDelayMs: u16(data, b + 14),
    signalLevel: i8(data, b + 16),
    noiseLevel: i8(data, b + 17),
    residualEchoReturnLoss: data[b + 18]!,
    gmin: data[b + 19]!,
    rFactor: data[b + 20]!,
    externalRFactor: data[b + 21]!,
    mosLq: data[b + 22]!,
    mosCq: data[b + 23]!,
    receiverConfig: data[b + 24]!,
    jitterBufferNominalMs: u16(data, b + 26),
    jitterBufferMaximumMs: u16(data, b + 28),
    jitterBufferAbsoluteMaxMs: u16(data, b + 30),
  };
}
