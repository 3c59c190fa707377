/**
 * Writes packet batches to a classic pcap file (nanosecond magic by default). Records are built in one reusable
 * buffer and written when it fills, with synchronous writes: a capture loop runs in a Worker, and a 1 MiB write to
 * the page cache costs far less than an await per packet would.
 * @module
 */

import { LinkType, type PacketBatch, PacketFlag } from "./batch.ts";
import { PcapMagic } from "./pcap_reader.ts";
import { pcapRecords, pcapRecordsAvailable, PcapRecordsFlag } from "../native/pcap_records.ts";

/** What every capture file writer offers (pcap, pcapng, rotating). */
export interface CaptureWriter {
  /** Path of the file being written (the current one for a rotating writer). */
  readonly path: string;
  /** Bytes of the current file so far, buffered ones included. */
  readonly bytesWritten: number;
  /** Packets written, over all files. */
  readonly packetsWritten: number;
  /** Packets not written: a link type the file cannot hold, or a rotating writer past `fileCountMax`. */
  readonly packetsSkipped: number;
  /** Appends packet `i` of `batch`. */
  writePacket(batch: PacketBatch, i: number): void;
  /** Appends every packet of `batch`. */
  write(batch: PacketBatch): void;
  /** Writes buffered bytes to the file. */
  flush(): void;
  /** Flushes and closes; further writes are ignored. */
  close(): void;
}

/** Options of `createPcapWriter`. */
export interface PcapWriterOptions {
  /** Nanosecond timestamps (magic a1b23c4d); false writes microseconds (a1b2c3d4). @default true */
  nanosecond?: boolean;
  /** Link type of the file; by default the first batch's. */
  linkType?: number;
  /** Snap length written in the header. @default 262144 */
  snaplenBytes?: number;
  /** Output buffer size. @default 1 MiB */
  bufferBytes?: number;
}

const VLAN_TAG_BYTES = 4;
const MAC_PAIR_BYTES = 12;

/** Bytes packet i takes in a written file: its captured bytes plus a reinserted VLAN tag. */
export function writtenBytes(batch: PacketBatch, i: number): number {
  return batch.capturedBytes[i] + (hasOffloadedTag(batch, i) ? VLAN_TAG_BYTES : 0);
}

function hasOffloadedTag(batch: PacketBatch, i: number): boolean {
  return (batch.flags[i] & PacketFlag.VLAN_VALID) !== 0 && batch.linkType === LinkType.EN10MB &&
    batch.capturedBytes[i] >= MAC_PAIR_BYTES;
}

/**
 * Copies packet i into `target` at `at`, putting back the VLAN tag the kernel stripped (as tcpdump does), so the
 * file shows the frame as it was on the wire. Returns the bytes written.
 */
export function copyPacket(batch: PacketBatch, i: number, target: Uint8Array, at: number): number {
  const start = batch.offsets[i];
  const bytes = batch.capturedBytes[i];
  if (!hasOffloadedTag(batch, i)) {
    target.set(batch.data.subarray(start, start + bytes), at);
    return bytes;
  }
  const tpid = batch.vlanTpid[i] === 0 ? 0x8100 : batch.vlanTpid[i];
  const tci = batch.vlanTci[i];
  target.set(batch.data.subarray(start, start + MAC_PAIR_BYTES), at);
  target[at + 12] = tpid >> 8;
  target[at + 13] = tpid & 0xff;
  target[at + 14] = tci >> 8;
  target[at + 15] = tci & 0xff;
  target.set(batch.data.subarray(start + MAC_PAIR_BYTES, start + bytes), at + 16);
  return bytes + VLAN_TAG_BYTES;
}

/** Opens a file for writing, truncating it. @throws {Error} `Cannot create capture file "x": ...` */
export function createOutputFile(path: string): Deno.FsFile {
  try {
    return Deno.openSync(path, { write: true, create: true, truncate: true });
  } catch (error) {
    const reason = error instanceof Error ? error.message.replace(/ \(os error \d+\)$/, "") : String(error);
    throw new Error(`Cannot create capture file "${path}": ${reason}`, { cause: error });
  }
}

