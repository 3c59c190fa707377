/**
 * The rings of one `AfPacketSource` (src/capture/afpacket.ts): a TPACKET_V3 ring of the capture library per
 * interface × PACKET_FANOUT socket, opened together, taken from in turn, waited on together and closed together.
 *
 * Loop shape (performance.md): a no-syscall `tryNext` on every ring in turn (`take`); only when all are empty an
 * awaited worker-thread wait of at most the caller's timeout on each idle ring (`waitAny`), so the event loop stays
 * free.
 *
 * A one-shot tool with a single ring and nothing else to serve (`capture -i IF`) can wait on the calling thread
 * instead (`inlineWait`), as tcpdump does: a worker-thread wait costs several thread wake-ups per block, which at low
 * rates outweighs the work on the block; the event loop still turns every `INLINE_YIELD_INTERVAL_MS` for signals and
 * timers.
 * @module
 */
import { CaptureError, codeFromStatus } from "../native/capture_error.ts";
import { Ring, type RingOpenOptions } from "../native/ring.ts";
import { Status } from "../native/abi.ts";
import { WakeCoalescer } from "./wake_coalescer.ts";
import { type AfPacketOptions, FANOUT_SOCKETS_MAX } from "./afpacket_options.ts";

/** Under sustained load blocks are always ready; a wait this often lets timers and signal handlers run. */
const YIELD_INTERVAL_MS = 20;
/**
 * Inline waits (`inlineWait`): how often the event loop turns for timers and signal handlers. A turn costs 0.1–0.7 ms
 * of CPU on a small VM (caches are cold after a sleep; bench/capture.sh), so a one-shot capture turns rarely. A signal
 * that arrives while the thread sleeps in the library interrupts the wait (EINTR) and turns the loop at once; one that
 * arrives while it works on a block waits for the next turn, so this bounds how late Ctrl-C can be handled.
 */
const INLINE_YIELD_INTERVAL_MS = 500;
/** Close waits this long for wait threads and ring closes to finish before giving up. */
const CLOSE_TIMEOUT_MS = 5000;

/** One ring of a `RingSet` and its block bookkeeping. */
export interface RingSlot {
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

/** A retired block taken from a ring, held until `RingSet.release`. */
export interface RingBlock {
  slot: RingSlot;
  block: number;
}

let ringSetsOpened = 0;

/** A fanout group id unique to this process and ring set, one per interface (a group binds one device). */
function fanoutGroupId(setSerial: number, interfaceIndex: number): number {
  return (Math.imul(Deno.pid, 2654435761) + setSerial * 64 + interfaceIndex) >>> 0 & 0xffff;
}

/** The rings of a live source and the waits on them; see the module doc. */
export class RingSet {
  /** Every ring, interface by interface, fanout sockets of an interface in order. */
  readonly slots: readonly RingSlot[];
  #cursor = 0;
  #failure: CaptureError | null = null;
  #yieldAtMs = 0;
  readonly #inlineWait: boolean;
  readonly #yieldIntervalMs: number;
  readonly #coalescer: WakeCoalescer;

  private constructor(slots: RingSlot[], options: AfPacketOptions) {
    this.slots = slots;
    this.#inlineWait = (options.inlineWait ?? false) && slots.length === 1;
    this.#yieldIntervalMs = this.#inlineWait ? INLINE_YIELD_INTERVAL_MS : YIELD_INTERVAL_MS;
    const coalesceMs = this.#inlineWait ? options.coalesceMs ?? 0 : 0;
    this.#coalescer = new WakeCoalescer(coalesceMs, slots[0]?.ring.info.blockCount ?? 1);
  }

