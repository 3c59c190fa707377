/**
 * Live capture: a `PacketSource` over one or more interfaces × N PACKET_FANOUT sockets, each a TPACKET_V3 ring
 * of the capture library. A retired block is walked in TypeScript into a `PacketBatch` (no per-packet objects)
 * and goes back to the kernel on `release(batch)`.
 *
 * Loop shape (performance.md): a no-syscall `tryNext` on every ring in turn; only when all are empty an awaited
 * worker-thread wait of at most `POLL_MS` on each idle ring, so the event loop stays free.
 *
 * A one-shot tool with a single ring and nothing else to serve (`capture -i IF`) can wait on the calling thread
 * instead (`inlineWait`), as tcpdump does: a worker-thread wait costs several thread wake-ups per block, which at low
 * rates outweighs the work on the block; the event loop still turns every `INLINE_YIELD_INTERVAL_MS` for signals and
 * timers.
 * @module
 */
import { emptySourceStats, type PacketBatch, type PacketSource, type SourceStats } from "./batch.ts";
import { CaptureError, codeFromStatus } from "../native/capture_error.ts";
import { RETIRE_TIMEOUT_MS_DEFAULT, Ring, type RingOpenOptions } from "../native/ring.ts";
import { Status } from "../native/abi.ts";
import { type ArenaBatch, createArenaBatch, walkBlockNative } from "../native/block_walk.ts";
import { pcapBlock, type PcapBlockResult } from "../native/pcap_block.ts";
import { type BlockCountsResult, countBlock } from "../native/block_counts.ts";
import { WakeCoalescer } from "./wake_coalescer.ts";
import type { AfPacketOptions } from "./afpacket_options.ts";

export type { AfPacketOptions };

/**
 * Longest an idle ring's worker-thread wait lasts. `stop()` and `close()` interrupt a wait at once, so this only sets
 * how often an idle source wakes: each wake costs an event-loop turn (0.1–0.7 ms of CPU here; an idle task went from
 * 5.2 to 1.8 ms/s of CPU when this went from 100 to 1000 ms).
 */
const POLL_MS = 1000;
/** Kernel counters cost a getsockopt each: refresh at most this often. */
const STATS_INTERVAL_MS = 1000;
/** Under sustained load blocks are always ready; a wait this often lets timers and signal handlers run. */
const YIELD_INTERVAL_MS = 20;
/**
 * Inline waits (`inlineWait`): how often the event loop turns for timers and signal handlers. A turn costs 0.1–0.7 ms
 * of CPU on a small VM (caches are cold after a sleep; bench/capture.sh), so a one-shot capture turns rarely. A signal
 * that arrives while the thread sleeps in the library interrupts the wait (EINTR) and turns the loop at once; one that
 * arrives while it works on a block waits for the next turn, so this bounds how late Ctrl-C can be handled.
 */
const INLINE_YIELD_INTERVAL_MS = 500;
/** After `stop()`, the wait for the kernel to retire the last partly filled block lasts its timeout plus this. */
const DRAIN_MARGIN_MS = 20;
/** Close waits this long for wait threads and ring closes to finish before giving up. */
const CLOSE_TIMEOUT_MS = 5000;

/** Kernel counters of one interface (PACKET_STATISTICS of its sockets, summed). */
export interface KernelCounters {
  kernelPackets: number;
  kernelDrops: number;
  kernelFreezes: number;
}

const ZERO_KERNEL_COUNTERS: KernelCounters = { kernelPackets: 0, kernelDrops: 0, kernelFreezes: 0 };

interface Slot {
  ring: Ring;
  interfaceIndex: number;
  socketIndex: number;
  /** A block a worker-thread wait returned, not yet handed out; -1 when none. */
  readyBlock: number;
  waiting: Promise<void> | null;
  /** Blocks handed out, in the order taken (the library releases in that order). */
  held: number[];
  releasedEarly: Set<number>;
}

interface Lease {
  slot: Slot;
  block: number;
}

let sourcesOpened = 0;

/** A fanout group id unique to this process and source, one per interface (a group binds one device). */
function fanoutGroupId(sourceSerial: number, interfaceIndex: number): number {
  return (Math.imul(Deno.pid, 2654435761) + sourceSerial * 64 + interfaceIndex) >>> 0 & 0xffff;
}

