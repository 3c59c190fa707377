/**
 * Packets of a task into pcap or pcapng files, rotated by size, time and count, optionally gzipped.
 *
 * Tasks feed packets with `writePackets(batch)` (a `PacketOutput`); `write()` of records has nothing to write
 * and counts them dropped. With `{interface}` in the template each interface gets its own files; otherwise one set
 * of files holds every interface (pcapng names them; a pcap file holds one link type and counts the others).
 *
 * No packet is lost at rotation: a file is closed and the next opened between two packets, synchronously.
 *
 * @module
 */
import type { PacketBatch } from "../capture/batch.ts";
import type { CaptureWriter } from "../capture/pcap_writer.ts";
import { createPcapWriter } from "../capture/pcap_writer.ts";
import { createPcapngWriter } from "../capture/pcapng_writer.ts";
import { checkTemplate, expandTemplate, FileKeeper, freePath } from "./capture_files.ts";
import type { Output, OutputRecord, OutputStats, WriteResult } from "./output.ts";

/** An output that takes packets as well as records. */
export interface PacketOutput extends Output {
  /** Writes every packet of `batch`; the batch may be released as soon as this returns. */
  writePackets(batch: PacketBatch): void;
}

/** True when `output` takes packets. */
export function isPacketOutput(output: Output): output is PacketOutput {
  return typeof (output as Partial<PacketOutput>).writePackets === "function";
}

/** Pcap output configuration. */
export interface PcapOutputOptions {
  /** @default {"pcap"} */
  name?: string;
  dir: string;
  /** @default {"pcap"} */
  format?: "pcap" | "pcapng";
  /** File name without extension; see capture_files.ts. Must contain `{seq}`. @default {"{task}-%Y%m%dT%H%M%SZ-{seq}"} */
  template?: string;
  task?: string;
  /** Interface names by `PacketBatch.interfaceIndex`. */
  interfaces?: readonly string[];
  /** Start a new file before a packet that would take the current one past this size. @default {0: never} */
  rotateBytes?: number;
  /** Start a new file when the current one is this old. @default {0: never} */
  rotateSeconds?: number;
  /** Files kept per set; the oldest are deleted. @default {0: all} */
  filesMax?: number;
  /** Gzip each file once closed (`.pcap.gz`). @default {false} */
  gzip?: boolean;
  /** Wall clock, for tests. @default {Date.now} */
  nowMs?: () => number;
}

/** Counters of the pcap output (records = packets). */
export interface PcapOutputStats extends OutputStats {
  droppedWriteError: number;
  droppedLinkType: number;
  droppedClosed: number;
  droppedNotPacket: number;
  filesOpened: number;
  filesDeleted: number;
  filesCompressed: number;
  compressErrors: number;
}

/** Per-packet bytes beyond the packet itself: pcapng's enhanced packet block (pcap needs 16). */
const RECORD_OVERHEAD_BYTES = 32;

interface FileSet {
  interfaceName: string | undefined;
  writer: CaptureWriter | null;
  openedMs: number;
  seq: number;
  keeper: FileKeeper;
}

/** Checks and completes the options. @throws {TypeError|RangeError} naming the bad option */
function resolveOptions(options: PcapOutputOptions): Required<Omit<PcapOutputOptions, "task" | "interfaces">> {
  if (typeof options.dir !== "string" || options.dir === "") {
    throw new TypeError("Cannot create a pcap output without dir");
  }
  const format = options.format ?? "pcap";
  if (format !== "pcap" && format !== "pcapng") {
    throw new TypeError(`Cannot use pcap format "${format}": use pcap or pcapng`);
  }
  const template = options.template ?? "{task}-%Y%m%dT%H%M%SZ-{seq}";
  checkTemplate(template, ["{seq}"]);
  for (const name of ["rotateBytes", "rotateSeconds", "filesMax"] as const) {
    const value = options[name] ?? 0;
    if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
      throw new RangeError(`Cannot use pcap option ${name} ${value}: expected a number >= 0`);
    }
  }
  return {
    name: options.name ?? "pcap",
    dir: options.dir,
    format,
    template,
    rotateBytes: options.rotateBytes ?? 0,
    rotateSeconds: options.rotateSeconds ?? 0,
    filesMax: options.filesMax ?? 0,
    gzip: options.gzip ?? false,
    nowMs: options.nowMs ?? Date.now,
  };
}

