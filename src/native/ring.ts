/**
 * A TPACKET_V3 receive ring of the capture library. One `Uint8Array`/`DataView` covers the whole mmap and
 * is built once at open; block `i` starts at `i * blockBytes`. Bytes of a block taken with `next`/`tryNext`
 * are valid until `release` of that block; after `close` the views are empty and must not be used.
 * @module
 */
import {
  ErrorInfo,
  FanoutFlag,
  FanoutMode,
  RingFlag,
  RingInfo as RingInfoLayout,
  RingOptions as RingOptionsLayout,
  RingStats as RingStatsLayout,
  Status,
} from "./abi.ts";
import { CaptureError, codeFromStatus, withSetcapHint } from "./capture_error.ts";
import { captureLibrary, cString, readCString } from "./lib.ts";

export { FanoutMode };
/** A PACKET_FANOUT mode name (`FanoutMode` of abi.ts). */
export type FanoutModeName = keyof typeof FanoutMode;

/** The kernel retires a block that is not full after this long (`tp_retire_blk_tov`). */
export const RETIRE_TIMEOUT_MS_DEFAULT = 20;

/** Options of `Ring.open`; limits are validated by the library (docs/abi.md). */
export interface RingOpenOptions {
  interfaceName: string;
  /** tcpdump syntax; empty or absent = every packet. */
  filter?: string;
  /** @default 1 MiB */
  blockBytes?: number;
  /** @default 8 */
  blockCount?: number;
  /** @default 2048 */
  frameBytes?: number;
  /** @default 20 */
  retireTimeoutMs?: number;
  /** @default 262144 */
  snaplenBytes?: number;
  /** @default "none" */
  fanoutMode?: FanoutModeName;
  /** @default 0 */
  fanoutGroup?: number;
  /** @default false */
  fanoutDefrag?: boolean;
  /** @default true */
  promiscuous?: boolean;
}

/** Geometry the library obtained (`RingInfo`). */
export interface RingInfo {
  mapBytes: number;
  blockBytes: number;
  blockCount: number;
  frameBytes: number;
  snaplenBytes: number;
  ifindex: number;
  filterInstructions: number;
  linkType: number;
}

/** Cumulative kernel counters since open (`RingStats`). */
export interface RingStats {
  packets: number;
  drops: number;
  freezes: number;
  blocksReleased: number;
}

/** Throws the `CaptureError` described by a filled `ErrorInfo`. */
export function throwErrorInfo(info: Uint8Array, fallbackStatus: number): never {
  const view = new DataView(info.buffer, info.byteOffset, info.byteLength);
  const status = view.getInt32(ErrorInfo.status.offset, true) || fallbackStatus;
  const message = readCString(info, ErrorInfo.message.offset, ErrorInfo.message.size) ||
    `capture library status ${status}`;
  const code = codeFromStatus(status);
  throw new CaptureError(code, withSetcapHint(code, message));
}

function encodeOptions(options: RingOpenOptions): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(RingOptionsLayout.size);
  const view = new DataView(bytes.buffer);
  const name = new TextEncoder().encode(options.interfaceName);
  if (name.length >= RingOptionsLayout.ifname.size || name.length === 0) {
    throw new CaptureError("invalid_argument", `Invalid interface name "${options.interfaceName}"`);
  }
  bytes.set(name, RingOptionsLayout.ifname.offset);
  view.setUint32(RingOptionsLayout.block_bytes.offset, options.blockBytes ?? 1 << 20, true);
  view.setUint32(RingOptionsLayout.block_count.offset, options.blockCount ?? 8, true);
  view.setUint32(RingOptionsLayout.frame_bytes.offset, options.frameBytes ?? 2048, true);
  view.setUint32(
    RingOptionsLayout.retire_timeout_ms.offset,
    options.retireTimeoutMs ?? RETIRE_TIMEOUT_MS_DEFAULT,
    true,
  );
  view.setUint32(RingOptionsLayout.snaplen_bytes.offset, options.snaplenBytes ?? 262144, true);
  view.setUint16(RingOptionsLayout.fanout_group.offset, options.fanoutGroup ?? 0, true);
  view.setUint16(RingOptionsLayout.fanout_mode.offset, FanoutMode[options.fanoutMode ?? "none"], true);
  view.setUint32(RingOptionsLayout.fanout_flags.offset, options.fanoutDefrag ? FanoutFlag.DEFRAG : 0, true);
  view.setUint32(RingOptionsLayout.flags.offset, options.promiscuous === false ? 0 : RingFlag.PROMISCUOUS, true);
  return bytes;
}

function decodeInfo(bytes: Uint8Array): RingInfo & { mapAddress: bigint } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return {
    mapAddress: view.getBigUint64(RingInfoLayout.map_address.offset, true),
    mapBytes: Number(view.getBigUint64(RingInfoLayout.map_bytes.offset, true)),
    blockBytes: view.getUint32(RingInfoLayout.block_bytes.offset, true),
    blockCount: view.getUint32(RingInfoLayout.block_count.offset, true),
    frameBytes: view.getUint32(RingInfoLayout.frame_bytes.offset, true),
    snaplenBytes: view.getUint32(RingInfoLayout.snaplen_bytes.offset, true),
    ifindex: view.getInt32(RingInfoLayout.ifindex.offset, true),
    filterInstructions: view.getUint32(RingInfoLayout.filter_instructions.offset, true),
    linkType: view.getUint32(RingInfoLayout.link_type.offset, true),
  };
}

