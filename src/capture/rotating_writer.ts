/**
 * A capture writer that rotates files like tcpdump: `rotateSeconds` (-G) starts a new file named from a strftime
 * template (`trace-%Y%m%d-%H%M%S.pcap`), `rotateMegabytes` (-C, 1 MB = 1,000,000 bytes) starts a new file with a
 * number appended, and `fileCountMax` (-W) bounds the files: with -C alone numbering wraps and old files are
 * overwritten; with -G the writer stops after that many files (tcpdump exits there) and counts skipped packets.
 * @module
 */

import type { PacketBatch } from "./batch.ts";
import { type CaptureWriter, createPcapWriter, PcapWriter, type PcapWriterOptions } from "./pcap_writer.ts";
import { createPcapngWriter, type PcapngWriterOptions } from "./pcapng_writer.ts";

/** Options of `createRotatingWriter`. */
export interface RotatingWriterOptions {
  /** File name, with strftime conversions (%Y %m %d %H %M %S %y %j %s %%) expanded when `rotateSeconds` is set. */
  path: string;
  /** @default "pcap" */
  format?: "pcap" | "pcapng";
  /** Start a new file when this many seconds passed since the current one was opened (-G). */
  rotateSeconds?: number;
  /** Start a new file before a packet once the current one exceeds this many megabytes of 10^6 bytes (-C). */
  rotateMegabytes?: number;
  /** Number of files (-W); see the module doc. */
  fileCountMax?: number;
  /** Expand the template in UTC rather than local time. @default false */
  utc?: boolean;
  /** Clock, for tests. @default Date.now */
  nowMs?: () => number;
  /** Called with each file's path after it is closed (rotation or close). */
  onFileClosed?: (path: string) => void;
  pcap?: PcapWriterOptions;
  pcapng?: PcapngWriterOptions;
}

/** Creates a rotating writer and opens its first file. @throws {Error} when the file cannot be created. */
export function createRotatingWriter(options: RotatingWriterOptions): RotatingWriter {
  return new RotatingWriter(options);
}

/** See the module doc. */
export class RotatingWriter implements CaptureWriter {
  /** True once `fileCountMax` timed files were written: further packets are skipped. */
  finished = false;
  /** A `recordsTarget` is out and not yet committed. */
  #targetOpen = false;
  readonly #options: RotatingWriterOptions;
  readonly #nowMs: () => number;
  readonly #limitBytes: number;
  readonly #digits: number;
  #current: CaptureWriter;
  #packetsBefore = 0;
  #skippedBefore = 0;
  #openedMs = 0;
  #timedFiles = 0;
  #sizeIndex = 0;
  #basePath = "";
  #currentOpen = true;

  /** Use `createRotatingWriter`. */
  constructor(options: RotatingWriterOptions) {
    this.#options = options;
    this.#nowMs = options.nowMs ?? Date.now;
    this.#limitBytes = (options.rotateMegabytes ?? 0) * 1_000_000;
    // tcpdump pads the number to the width of -W so names sort.
    this.#digits = options.fileCountMax !== undefined && this.#limitBytes > 0 ? String(options.fileCountMax).length : 0;
    this.#current = this.#openTimed();
  }

  /** See `CaptureWriter.path`. */
  get path(): string {
    return this.#current.path;
  }

  /** Timestamp precision of pcap files (see `PcapWriter.nanosecond`). */
  get nanosecond(): boolean {
    return this.#options.pcap?.nanosecond ?? true;
  }

  /** See `CaptureWriter.bytesWritten`. */
  get bytesWritten(): number {
    return this.#current.bytesWritten;
  }

  /** See `CaptureWriter.packetsWritten`. */
  get packetsWritten(): number {
    return this.#packetsBefore + (this.#currentOpen ? this.#current.packetsWritten : 0);
  }

  /** See `CaptureWriter.packetsSkipped`. */
  get packetsSkipped(): number {
    return this.#skippedBefore + (this.#currentOpen ? this.#current.packetsSkipped : 0);
  }

  /** Writes the batch, checking the time rotation once first. */
  write(batch: PacketBatch): void {
    this.rotateIfDue();
    for (let i = 0; i < batch.count; i++) this.writePacket(batch, i);
  }