/** See the module documentation. */
export class PcapOutput implements PacketOutput {
  readonly name: string;
  readonly #options: ReturnType<typeof resolveOptions>;
  readonly #task: string | undefined;
  readonly #interfaces: readonly string[];
  readonly #perInterface: boolean;
  readonly #sets = new Map<number, FileSet>();
  readonly #timer: ReturnType<typeof setInterval> | undefined;
  #closed = false;
  readonly #stats: PcapOutputStats = {
    writtenRecords: 0,
    sentRecords: 0,
    sentBytes: 0,
    droppedRecords: 0,
    droppedWriteError: 0,
    droppedLinkType: 0,
    droppedClosed: 0,
    droppedNotPacket: 0,
    filesOpened: 0,
    filesDeleted: 0,
    filesCompressed: 0,
    compressErrors: 0,
  };

  /** Checks the options and creates `dir`; files are opened with the first packet. */
  constructor(options: PcapOutputOptions) {
    this.#options = resolveOptions(options);
    this.name = this.#options.name;
    this.#task = options.task;
    this.#interfaces = options.interfaces ?? [];
    this.#perInterface = this.#options.template.includes("{interface}");
    Deno.mkdirSync(this.#options.dir, { recursive: true });
    if (this.#options.rotateSeconds > 0) {
      // Rotates idle files too: a quiet interface still gets its hourly file closed on time.
      const everyMs = Math.min(1000, this.#options.rotateSeconds * 250);
      this.#timer = setInterval(() => this.rotateIfDue(), everyMs);
      Deno.unrefTimer(this.#timer as unknown as number);
    }
  }

  /** Records are not packets: counted dropped. */
  write(records: readonly OutputRecord[]): WriteResult {
    this.#stats.writtenRecords += records.length;
    this.#drop("droppedNotPacket", records.length);
    return { queued: 0, spooled: 0, dropped: records.length };
  }

  /** See `PacketOutput.writePackets`. */
  writePackets(batch: PacketBatch): void {
    this.#stats.writtenRecords += batch.count;
    if (this.#closed) {
      this.#drop("droppedClosed", batch.count);
      return;
    }
    const set = this.#set(batch.interfaceIndex);
    this.#rotateSetIfDue(set);
    for (let i = 0; i < batch.count; i++) this.#writePacket(set, batch, i);
  }

  #writePacket(set: FileSet, batch: PacketBatch, i: number): void {
    const { rotateBytes } = this.#options;
    try {
      if (set.writer !== null && rotateBytes > 0 && set.writer.packetsWritten > 0) {
        if (set.writer.bytesWritten + RECORD_OVERHEAD_BYTES + batch.capturedBytes[i] > rotateBytes) {
          this.#closeFile(set);
        }
      }
      const writer = set.writer ?? this.#openFile(set);
      const before = writer.packetsWritten;
      const bytesBefore = writer.bytesWritten;
      writer.writePacket(batch, i);
      if (writer.packetsWritten === before) {
        this.#drop("droppedLinkType", 1);
        return;
      }
      this.#stats.sentRecords++;
      this.#stats.sentBytes += writer.bytesWritten - bytesBefore;
    } catch {
      this.#drop("droppedWriteError", 1); // Disk full or gone: the next packet tries a new file.
      this.#abandon(set);
    }
  }

  /** Starts new files for sets whose `rotateSeconds` passed (also called by a timer). */
  rotateIfDue(): void {
    for (const set of this.#sets.values()) {
      try {
        this.#rotateSetIfDue(set);
      } catch {
        this.#abandon(set);
      }
    }
  }

  #rotateSetIfDue(set: FileSet): void {
    const seconds = this.#options.rotateSeconds;
    if (set.writer === null || seconds <= 0) return;
    if (this.#options.nowMs() - set.openedMs >= seconds * 1000) this.#closeFile(set);
  }

  #set(interfaceIndex: number): FileSet {
    const key = this.#perInterface ? interfaceIndex : 0;
    let set = this.#sets.get(key);
    if (set === undefined) {
      const interfaceName = this.#perInterface
        ? (this.#interfaces[interfaceIndex] ?? `if${interfaceIndex}`)
        : undefined;
      const keeper = new FileKeeper({ filesMax: this.#options.filesMax, gzip: this.#options.gzip });
      set = { interfaceName, writer: null, openedMs: 0, seq: 0, keeper };
      this.#sets.set(key, set);
    }
    return set;
  }

  #openFile(set: FileSet): CaptureWriter {
    const { dir, format, template, nowMs } = this.#options;
    set.openedMs = nowMs();
    const values = { task: this.#task, interface: set.interfaceName, seq: set.seq++ };
    const path = freePath(dir, expandTemplate(template, values, set.openedMs), `.${format}`);
    set.writer = format === "pcapng"
      ? createPcapngWriter(path, { interfaces: this.#interfaces })
      : createPcapWriter(path);
    set.keeper.open = 1;
    this.#stats.filesOpened++;
    return set.writer;
  }

  #closeFile(set: FileSet): void {
    const writer = set.writer!;
    set.writer = null;
    writer.close();
    set.keeper.open = 0;
    set.keeper.closed(writer.path);
  }

  #abandon(set: FileSet): void {
    const writer = set.writer;
    set.writer = null;
    set.keeper.open = 0;
    try {
      writer?.close();
    } catch {
      // Already failing (disk full or gone); packets still buffered in it are lost with the file.
    }
  }

  /** Writes buffered bytes and waits for background compression. */
  async flush(): Promise<void> {
    for (const set of this.#sets.values()) set.writer?.flush();
    await Promise.all([...this.#sets.values()].map((set) => set.keeper.settled()));
  }

  /** Closes every file (compressing them when asked); later packets are dropped and counted. Idempotent. */
  async close(): Promise<void> {
    if (!this.#closed) {
      this.#closed = true;
      clearInterval(this.#timer);
      for (const set of this.#sets.values()) {
        if (set.writer !== null) this.#closeFile(set);
      }
    }
    await this.flush();
  }

  /** A snapshot of the counters. */
  stats(): PcapOutputStats {
    const stats = { ...this.#stats };
    for (const { keeper } of this.#sets.values()) {
      stats.filesDeleted += keeper.filesDeleted;
      stats.filesCompressed += keeper.filesCompressed;
      stats.compressErrors += keeper.compressErrors;
    }
    return stats;
  }

  #drop(reason: "droppedWriteError" | "droppedLinkType" | "droppedClosed" | "droppedNotPacket", count: number): void {
    this.#stats[reason] += count;
    this.#stats.droppedRecords += count;
  }
}
