/**
 * Kernel counters of a live source (PACKET_STATISTICS of its AF_PACKET sockets): the total and the sum per
 * interface, read from the rings on demand (a getsockopt each, so callers throttle).
 * @module
 */
import type { Ring } from "../native/ring.ts";

/** Kernel counters of one interface (PACKET_STATISTICS of its sockets, summed). */
export interface KernelCounters {
  kernelPackets: number;
  kernelDrops: number;
  kernelFreezes: number;
}

/** A ring and the index of the interface it captures on. */
export interface CountedRing {
  readonly ring: Ring;
  readonly interfaceIndex: number;
}

const ZERO_KERNEL_COUNTERS: KernelCounters = { kernelPackets: 0, kernelDrops: 0, kernelFreezes: 0 };

/** The per-interface sums of a fixed set of interfaces, as of the last `refresh`. */
export class KernelCounterSums {
  /** Kernel counters per interface index (sum of that interface's fanout sockets). */
  readonly #byInterface: KernelCounters[];

  /** Sums for interfaces 0 .. `interfacesCount` - 1, all zero until the first refresh. */
  constructor(interfacesCount: number) {
    this.#byInterface = Array.from({ length: interfacesCount }, () => ({ ...ZERO_KERNEL_COUNTERS }));
  }

  /** Reads every open ring's kernel counters into `total` and, while every ring is open, the per-interface sums. */
  refresh(rings: readonly CountedRing[], total: KernelCounters): void {
    let packets = 0, drops = 0, freezes = 0;
    // Rings count cumulatively: each refresh recomputes the per-interface sums; once any ring is closed they keep
    // their last values.
    const complete = rings.every(({ ring }) => ring.isOpen);
    if (complete) { for (const counters of this.#byInterface) Object.assign(counters, ZERO_KERNEL_COUNTERS); }
    for (const { ring, interfaceIndex } of rings) {
      if (!ring.isOpen) continue;
      const ringStats = ring.stats();
      packets += ringStats.packets;
      drops += ringStats.drops;
      freezes += ringStats.freezes;
      if (!complete) continue;
      const counters = this.#byInterface[interfaceIndex]!;
      counters.kernelPackets += ringStats.packets;
      counters.kernelDrops += ringStats.drops;
      counters.kernelFreezes += ringStats.freezes;
    }
    total.kernelPackets = packets;
    total.kernelDrops = drops;
    total.kernelFreezes = freezes;
  }

  /** Copies of the per-interface sums, indexed like the interfaces. */
  byInterface(): KernelCounters[] {
    return this.#byInterface.map((counters) => ({ ...counters }));
  }
}