/** A write buffer over a file: `reserve` makes room (flushing), the caller fills `bytes`/`view` at `used`. */
export class BufferedFile {
  bytes: Uint8Array;
  view: DataView;
  used = 0;
  /** Bytes handed to the file plus bytes buffered. */
  total = 0;
  readonly #file: Deno.FsFile;

  /** Takes ownership of `file`. */
  constructor(file: Deno.FsFile, bufferBytes: number) {
    this.#file = file;
    this.bytes = new Uint8Array(bufferBytes);
    this.view = new DataView(this.bytes.buffer);
  }

  /** Ensures `length` bytes fit after `used`, flushing or growing (for a record larger than the buffer). */
  reserve(length: number): void {
    if (this.used + length <= this.bytes.length) return;
    this.flush();
    if (length > this.bytes.length) {
      this.bytes = new Uint8Array(length);
      this.view = new DataView(this.bytes.buffer);
    }
  }

  /** Marks `length` bytes after `used` as filled. */
  commit(length: number): void {
    this.used += length;
    this.total += length;
  }

  /** Writes the buffered bytes. */
  flush(): void {
    let done = 0;
    while (done < this.used) done += this.#file.writeSync(this.bytes.subarray(done, this.used));
    this.used = 0;
  }

  /** Flushes and closes the file. */
  close(): void {
    try {
      this.flush();
    } finally {
      this.#file.close();
    }
  }
}

/** Creates a pcap writer; the header is written with the first packet (or at close for an empty file). */
export function createPcapWriter(path: string, options: PcapWriterOptions = {}): PcapWriter {
  return new PcapWriter(path, createOutputFile(path), options);
}

/** A classic pcap writer; see `CaptureWriter`. */
export class PcapWriter implements CaptureWriter {
  readonly path: string;
  packetsWritten = 0;
  packetsSkipped = 0;
  readonly #out: BufferedFile;
  #discardRecords = false;
  #scratch = new Uint8Array(0);
  /** Timestamps in nanoseconds (else microseconds). */
  readonly nanosecond: boolean;
  readonly #snaplenBytes: number;
  #linkType: number;
  #headerWritten = false;
  #closed = false;

  /** Use `createPcapWriter`. Takes ownership of `file`. */
  constructor(path: string, file: Deno.FsFile, options: PcapWriterOptions = {}) {
    this.path = path;
    this.#out = new BufferedFile(file, options.bufferBytes ?? 1024 * 1024);
    this.nanosecond = options.nanosecond ?? true;
    this.#snaplenBytes = options.snaplenBytes ?? 262144;
    this.#linkType = options.linkType ?? -1;
  }

  /** See `CaptureWriter.bytesWritten`. */
  get bytesWritten(): number {
    return this.#out.total;
  }

  /** See `CaptureWriter.write`. */
  write(batch: PacketBatch): void {
    this.writeRange(batch, 0, batch.count);
  }