  /** Writes one packet; size rotation is checked here, time rotation only by `write` and `rotateIfDue`. */
  writePacket(batch: PacketBatch, i: number): void {
    if (this.finished) {
      this.#skippedBefore++;
      return;
    }
    if (this.#limitBytes > 0 && this.#current.bytesWritten > this.#limitBytes) this.#rotateBySize();
    this.#current.writePacket(batch, i);
  }

  /**
   * Writes packets `first ..< end` as one range (pcap: one library call, see `PcapWriter.writeRange`). Size rotation
   * is checked once before the range, so a file may exceed `rotateMegabytes` by up to one range (a ring block);
   * pcapng keeps the per-packet check.
   */
  writeRange(batch: PacketBatch, first: number, end: number): void {
    if (this.finished) {
      this.#skippedBefore += Math.max(end - first, 0);
      return;
    }
    if (!(this.#current instanceof PcapWriter)) {
      for (let i = first; i < end; i++) this.writePacket(batch, i);
      return;
    }
    if (this.#limitBytes > 0 && this.#current.bytesWritten > this.#limitBytes) this.#rotateBySize();
    (this.#current as PcapWriter).writeRange(batch, first, end);
  }

  /**
   * `PcapWriter.recordsTarget` of the current file, checking time and size rotation once first (so a file may exceed
   * `rotateMegabytes` by up to one block); null once every file allowed was written. Only for pcap output.
   */
  recordsTarget(bytesMax: number, linkType: number): Uint8Array | null {
    this.#targetOpen = false;
    this.rotateIfDue();
    if (this.finished) return null;
    if (!(this.#current instanceof PcapWriter)) throw new TypeError("recordsTarget() needs pcap output");
    if (this.#limitBytes > 0 && this.#current.bytesWritten > this.#limitBytes) this.#rotateBySize();
    this.#targetOpen = true;
    return (this.#current as PcapWriter).recordsTarget(bytesMax, linkType);
  }

  /** See `PcapWriter.commitRecords`. */
  commitRecords(bytes: number, packets: number): void {
    this.#targetOpen = false;
    (this.#current as PcapWriter).commitRecords(bytes, packets);
  }

  /** Starts a new file when `rotateSeconds` passed (a capture without packets calls it from its idle path). */
  rotateIfDue(): void {
    // A target handed out points into the current file's buffer: rotate at the next recordsTarget instead.
    if (this.#targetOpen) return;
    const seconds = this.#options.rotateSeconds;
    if (this.finished || seconds === undefined || seconds <= 0) return;
    if (this.#nowMs() - this.#openedMs < seconds * 1000) return;
    this.#closeCurrent();
    const max = this.#options.fileCountMax;
    if (max !== undefined && this.#timedFiles >= max) {
      this.finished = true;
      return;
    }
    this.#current = this.#openTimed();
  }

  #openTimed(): CaptureWriter {
    this.#openedMs = this.#nowMs();
    this.#timedFiles++;
    this.#sizeIndex = 0;
    const options = this.#options;
    this.#basePath = options.rotateSeconds
      ? strftime(options.path, new Date(this.#openedMs), options.utc)
      : options.path;
    return this.#open(this.#numbered(0));
  }

  #open(path: string): CaptureWriter {
    const options = this.#options;
    const writer = options.format === "pcapng"
      ? createPcapngWriter(path, options.pcapng)
      : createPcapWriter(path, options.pcap);
    this.#currentOpen = true;
    return writer;
  }

  #rotateBySize(): void {
    this.#closeCurrent();
    this.#sizeIndex++;
    const max = this.#options.fileCountMax;
    if (max !== undefined && !this.#options.rotateSeconds && this.#sizeIndex >= max) this.#sizeIndex = 0;
    this.#current = this.#open(this.#numbered(this.#sizeIndex));
  }

  #numbered(index: number): string {
    if (index === 0 && this.#digits === 0) return this.#basePath;
    return this.#basePath + String(index).padStart(this.#digits, "0");
  }

  #closeCurrent(): void {
    this.#packetsBefore += this.#current.packetsWritten;
    this.#skippedBefore += this.#current.packetsSkipped;
    this.#current.close();
    this.#currentOpen = false;
    this.#options.onFileClosed?.(this.#current.path);
  }

  /** See `CaptureWriter.flush`. */
  flush(): void {
    if (!this.finished) this.#current.flush();
  }

  /** Closes the current file. */
  close(): void {
    if (this.finished) return;
    this.#closeCurrent();
    this.finished = true;
  }
}

/** Expands strftime conversions %Y %m %d %H %M %S %y %j %s %% (others are kept as written). */
export function strftime(template: string, date: Date, utc = false): string {
  const two = (n: number) => String(n).padStart(2, "0");
  return template.replace(/%([YmdHMSyjs%])/g, (_match, code: string) => {
    const year = utc ? date.getUTCFullYear() : date.getFullYear();
    switch (code) {
      case "Y":
        return String(year);
      case "y":
        return two(year % 100);
      case "m":
        return two((utc ? date.getUTCMonth() : date.getMonth()) + 1);
      case "d":
        return two(utc ? date.getUTCDate() : date.getDate());
      case "H":
        return two(utc ? date.getUTCHours() : date.getHours());
      case "M":
        return two(utc ? date.getUTCMinutes() : date.getMinutes());
      case "S":
        return two(utc ? date.getUTCSeconds() : date.getSeconds());
      case "j":
        return String(dayOfYear(date, utc)).padStart(3, "0");
      case "s":
        return String(Math.floor(date.getTime() / 1000));
      default:
        return "%";
    }
  });
}

function dayOfYear(date: Date, utc: boolean): number {
  const year = utc ? date.getUTCFullYear() : date.getFullYear();
  const start = utc ? Date.UTC(year, 0, 1) : new Date(year, 0, 1).getTime();
  const today = utc
    ? Date.UTC(year, date.getUTCMonth(), date.getUTCDate())
    : new Date(year, date.getMonth(), date.getDate()).getTime();
  return Math.round((today - start) / 86_400_000) + 1;
}