/** A TPACKET_V3 RX ring; see the module doc for the lifetime of block bytes. */
export class Ring {
  /** The interface this ring reads. */
  readonly interfaceName: string;
  /** Geometry obtained from the library. */
  readonly info: RingInfo;
  /** The whole ring; block `i` is `bytes.subarray(i * blockBytes, (i + 1) * blockBytes)`. Empty after close. */
  bytes: Uint8Array;
  /** A DataView over `bytes` (little-endian kernel headers). */
  view: DataView;
  #handle: Deno.PointerObject | null;
  #statsBytes = new Uint8Array(RingStatsLayout.size);
  #statsView = new DataView(this.#statsBytes.buffer);

  private constructor(interfaceName: string, handle: Deno.PointerObject, info: RingInfo & { mapAddress: bigint }) {
    this.interfaceName = interfaceName;
    this.#handle = handle;
    const { mapAddress, ...geometry } = info;
    this.info = geometry;
    const pointer = Deno.UnsafePointer.create(mapAddress);
    if (pointer === null) throw new CaptureError("unexpected", `Ring on "${interfaceName}" has no mapping`);
    const buffer = Deno.UnsafePointerView.getArrayBuffer(pointer, info.mapBytes);
    this.bytes = new Uint8Array(buffer);
    this.view = new DataView(buffer);
  }

  /**
   * Opens a ring (socket, filter, ring, mmap, bind, promiscuous mode, fanout).
   * @throws {CaptureError} with the library's status and message, e.g. `no_such_device`.
   */
  static open(options: RingOpenOptions): Ring {
    const lib = captureLibrary();
    const errorInfo = new Uint8Array(ErrorInfo.size);
    const handle = lib.cap_ring_open(encodeOptions(options), cString(options.filter ?? ""), errorInfo);
    if (handle === null) throwErrorInfo(errorInfo, Status.unexpected);
    const infoBytes = new Uint8Array(RingInfoLayout.size);
    const status = lib.cap_ring_info(handle, infoBytes);
    if (status < 0) {
      lib.cap_ring_close(handle);
      throw new CaptureError(codeFromStatus(status), `Cannot read ring info on "${options.interfaceName}"`);
    }
    return new Ring(options.interfaceName, handle, decodeInfo(infoBytes));
  }

  #live(): Deno.PointerObject {
    if (this.#handle === null) throw new CaptureError("closed", `Ring on "${this.interfaceName}" is closed`);
    return this.#handle;
  }

  /** Index of the next retired block without any syscall, or a negative status (`timeout` when none). */
  tryNext(): number {
    return captureLibrary().cap_ring_try_next(this.#live());
  }

  /** Waits up to `timeoutMs` on a worker thread for the next block; index or a negative status. */
  next(timeoutMs: number): Promise<number> {
    return captureLibrary().cap_ring_next_nonblocking(this.#live(), timeoutMs);
  }

  /** Waits up to `timeoutMs` on the calling thread (blocks the event loop; for workers and tests). */
  nextSync(timeoutMs: number): number {
    return captureLibrary().cap_ring_next(this.#live(), timeoutMs);
  }

  /**
   * Sleeps on this thread for `timeoutMs` (0–10,000) even if blocks retire meanwhile; returns `Status.timeout`, or
   * `Status.interrupted` after `interrupt()` or a signal. Lets a reader take several blocks per wake-up.
   */
  napSync(timeoutMs: number): number {
    return captureLibrary().cap_ring_nap(this.#live(), timeoutMs);
  }

  /** Hands block `index` back to the kernel; blocks are released in the order they were taken. */
  release(index: number): void {
    const status = captureLibrary().cap_ring_release(this.#live(), index);
    if (status < 0) {
      throw new CaptureError(codeFromStatus(status), `Cannot release block ${index} on "${this.interfaceName}"`);
    }
  }

  /** Cumulative kernel counters (a getsockopt: call at most once a second). */
  stats(): RingStats {
    const status = captureLibrary().cap_ring_stats(this.#live(), this.#statsBytes);
    if (status < 0) throw new CaptureError(codeFromStatus(status), `Cannot read stats on "${this.interfaceName}"`);
    const view = this.#statsView;
    return {
      packets: Number(view.getBigUint64(RingStatsLayout.packets.offset, true)),
      drops: Number(view.getBigUint64(RingStatsLayout.drops.offset, true)),
      freezes: Number(view.getBigUint64(RingStatsLayout.freezes.offset, true)),
      blocksReleased: Number(view.getBigUint64(RingStatsLayout.blocks_released.offset, true)),
    };
  }

  /** Wakes a waiter in `next`/`nextSync`, which returns `interrupted`. */
  interrupt(): void {
    if (this.#handle !== null) captureLibrary().cap_ring_interrupt(this.#handle);
  }

  /**
   * Closes the ring. Returns false (and keeps it open) while blocks are held or a wait is in flight.
   * After true the views are empty: the mapping is gone.
   */
  close(): boolean {
    if (this.#handle === null) return true;
    const status = captureLibrary().cap_ring_close(this.#handle);
    if (status === Status.busy) return false;
    this.#handle = null;
    this.bytes = new Uint8Array(0);
    this.view = new DataView(this.bytes.buffer);
    if (status < 0) throw new CaptureError(codeFromStatus(status), `Cannot close ring on "${this.interfaceName}"`);
    return true;
  }

  /** True until `close` succeeded. */
  get isOpen(): boolean {
    return this.#handle !== null;
  }
}
