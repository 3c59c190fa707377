/**
 * Options of `AfPacketSource.open` (src/capture/afpacket.ts).
 *
 * @module
 */
import type { FanoutModeName } from "../native/ring.ts";

/** PACKET_FANOUT sockets per interface at most (the CLI's `--fanout` and `AfPacketSource.open` both check it). */
export const FANOUT_SOCKETS_MAX = 64;

/** Options of `AfPacketSource.open`. */
export interface AfPacketOptions {
  interfaces: readonly string[];
  /** tcpdump filter syntax, compiled by the library and attached before bind. */
  filter?: string;
  snaplenBytes?: number;
  blockBytes?: number;
  blockCount?: number;
  frameBytes?: number;
  retireTimeoutMs?: number;
  /** Sockets per interface in one PACKET_FANOUT group. @default 1 (no fanout) */
  fanoutCount?: number;
  /** @default "hash" */
  fanoutMode?: FanoutModeName;
  /** @default true */
  promiscuous?: boolean;
  /**
   * Wait for blocks on the calling thread (the event loop turns every 500 ms, src/capture/afpacket_rings.ts) instead of
   * a worker thread; only honoured with a single ring. For one-shot tools, never for the daemon.
   * @default false
   */
  inlineWait?: boolean;
  /**
   * With `inlineWait`: nap up to this long between takes so that one wake-up serves several blocks (`WakeCoalescer`);
   * adds up to this much latency. 0: take each block as it retires. @default 0
   */
  coalesceMs?: number;
  /**
   * Have the library decode every packet's L2–L4 summary while it walks a block (`PacketBatch.summaries`), for
   * consumers that count or print summaries; others leave it off and pay nothing.
   * @default false
   */
  summaries?: boolean;
}