/** A live `PacketSource` over AF_PACKET rings; see the module doc. */
export class AfPacketSource implements PacketSource {
  readonly name: string;
  readonly interfaces: readonly string[];
  #slots: Slot[];
  #cursor = 0;
  #freeBatches: ArenaBatch[] = [];
  /** Batches handed out (all made by `createArenaBatch`), and the block each holds. */
  #leases = new Map<PacketBatch, Lease>();
  #packetsMax: number;
  #stats: SourceStats = emptySourceStats();
  /** Kernel counters per interface index (sum of that interface's fanout sockets). */
  #kernelByInterface: KernelCounters[];
  #statsAtMs = 0;
  #yieldAtMs = 0;
  #stopping = false;
  #closed = false;
  #closing: Promise<void> | null = null;
  #failure: CaptureError | null = null;
  #onIdle: (() => void) | null = null;
  readonly #inlineWait: boolean;
  readonly #summaries: boolean;
  readonly #yieldIntervalMs: number;
  readonly #retireTimeoutMs: number;
  readonly #coalescer: WakeCoalescer;
  /** Set by `stop()`: until then the source still waits for blocks the kernel retires; 0 means no drain. */
  #drainUntilMs = 0;

  private constructor(interfaces: readonly string[], slots: Slot[], options: AfPacketOptions) {
    this.interfaces = interfaces;
    this.#inlineWait = (options.inlineWait ?? false) && slots.length === 1;
    this.#summaries = options.summaries ?? false;
    this.#yieldIntervalMs = this.#inlineWait ? INLINE_YIELD_INTERVAL_MS : YIELD_INTERVAL_MS;
    this.#retireTimeoutMs = options.retireTimeoutMs ?? RETIRE_TIMEOUT_MS_DEFAULT;
    const coalesceMs = this.#inlineWait ? options.coalesceMs ?? 0 : 0;
    this.#coalescer = new WakeCoalescer(coalesceMs, slots[0]?.ring.info.blockCount ?? 1);
    this.name = interfaces.join(",");
    this.#slots = slots;
    this.#kernelByInterface = interfaces.map(() => ({ kernelPackets: 0, kernelDrops: 0, kernelFreezes: 0 }));
    const blockBytes = Math.max(...slots.map((slot) => slot.ring.info.blockBytes));
    // A packet takes at least a tpacket3_hdr + sockaddr_ll (> 64 bytes), so this bounds num_pkts.
    this.#packetsMax = Math.ceil(blockBytes / 64);
  }

  /**
   * Opens `fanoutCount` rings per interface.
   * @throws {CaptureError} from the first ring that fails (the others are closed first).
   */
  static open(options: AfPacketOptions): AfPacketSource {
    if (options.interfaces.length === 0) throw new CaptureError("invalid_argument", "No interface given");
    const fanoutCount = options.fanoutCount ?? 1;
    if (!Number.isInteger(fanoutCount) || fanoutCount < 1 || fanoutCount > 64) {
      throw new CaptureError("invalid_argument", `Fanout count ${fanoutCount} is outside 1..64`);
    }
    sourcesOpened += 1;
    const slots: Slot[] = [];
    try {
      options.interfaces.forEach((interfaceName, interfaceIndex) => {
        for (let socketIndex = 0; socketIndex < fanoutCount; socketIndex++) {
          const ring = Ring.open(ringOptions(options, interfaceName, fanoutGroupId(sourcesOpened, interfaceIndex)));
          slots.push({
            ring,
            interfaceIndex,
            socketIndex,
            readyBlock: -1,
            waiting: null,
            held: [],
            releasedEarly: new Set(),
          });
        }
      });
    } catch (error) {
      for (const slot of slots) slot.ring.close();
      throw error;
    }
    return new AfPacketSource([...options.interfaces], slots, options);
  }

  /** Ring geometry of the first socket (all sockets share the options). */
  get ringInfo(): Ring["info"] {
    return this.#slots[0].ring.info;
  }

