/**
 * Live capture: a `PacketSource` over one or more interfaces × N PACKET_FANOUT sockets, each a TPACKET_V3 ring
 * of the capture library (`RingSet`, src/capture/afpacket_rings.ts, which also holds the loop shape and the inline
 * waits of one-shot tools). A retired block is walked in TypeScript into a `PacketBatch` (no per-packet objects)
 * and goes back to the kernel on `release(batch)`.
 * @module
 */
import { emptySourceStats, type PacketBatch, type PacketSource, type SourceStats } from "./batch.ts";
import { RETIRE_TIMEOUT_MS_DEFAULT, type Ring } from "../native/ring.ts";
import { type ArenaBatch, createArenaBatch, walkBlockNative } from "../native/block_walk.ts";
import { pcapBlock, type PcapBlockResult } from "../native/pcap_block.ts";
import { type BlockCountsResult, countBlock } from "../native/block_counts.ts";
import type { AfPacketOptions } from "./afpacket_options.ts";
import { type RingBlock, RingSet } from "./afpacket_rings.ts";
import { type KernelCounters, KernelCounterSums } from "./afpacket_counters.ts";

export type { AfPacketOptions, KernelCounters };

/**
 * Longest an idle ring's worker-thread wait lasts. `stop()` and `close()` interrupt a wait at once, so this only sets
 * how often an idle source wakes: each wake costs an event-loop turn (0.1–0.7 ms of CPU here; an idle task went from
 * 5.2 to 1.8 ms/s of CPU when this went from 100 to 1000 ms).
 */
const POLL_MS = 1000;
/** Kernel counters cost a getsockopt each: refresh at most this often. */
const STATS_INTERVAL_MS = 1000;
/** After `stop()`, the wait for the kernel to retire the last partly filled block lasts its timeout plus this. */
const DRAIN_MARGIN_MS = 20;

/** What the library's one-call block conversions report besides their output. */
interface BlockTotals {
  packets: number;
  wireBytes: number;
  badPackets: number;
}

/** A live `PacketSource` over AF_PACKET rings; see the module doc. */
export class AfPacketSource implements PacketSource {
  readonly name: string;
  readonly interfaces: readonly string[];
  readonly #rings: RingSet;
  #freeBatches: ArenaBatch[] = [];
  /** Batches handed out (all made by `createArenaBatch`), and the block each holds. */
  #leases = new Map<PacketBatch, RingBlock>();
  #packetsMax: number;
  #stats: SourceStats = emptySourceStats();
  readonly #kernelCounters: KernelCounterSums;
  #statsAtMs = 0;
  #stopping = false;
  #closed = false;
  #closing: Promise<void> | null = null;
  #onIdle: (() => void) | null = null;
  readonly #summaries: boolean;
  readonly #retireTimeoutMs: number;
  /** Set by `stop()`: until then the source still waits for blocks the kernel retires; 0 means no drain. */
  #drainUntilMs = 0;

  private constructor(interfaces: readonly string[], rings: RingSet, options: AfPacketOptions) {
    this.interfaces = interfaces;
    this.#rings = rings;
    this.#kernelCounters = new KernelCounterSums(interfaces.length);
    this.#summaries = options.summaries ?? false;
    this.#retireTimeoutMs = options.retireTimeoutMs ?? RETIRE_TIMEOUT_MS_DEFAULT;
    this.name = interfaces.join(",");
    const blockBytes = Math.max(...rings.slots.map((slot) => slot.ring.info.blockBytes));
    // A packet takes at least a tpacket3_hdr + sockaddr_ll (> 64 bytes), so this bounds num_pkts.
    this.#packetsMax = Math.ceil(blockBytes / 64);
  }

  /**
   * Opens `fanoutCount` rings per interface.
   * @throws {CaptureError} (src/native/capture_error.ts) from the first ring that fails (the others are closed first).
   */
  static open(options: AfPacketOptions): AfPacketSource {
    return new AfPacketSource([...options.interfaces], RingSet.open(options), options);
  }

  /** Ring geometry of the first socket (all sockets share the options). */
  get ringInfo(): Ring["info"] {
    return this.#rings.slots[0].ring.info;
  }

  /** The link type every ring captures on; -1 when the interfaces differ. */
  get linkType(): number {
    const slots = this.#rings.slots;
    const linkType = slots[0].ring.info.linkType;
    return slots.every((slot) => slot.ring.info.linkType === linkType) ? linkType : -1;
  }

  /** Index of the fanout socket (within its interface) a batch came from. */
  socketIndexOf(batch: PacketBatch): number {
    return this.#leases.get(batch)?.slot.socketIndex ?? -1;
  }

  /** Next batch; `null` after `close()`, or once `stop()` was called and every retired block was handed out. */
  async next(): Promise<PacketBatch | null> {
    const taken = await this.#nextBlock();
    return taken === null ? null : this.#lease(taken);
  }

  /**
   * The `capture -w` fast path: the pcap records (`PcapRecordsFlag` bits in `flags`) of at most `packetsMax` packets
   * of the next retired block, written to `out` (at least `ringInfo.blockBytes` long) by one library call; the block
   * goes back to the kernel at once. `null` like `next()`. The result is reused by the next call.
   */
  async nextRecords(out: Uint8Array, flags: number, packetsMax: number): Promise<PcapBlockResult | null> {
    const taken = await this.#nextBlock();
    if (taken === null) return null;
    try {
      return this.#account(pcapBlock(this.#blockView(taken), out, flags, packetsMax));
    } finally {
      this.#rings.release(taken.slot, taken.block);
    }
  }

