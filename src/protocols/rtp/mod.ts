/**
 * RTP (RFC 3550): allocation-free header reading, RTP/RTCP split, codec clocks, per-SSRC statistics (sequence, loss,
 * jitter, deltas) and an E-model MOS estimate. The only import other folders use.
 * @module
 */
export * from "./header.ts";
export * from "./codec.ts";
export * from "./sequence.ts";
export * from "./stream_stats.ts";
export * from "./mos.ts";
