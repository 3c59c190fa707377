/**
 * Limits and counters of TCP stream reassembly. Each limit has a default; each hit has a named counter.
 * @module
 */

/** Bounds on TCP reassembly state. */
export interface TcpStreamLimits {
  /** Connections tracked at once; new ones past it are not tracked (counted). @default 65536 */
  connectionsMax: number;
  /** Out-of-order bytes buffered per direction; past it the oldest hole is declared a gap. @default 262144 */
  bufferedBytesPerDirectionMax: number;
  /** Out-of-order segments buffered per direction; past it the oldest hole is declared a gap. @default 128 */
  outOfOrderSegmentsMax: number;
  /** Out-of-order bytes buffered over all connections. @default 64 MiB */
  bufferedBytesMax: number;
  /** A connection without packets this long (packet time) is flushed and closed. @default 120000 */
  idleTimeoutMs: number;
}

/** The defaults. */
export const DEFAULT_TCP_STREAM_LIMITS: Readonly<TcpStreamLimits> = {
  connectionsMax: 65536,
  bufferedBytesPerDirectionMax: 256 * 1024,
  outOfOrderSegmentsMax: 128,
  bufferedBytesMax: 64 * 1024 * 1024,
  idleTimeoutMs: 120_000,
};

/** Why a connection ended. Values index `CLOSE_REASON_NAMES`. */
export const CloseReason = { FIN: 0, RST: 1, TIMEOUT: 2, REUSED: 3, SHUTDOWN: 4 } as const;

/** A `CloseReason` value. */
export type CloseReasonValue = typeof CloseReason[keyof typeof CloseReason];

/** Label of each `CloseReason`. */
export const CLOSE_REASON_NAMES: readonly string[] = ["fin", "rst", "timeout", "reused", "shutdown"];

/** Counters of a TCP reassembler. */
export interface TcpStreamCounters {
  /** TCP packets offered. */
  packets: number;
  connectionsOpened: number;
  /** By `CloseReason`. */
  connectionsClosed: number[];
  /** Connections not tracked because `connectionsMax` were open. */
  connectionsMax: number;
  /** Connections first seen without a SYN (delivery starts at the first segment seen). */
  midstream: number;
  /** Segments whose bytes were all delivered before (dropped). */
  retransmission: number;
  /** Segments partly overlapping delivered or buffered bytes (only new bytes delivered; first copy wins). */
  overlap: number;
  /** Segments buffered because they arrived ahead of a hole. */
  outOfOrder: number;
  /** Holes given up on and the bytes they held. */
  gaps: number;
  gapBytes: number;
  /** Times a limit forced a gap: per-direction segments, per-direction bytes, all bytes. */
  outOfOrderSegmentsMax: number;
  bufferedBytesPerDirectionMax: number;
  bufferedBytesMax: number;
  deliveredBytes: number;
  /** Packets that were not decodable TCP (no header, non-first fragment). */
  malformed: number;
}

/** Zeroed counters. */
export function createTcpStreamCounters(): TcpStreamCounters {
  return {
    packets: 0,
    connectionsOpened: 0,
    connectionsClosed: CLOSE_REASON_NAMES.map(() => 0),
    connectionsMax: 0,
    midstream: 0,
    retransmission: 0,
    overlap: 0,
    outOfOrder: 0,
    gaps: 0,
    gapBytes: 0,
    outOfOrderSegmentsMax: 0,
    bufferedBytesPerDirectionMax: 0,
    bufferedBytesMax: 0,
    deliveredBytes: 0,
    malformed: 0,
  };
}