  /** The link type every ring captures on; -1 when the interfaces differ. */
  get linkType(): number {
    const linkType = this.#slots[0].ring.info.linkType;
    return this.#slots.every((slot) => slot.ring.info.linkType === linkType) ? linkType : -1;
  }

  /** Index of the fanout socket (within its interface) a batch came from. */
  socketIndexOf(batch: PacketBatch): number {
    return this.#leases.get(batch)?.slot.socketIndex ?? -1;
  }

  /** Next batch; `null` after `close()`, or once `stop()` was called and every retired block was handed out. */
  async next(): Promise<PacketBatch | null> {
    const taken = await this.#nextBlock();
    return taken === null ? null : this.#lease(taken.slot, taken.block);
  }

  /**
   * The `capture -w` fast path: the pcap records (`PcapRecordsFlag` bits in `flags`) of at most `packetsMax` packets
   * of the next retired block, written to `out` (at least `ringInfo.blockBytes` long) by one library call; the block
   * goes back to the kernel at once. `null` like `next()`. The result is reused by the next call.
   */
  async nextRecords(out: Uint8Array, flags: number, packetsMax: number): Promise<PcapBlockResult | null> {
    const taken = await this.#nextBlock();
    return taken === null ? null : this.#convert(taken.slot, taken.block, out, flags, packetsMax);
  }

  /**
   * The `capture -q --summary` fast path: the counters (packets, bytes, protocol classes, malformed packets) of at
   * most `packetsMax` packets of the next retired block, from one library call; the block goes back to the kernel at
   * once. `null` like `next()`. The result is reused by the next call.
   */
  async nextCounts(packetsMax: number): Promise<BlockCountsResult | null> {
    const taken = await this.#nextBlock();
    return taken === null ? null : this.#count(taken.slot, taken.block, packetsMax);
  }