  /**
   * The `capture -q --summary` fast path: the counters (packets, bytes, protocol classes, malformed packets) of at
   * most `packetsMax` packets of the next retired block, from one library call; the block goes back to the kernel at
   * once. `null` like `next()`. The result is reused by the next call.
   */
  async nextCounts(packetsMax: number): Promise<BlockCountsResult | null> {
    const taken = await this.#nextBlock();
    if (taken === null) return null;
    try {
      return this.#account(countBlock(this.#blockView(taken), taken.slot.ring.info.linkType, packetsMax));
    } finally {
      this.#rings.release(taken.slot, taken.block);
    }
  }

  /** The next retired block of any ring, waiting as needed; null when the source is done. */
  async #nextBlock(): Promise<RingBlock | null> {
    const rings = this.#rings;
    for (;;) {
      if (this.#closed) return null;
      if (rings.failure) throw rings.failure;
      if (this.#stopping) await rings.settle();
      else if (rings.yieldDue()) await rings.waitAny(0, true);
      const taken = rings.take();
      if (taken) return taken;
      if (!(await this.#waitMore())) return null;
    }
  }

  /** Waits for a block when none is ready; false once the source is done (closed, or stopped and drained). */
  async #waitMore(): Promise<boolean> {
    let timeoutMs = POLL_MS;
    if (this.#stopping) {
      const leftMs = this.#drainUntilMs - Date.now();
      if (leftMs <= 0) return false;
      timeoutMs = Math.min(leftMs, POLL_MS);
    }
    this.#refreshStats(false);
    await this.#rings.waitAny(timeoutMs, !this.#stopping);
    return true;
  }

  /** Returns the batch's block to the kernel. Releasing a batch twice is a no-op. */
  release(batch: PacketBatch): void {
    const lease = this.#leases.get(batch);
    if (!lease) return;
    this.#leases.delete(batch);
    batch.count = 0;
    // Leased, so made by `#lease` with `createArenaBatch`.
    this.#freeBatches.push(batch as ArenaBatch);
    this.#rings.release(lease.slot, lease.block);
    if (this.#leases.size === 0 && this.#onIdle) this.#onIdle();
  }

  /** Counters; kernel counters are refreshed at most once a second (and once more at close). */
  stats(): SourceStats {
    if (!this.#closed && !this.#closing) this.#refreshStats(false);
    return { ...this.#stats };
  }

  /** Kernel counters per interface (indexed like `interfaces`), refreshed like `stats()`. */
  kernelStatsByInterface(): KernelCounters[] {
    if (!this.#closed && !this.#closing) this.#refreshStats(false);
    return this.#kernelCounters.byInterface();
  }

  /**
   * Stops: `next()` hands out the blocks already retired and those the kernel retires within one retire timeout
   * (the partly filled block holding the last packets), then returns `null`. Nothing captured before is lost.
   */
  stop(): void {
    if (!this.#stopping) this.#drainUntilMs = Date.now() + this.#retireTimeoutMs + DRAIN_MARGIN_MS;
    this.#stopping = true;
    this.#rings.interrupt();
  }

  /** Interrupts waiters, waits for outstanding batches to be released, then closes every ring. */
  close(): Promise<void> {
    this.#closing ??= this.#closeAll();
    return this.#closing;
  }

  async #closeAll(): Promise<void> {
    this.#stopping = true;
    this.#rings.interrupt();
    await this.#rings.settle();
    this.#closed = true;
    this.#rings.releaseReady();
    if (this.#leases.size > 0) await new Promise<void>((resolve) => (this.#onIdle = resolve));
    this.#refreshStats(true);
    await this.#rings.close();
    // Pooled batches still point at the unmapped ring: make any late access read nothing instead of crashing.
    for (const batch of this.#freeBatches) {
      batch.count = 0;
      batch.data = new Uint8Array(0);
    }
  }

  #lease(taken: RingBlock): PacketBatch {
    const { slot, block } = taken;
    // A ring's link type is always one the library summarises (Ethernet or raw IP; cap_ring_open refuses others).
    const batch = this.#freeBatches.pop() ?? createArenaBatch(this.#packetsMax, undefined, this.#summaries);
    const { ring } = slot;
    batch.data = ring.bytes;
    batch.interfaceIndex = slot.interfaceIndex;
    batch.linkType = ring.info.linkType;
    // One library call walks the block's headers into the batch's arrays (walkBlock in Zig), with summaries
    // decoded when asked; offsets are into the whole ring (`batch.data`).
    const walk = walkBlockNative(this.#blockView(taken), block * ring.info.blockBytes, batch);
    this.#stats.readErrors += walk.badPackets;
    this.#stats.packets += batch.count;
    this.#stats.bytes += walk.wireBytes;
    this.#leases.set(batch, taken);
    return batch;
  }

  /** The bytes of a taken block in its ring. */
  #blockView(taken: RingBlock): Uint8Array {
    const { ring } = taken.slot;
    const blockBytes = ring.info.blockBytes;
    return ring.bytes.subarray(taken.block * blockBytes, (taken.block + 1) * blockBytes);
  }

  /** Adds a one-call conversion's packets to the counters and passes its result through. */
  #account<T extends BlockTotals>(result: T): T {
    this.#stats.readErrors += result.badPackets;
    this.#stats.packets += result.packets;
    this.#stats.bytes += result.wireBytes;
    return result;
  }

  #refreshStats(force: boolean): void {
    const nowMs = Date.now();
    if (!force && nowMs - this.#statsAtMs < STATS_INTERVAL_MS) return;
    this.#statsAtMs = nowMs;
    this.#kernelCounters.refresh(this.#rings.slots, this.#stats);
  }
}