  /**
   * Appends packets `first ..< end` of `batch`: the records are built by the capture library in one call per
   * buffer's worth (no per-packet JavaScript), falling back to `writePacket` when the library cannot be loaded.
   */
  writeRange(batch: PacketBatch, first: number, end: number): void {
    if (this.#closed || first >= end) return;
    if (!this.#headerWritten) this.#writeHeader(this.#linkType === -1 ? batch.linkType : this.#linkType);
    if (batch.linkType !== this.#linkType) {
      this.packetsSkipped += end - first;
      return;
    }
    if (!pcapRecordsAvailable()) {
      for (let i = first; i < end; i++) this.writePacket(batch, i);
      return;
    }
    const flags = (this.nanosecond ? PcapRecordsFlag.NANOSECOND : 0) |
      (batch.linkType === LinkType.EN10MB ? PcapRecordsFlag.VLAN_REINSERT : 0);
    const out = this.#out;
    let index = first;
    while (index < end) {
      const done = pcapRecords(batch, index, end, flags, out.bytes.subarray(out.used));
      if (done.packets === 0) {
        // The next record does not fit: make room; one larger than the whole buffer grows it on the JS path.
        if (out.used > 0) out.flush();
        else this.writePacket(batch, index++);
        continue;
      }
      out.commit(done.bytes);
      index += done.packets;
      this.packetsWritten += done.packets - done.badPackets;
      this.packetsSkipped += done.badPackets;
    }
  }

  /**
   * Room for one ring block's pcap records (`pcapBlock` output of at most `bytesMax` bytes, in this writer's
   * timestamp precision) inside the write buffer, so the library converts straight into it; `commitRecords` then
   * counts them. Records captured on another `linkType` than the file's go to a scratch buffer and count as skipped.
   */
  recordsTarget(bytesMax: number, linkType: number): Uint8Array {
    if (!this.#closed && !this.#headerWritten) this.#writeHeader(this.#linkType === -1 ? linkType : this.#linkType);
    this.#discardRecords = this.#closed || linkType !== this.#linkType;
    if (this.#discardRecords) {
      if (this.#scratch.length < bytesMax) this.#scratch = new Uint8Array(bytesMax);
      return this.#scratch.subarray(0, bytesMax);
    }
    const out = this.#out;
    out.reserve(bytesMax);
    return out.bytes.subarray(out.used, out.used + bytesMax);
  }

  /** Counts `packets` records of `bytes` written into the last `recordsTarget` (a file of another link type skips). */
  commitRecords(bytes: number, packets: number): void {
    if (this.#closed) return;
    if (this.#discardRecords) {
      this.packetsSkipped += packets;
      return;
    }
    this.#out.commit(bytes);
    this.packetsWritten += packets;
  }

  /** See `CaptureWriter.writePacket`. */
  writePacket(batch: PacketBatch, i: number): void {
    if (this.#closed) return;
    if (!this.#headerWritten) this.#writeHeader(this.#linkType === -1 ? batch.linkType : this.#linkType);
    if (batch.linkType !== this.#linkType) {
      this.packetsSkipped++; // A pcap file holds one link type.
      return;
    }
    const out = this.#out;
    const bytes = writtenBytes(batch, i);
    out.reserve(16 + bytes);
    const at = out.used;
    const fraction = this.nanosecond ? batch.timestampNsec[i] : Math.floor(batch.timestampNsec[i] / 1000);
    out.view.setUint32(at, batch.timestampSec[i], true);
    out.view.setUint32(at + 4, fraction, true);
    out.view.setUint32(at + 8, bytes, true);
    out.view.setUint32(at + 12, batch.wireBytes[i] + bytes - batch.capturedBytes[i], true);
    copyPacket(batch, i, out.bytes, at + 16);
    out.commit(16 + bytes);
    this.packetsWritten++;
  }

  #writeHeader(linkType: number): void {
    this.#linkType = linkType;
    this.#headerWritten = true;
    const out = this.#out;
    out.reserve(24);
    const view = out.view;
    const at = out.used;
    view.setUint32(at, this.nanosecond ? PcapMagic.NANOSECONDS : PcapMagic.MICROSECONDS, true);
    view.setUint16(at + 4, 2, true);
    view.setUint16(at + 6, 4, true);
    view.setUint32(at + 8, 0, true);
    view.setUint32(at + 12, 0, true);
    view.setUint32(at + 16, this.#snaplenBytes, true);
    view.setUint32(at + 20, linkType, true);
    out.commit(24);
  }

  /** See `CaptureWriter.flush`. */
  flush(): void {
    if (!this.#closed) this.#out.flush();
  }

  /** See `CaptureWriter.close`. */
  close(): void {
    if (this.#closed) return;
    if (!this.#headerWritten) this.#writeHeader(this.#linkType === -1 ? LinkType.EN10MB : this.#linkType);
    this.#closed = true;
    this.#out.close();
  }
}