  /** The next retired block of any ring, waiting as needed; null when the source is done. */
  async #nextBlock(): Promise<Lease | null> {
    for (;;) {
      if (this.#closed) return null;
      if (this.#failure) throw this.#failure;
      if (this.#stopping) await this.#settleWaits();
      else if (Date.now() - this.#yieldAtMs > this.#yieldIntervalMs) await this.#waitAny(0);
      const taken = this.#takeBlock();
      if (taken) {
        this.#coalescer.taken();
        return taken;
      }
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
    await this.#waitAny(timeoutMs);
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
    this.#releaseBlock(lease.slot, lease.block);
    if (this.#leases.size === 0 && this.#onIdle) this.#onIdle();
  }

  /** The library releases a ring's blocks in the order taken: a block released early waits for the older ones. */
  #releaseBlock(slot: Slot, block: number): void {
    slot.releasedEarly.add(block);
    while (slot.held.length > 0 && slot.releasedEarly.has(slot.held[0])) {
      const oldest = slot.held.shift()!;
      slot.releasedEarly.delete(oldest);
      slot.ring.release(oldest);
    }
  }

  /** Counters; kernel counters are refreshed at most once a second (and once more at close). */
  stats(): SourceStats {
    if (!this.#closed && !this.#closing) this.#refreshStats(false);
    return { ...this.#stats };
  }

  /** Kernel counters per interface (indexed like `interfaces`), refreshed like `stats()`. */
  kernelStatsByInterface(): KernelCounters[] {
    if (!this.#closed && !this.#closing) this.#refreshStats(false);
    return this.#kernelByInterface.map((counters) => ({ ...counters }));
  }

  /**
   * Stops: `next()` hands out the blocks already retired and those the kernel retires within one retire timeout
   * (the partly filled block holding the last packets), then returns `null`. Nothing captured before is lost.
   */
  stop(): void {
    if (!this.#stopping) this.#drainUntilMs = Date.now() + this.#retireTimeoutMs + DRAIN_MARGIN_MS;
    this.#stopping = true;
    for (const slot of this.#slots) slot.ring.interrupt();
  }

  /** Interrupts waiters, waits for outstanding batches to be released, then closes every ring. */
  close(): Promise<void> {
    this.#closing ??= this.#closeAll();
    return this.#closing;
  }

  async #closeAll(): Promise<void> {
    this.#stopping = true;
    for (const slot of this.#slots) slot.ring.interrupt();
    await this.#settleWaits();
    this.#closed = true;
    for (const slot of this.#slots) {
      if (slot.readyBlock >= 0) slot.ring.release(slot.readyBlock);
      slot.readyBlock = -1;
    }
    if (this.#leases.size > 0) await new Promise<void>((resolve) => (this.#onIdle = resolve));
    this.#refreshStats(true);
    const deadline = Date.now() + CLOSE_TIMEOUT_MS;
    for (const slot of this.#slots) {
      // The library refuses (busy) while a wait thread is still leaving; never unmap under a live view.
      while (!slot.ring.close()) {
        if (Date.now() > deadline) throw new CaptureError("busy", `Cannot close ring on "${slot.ring.interfaceName}"`);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    }
    // Pooled batches still point at the unmapped ring: make any late access read nothing instead of crashing.
    for (const batch of this.#freeBatches) {
      batch.count = 0;
      batch.data = new Uint8Array(0);
    }
  }

  #takeBlock(): Lease | null {
    const count = this.#slots.length;
    for (let k = 0; k < count; k++) {
      const slot = this.#slots[(this.#cursor + k) % count];
      let block = -1;
      if (slot.readyBlock >= 0) {
        block = slot.readyBlock;
        slot.readyBlock = -1;
      } else if (slot.waiting === null) {
        block = this.#checked(slot, slot.ring.tryNext());
      }
      if (block >= 0) {
        this.#cursor = (this.#cursor + k + 1) % count;
        return { slot, block };
      }
    }
    return null;
  }

  /** Passes a block index through; turns a fatal status into `#failure`, ends quiet ones as -1. */
  #checked(slot: Slot, result: number): number {
    if (result >= 0 || result === Status.timeout || result === Status.interrupted) return result;
    const code = codeFromStatus(result);
    this.#failure ??= new CaptureError(code, `Capture on "${slot.ring.interfaceName}" failed: ${code}`);
    return -1;
  }

  #lease(slot: Slot, block: number): PacketBatch {
    // A ring's link type is always one the library summarises (Ethernet or raw IP; cap_ring_open refuses others).
    const batch = this.#freeBatches.pop() ?? createArenaBatch(this.#packetsMax, undefined, this.#summaries);
    const { ring } = slot;
    const blockBytes = ring.info.blockBytes;
    batch.data = ring.bytes;
    batch.interfaceIndex = slot.interfaceIndex;
    batch.linkType = ring.info.linkType;
    // One library call walks the block's headers into the batch's arrays (walkBlock in Zig), with summaries
    // decoded when asked.
    const blockStart = block * blockBytes;
    const walk = walkBlockNative(ring.bytes.subarray(blockStart, blockStart + blockBytes), blockStart, batch);
    this.#stats.readErrors += walk.badPackets;
    this.#stats.packets += batch.count;
    this.#stats.bytes += walk.wireBytes;
    slot.held.push(block);
    this.#leases.set(batch, { slot, block });
    return batch;
  }

  #convert(slot: Slot, block: number, out: Uint8Array, flags: number, packetsMax: number): PcapBlockResult {
    const { ring } = slot;
    const blockBytes = ring.info.blockBytes;
    slot.held.push(block);
    try {
      const result = pcapBlock(
        ring.bytes.subarray(block * blockBytes, (block + 1) * blockBytes),
        out,
        flags,
        packetsMax,
      );
      this.#stats.readErrors += result.badPackets;
      this.#stats.packets += result.packets;
      this.#stats.bytes += result.wireBytes;
      return result;
    } finally {
      this.#releaseBlock(slot, block);
    }
  }

  #count(slot: Slot, block: number, packetsMax: number): BlockCountsResult {
    const { ring } = slot;
    const blockBytes = ring.info.blockBytes;
    slot.held.push(block);
    try {
      const counts = countBlock(
        ring.bytes.subarray(block * blockBytes, (block + 1) * blockBytes),
        ring.info.linkType,
        packetsMax,
      );
      this.#stats.readErrors += counts.badPackets;
      this.#stats.packets += counts.packets;
      this.#stats.bytes += counts.wireBytes;
      return counts;
    } finally {
      this.#releaseBlock(slot, block);
    }
  }

  /** Starts a worker-thread wait on every idle ring and returns when the first one ends. */
  async #waitAny(timeoutMs: number): Promise<void> {
    if (this.#inlineWait) return this.#waitInline(timeoutMs);
    this.#yieldAtMs = Date.now();
    const waits: Promise<void>[] = [];
    for (const slot of this.#slots) {
      // A slot holding a ready block must not take another: the ready one would be lost.
      if (slot.readyBlock >= 0) continue;
      slot.waiting ??= slot.ring.next(timeoutMs).then((result) => {
        slot.waiting = null;
        const block = this.#checked(slot, result);
        if (block >= 0) slot.readyBlock = block;
      });
      waits.push(slot.waiting);
    }
    if (waits.length > 0) await Promise.race(waits);
  }

  /** The single ring's wait on this thread; the event loop turns once `INLINE_YIELD_INTERVAL_MS` have passed. */
  async #waitInline(timeoutMs: number): Promise<void> {
    const slot = this.#slots[0];
    const untilYieldMs = this.#yieldAtMs + INLINE_YIELD_INTERVAL_MS - Date.now();
    let interrupted = false;
    if (timeoutMs > 0 && untilYieldMs > 0 && slot.readyBlock < 0) {
      const napMs = this.#stopping ? 0 : Math.min(this.#coalescer.napMs(Date.now()), timeoutMs, untilYieldMs);
      const waitMs = Math.min(timeoutMs, untilYieldMs);
      const block = this.#checked(slot, napMs > 0 ? slot.ring.napSync(napMs) : slot.ring.nextSync(waitMs));
      if (block >= 0) slot.readyBlock = block;
      // A signal (EINTR: the main thread takes process signals) or `wake()`: its handler runs on the event loop.
      interrupted = block === Status.interrupted;
    }
    if (!interrupted && Date.now() - this.#yieldAtMs < INLINE_YIELD_INTERVAL_MS) return;
    this.#yieldAtMs = Date.now();
    await new Promise((resolve) => setTimeout(resolve, 0));
  }

  async #settleWaits(): Promise<void> {
    const waits = this.#slots.map((slot) => slot.waiting).filter((wait) => wait !== null);
    if (waits.length > 0) await Promise.all(waits);
  }

  #refreshStats(force: boolean): void {
    const nowMs = Date.now();
    if (!force && nowMs - this.#statsAtMs < STATS_INTERVAL_MS) return;
    this.#statsAtMs = nowMs;
    let packets = 0, drops = 0, freezes = 0;
    // Rings count cumulatively: each refresh recomputes the per-interface sums; once any ring is closed they keep
    // their last values.
    const complete = this.#slots.every((slot) => slot.ring.isOpen);
    if (complete) { for (const counters of this.#kernelByInterface) Object.assign(counters, ZERO_KERNEL_COUNTERS); }
    for (const slot of this.#slots) {
      if (!slot.ring.isOpen) continue;
      const ringStats = slot.ring.stats();
      packets += ringStats.packets;
      drops += ringStats.drops;
      freezes += ringStats.freezes;
      if (!complete) continue;
      const counters = this.#kernelByInterface[slot.interfaceIndex]!;
      counters.kernelPackets += ringStats.packets;
      counters.kernelDrops += ringStats.drops;
      counters.kernelFreezes += ringStats.freezes;
    }
    this.#stats.kernelPackets = packets;
    this.#stats.kernelDrops = drops;
    this.#stats.kernelFreezes = freezes;
  }
}

function ringOptions(options: AfPacketOptions, interfaceName: string, fanoutGroup: number): RingOpenOptions {
  const fanout = (options.fanoutCount ?? 1) > 1;
  return {
    interfaceName,
    filter: options.filter,
    snaplenBytes: options.snaplenBytes,
    blockBytes: options.blockBytes,
    blockCount: options.blockCount,
    frameBytes: options.frameBytes,
    retireTimeoutMs: options.retireTimeoutMs,
    fanoutMode: fanout ? options.fanoutMode ?? "hash" : "none",
    fanoutGroup: fanout ? fanoutGroup : 0,
    promiscuous: options.promiscuous,
  };
}
