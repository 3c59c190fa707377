/**
 * How long a one-shot reader sleeps before taking blocks, so that one wake-up serves several ring blocks.
 *
 * On a small VM a wake-up of the Deno process costs far more than the packets of a block (bench/capture.sh at 100 kpps:
 * ≈ 0.3 ms of CPU a wake-up with cold caches, against ≈ 0.15 ms for the ≈ 6,000 packets of a 1 MiB block). A reader
 * that polls wakes once per retired block; a reader that naps `coalesceMs` between takes wakes a few times a second at
 * any rate. The nap is bounded by the ring's headroom at the rate just seen, so the ring never fills more than
 * `1 / HEADROOM_DIVISOR` while the reader sleeps, and there is no nap after a wait that brought nothing (idle links
 * wait on the socket, not on a timer).
 *
 * @module
 */

/** The ring may fill at most this fraction (1/N) during a nap. */
const HEADROOM_DIVISOR = 4;

/** Nap lengths for one ring; `napMs` is called when a wait starts, `taken` for every block taken. */
export class WakeCoalescer {
  readonly #coalesceMs: number;
  readonly #headroomBlocks: number;
  #cycleStartMs = -1;
  #blocksInCycle = 0;

  /** `coalesceMs` 0 turns napping off; `blockCount` is the ring's. */
  constructor(coalesceMs: number, blockCount: number) {
    if (!(coalesceMs >= 0) || !(blockCount >= 1)) throw new RangeError("coalesceMs >= 0 and blockCount >= 1");
    this.#coalesceMs = coalesceMs;
    this.#headroomBlocks = Math.max(1, Math.floor(blockCount / HEADROOM_DIVISOR));
  }

  /** A block was taken since the last wait started. */
  taken(): void {
    this.#blocksInCycle++;
  }

  /**
   * A wait starts at `nowMs`: the milliseconds to nap before looking at the ring (0: wait for the next block). The
   * rate is the blocks taken since the previous wait started, over the time since then (its wait included).
   */
  napMs(nowMs: number): number {
    const blocks = this.#blocksInCycle;
    const elapsedMs = this.#cycleStartMs < 0 ? 0 : nowMs - this.#cycleStartMs;
    this.#cycleStartMs = nowMs;
    this.#blocksInCycle = 0;
    if (this.#coalesceMs === 0 || blocks === 0 || elapsedMs <= 0) return 0;
    return Math.floor(Math.min(this.#coalesceMs, (this.#headroomBlocks * elapsedMs) / blocks));
  }
}