  /**
   * Opens `fanoutCount` rings per interface.
   * @throws {CaptureError} from the first ring that fails (the others are closed first).
   */
  static open(options: AfPacketOptions): RingSet {
    if (options.interfaces.length === 0) throw new CaptureError("invalid_argument", "No interface given");
    const fanoutCount = options.fanoutCount ?? 1;
    if (!Number.isInteger(fanoutCount) || fanoutCount < 1 || fanoutCount > FANOUT_SOCKETS_MAX) {
      throw new CaptureError("invalid_argument", `Fanout count ${fanoutCount} is outside 1..${FANOUT_SOCKETS_MAX}`);
    }
    ringSetsOpened += 1;
    const slots: RingSlot[] = [];
    try {
      options.interfaces.forEach((interfaceName, interfaceIndex) => {
        for (let socketIndex = 0; socketIndex < fanoutCount; socketIndex++) {
          const ring = Ring.open(ringOptions(options, interfaceName, fanoutGroupId(ringSetsOpened, interfaceIndex)));
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
    return new RingSet(slots, options);
  }

  /** The first fatal error a ring reported (timeouts and interruptions are not errors); null while none. */
  get failure(): CaptureError | null {
    return this.#failure;
  }

  /** True when the event loop has not turned for the yield interval (20 ms; 500 ms with inline waits). */
  yieldDue(): boolean {
    return Date.now() - this.#yieldAtMs > this.#yieldIntervalMs;
  }

  /** A retired block of the next ring in turn that has one, without a syscall or a wait; null when none has. */
  take(): RingBlock | null {
    const count = this.slots.length;
    for (let k = 0; k < count; k++) {
      const slot = this.slots[(this.#cursor + k) % count];
      let block = -1;
      if (slot.readyBlock >= 0) {
        block = slot.readyBlock;
        slot.readyBlock = -1;
      } else if (slot.waiting === null) {
        block = this.#checked(slot, slot.ring.tryNext());
      }
      if (block >= 0) {
        this.#cursor = (this.#cursor + k + 1) % count;
        slot.held.push(block);
        this.#coalescer.taken();
        return { slot, block };
      }
    }
    return null;
  }

  /** The library releases a ring's blocks in the order taken: a block released early waits for the older ones. */
  release(slot: RingSlot, block: number): void {
    slot.releasedEarly.add(block);
    while (slot.held.length > 0 && slot.releasedEarly.has(slot.held[0])) {
      const oldest = slot.held.shift()!;
      slot.releasedEarly.delete(oldest);
      slot.ring.release(oldest);
    }
  }

  /**
   * Starts a worker-thread wait on every idle ring and returns when the first one ends; with inline waits, waits on
   * this thread instead. `mayNap`: an inline wait may nap to coalesce wake-ups (not while stopping).
   */
  async waitAny(timeoutMs: number, mayNap: boolean): Promise<void> {
    if (this.#inlineWait) return this.#waitInline(timeoutMs, mayNap);
    this.#yieldAtMs = Date.now();
    const waits: Promise<void>[] = [];
    for (const slot of this.slots) {
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
  async #waitInline(timeoutMs: number, mayNap: boolean): Promise<void> {
    const slot = this.slots[0];
    const untilYieldMs = this.#yieldAtMs + INLINE_YIELD_INTERVAL_MS - Date.now();
    let interrupted = false;
    if (timeoutMs > 0 && untilYieldMs > 0 && slot.readyBlock < 0) {
      const napMs = mayNap ? Math.min(this.#coalescer.napMs(Date.now()), timeoutMs, untilYieldMs) : 0;
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

  /** Resolves once no worker-thread wait is running. */
  async settle(): Promise<void> {
    const waits = this.slots.map((slot) => slot.waiting).filter((wait) => wait !== null);
    if (waits.length > 0) await Promise.all(waits);
  }

  /** Ends every running wait at once (they return "interrupted"). */
  interrupt(): void {
    for (const slot of this.slots) slot.ring.interrupt();
  }

  /** Gives back blocks a wait returned that were never taken (before close). */
  releaseReady(): void {
    for (const slot of this.slots) {
      if (slot.readyBlock >= 0) slot.ring.release(slot.readyBlock);
      slot.readyBlock = -1;
    }
  }

  /**
   * Closes every ring, retrying while a wait thread is still leaving.
   * @throws {CaptureError} "busy" when a ring stays busy for `CLOSE_TIMEOUT_MS`.
   */
  async close(): Promise<void> {
    const deadline = Date.now() + CLOSE_TIMEOUT_MS;
    for (const slot of this.slots) {
      // The library refuses (busy) while a wait thread is still leaving; never unmap under a live view.
      while (!slot.ring.close()) {
        if (Date.now() > deadline) throw new CaptureError("busy", `Cannot close ring on "${slot.ring.interfaceName}"`);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    }
  }

  /** Passes a block index through; turns a fatal status into `failure`, ends quiet ones as -1. */
  #checked(slot: RingSlot, result: number): number {
    if (result >= 0 || result === Status.timeout || result === Status.interrupted) return result;
    const code = codeFromStatus(result);
    this.#failure ??= new CaptureError(code, `Capture on "${slot.ring.interfaceName}" failed: ${code}`);
    return -1;
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
