/**
 * Writes packet batches to a pcapng file: one section header, one interface description per (interface, link
 * type) pair met, written when first needed, with if_name and if_tsresol=9 (nanoseconds), then enhanced packet
 * blocks.
 * @module
 */

import type { PacketBatch } from "./batch.ts";
import { BufferedFile, type CaptureWriter, copyPacket, createOutputFile, writtenBytes } from "./pcap_writer.ts";
import { BlockType } from "./pcapng_reader.ts";

/** Options of `createPcapngWriter`. */
export interface PcapngWriterOptions {
  /** Names for if_name, indexed by `PacketBatch.interfaceIndex` (a source's `interfaces`). */
  interfaces?: readonly string[];
  /** Snap length written in each interface description. @default 262144 */
  snaplenBytes?: number;
  /** Output buffer size. @default 1 MiB */
  bufferBytes?: number;
}

const OPTION_END = 0;
const OPTION_IF_NAME = 2;
const OPTION_IF_TSRESOL = 9;
const EPB_OVERHEAD_BYTES = 32;

/** Creates a pcapng writer and writes the section header. */
export function createPcapngWriter(path: string, options: PcapngWriterOptions = {}): PcapngWriter {
  return new PcapngWriter(path, createOutputFile(path), options);
}

/** A pcapng writer; see `CaptureWriter`. */
export class PcapngWriter implements CaptureWriter {
  readonly path: string;
  packetsWritten = 0;
  readonly packetsSkipped = 0;
  readonly #out: BufferedFile;
  readonly #names: readonly string[];
  readonly #snaplenBytes: number;
  /** Interface id in this file by `interfaceIndex * 65536 + linkType`. */
  readonly #ids = new Map<number, number>();
  #lastKey = -1;
  #lastId = 0;
  #closed = false;

  /** Use `createPcapngWriter`. Takes ownership of `file`. */
  constructor(path: string, file: Deno.FsFile, options: PcapngWriterOptions = {}) {
    this.path = path;
    this.#out = new BufferedFile(file, options.bufferBytes ?? 1024 * 1024);
    this.#names = options.interfaces ?? [];
    this.#snaplenBytes = options.snaplenBytes ?? 262144;
    this.#writeSectionHeader();
  }

  /** See `CaptureWriter.bytesWritten`. */
  get bytesWritten(): number {
    return this.#out.total;
  }

  /** See `CaptureWriter.write`. */
  write(batch: PacketBatch): void {
    for (let i = 0; i < batch.count; i++) this.writePacket(batch, i);
  }

  /** See `CaptureWriter.writePacket`. */
  writePacket(batch: PacketBatch, i: number): void {
    if (this.#closed) return;
    const id = this.#interfaceId(batch);
    const out = this.#out;
    const bytes = writtenBytes(batch, i);
    const padded = (bytes + 3) & ~3;
    const blockBytes = EPB_OVERHEAD_BYTES + padded;
    out.reserve(blockBytes);
    const view = out.view;
    const at = out.used;
    view.setUint32(at, BlockType.ENHANCED_PACKET, true);
    view.setUint32(at + 4, blockBytes, true);
    view.setUint32(at + 8, id, true);
    writeNanoseconds(view, at + 12, batch.timestampSec[i], batch.timestampNsec[i]);
    view.setUint32(at + 20, bytes, true);
    view.setUint32(at + 24, batch.wireBytes[i] + bytes - batch.capturedBytes[i], true);
    copyPacket(batch, i, out.bytes, at + 28);
    out.bytes.fill(0, at + 28 + bytes, at + 28 + padded);
    view.setUint32(at + blockBytes - 4, blockBytes, true);
    out.commit(blockBytes);
    this.packetsWritten++;
  }

  #interfaceId(batch: PacketBatch): number {
    const key = batch.interfaceIndex * 65536 + batch.linkType;
    if (key === this.#lastKey) return this.#lastId;
    let id = this.#ids.get(key);
    if (id === undefined) {
      id = this.#ids.size;
      this.#ids.set(key, id);
      this.#writeInterface(batch.linkType, this.#names[batch.interfaceIndex] ?? `if${batch.interfaceIndex}`);
    }
    this.#lastKey = key;
    this.#lastId = id;
    return id;
  }

  #writeSectionHeader(): void {
    const out = this.#out;
    out.reserve(28);
    const view = out.view;
    const at = out.used;
    view.setUint32(at, BlockType.SECTION_HEADER, true);
    view.setUint32(at + 4, 28, true);
    view.setUint32(at + 8, 0x1a2b3c4d, true);
    view.setUint16(at + 12, 1, true);
    view.setUint16(at + 14, 0, true);
    view.setInt32(at + 16, -1, true); // Section length unknown: -1 as a 64-bit value.
    view.setInt32(at + 20, -1, true);
    view.setUint32(at + 24, 28, true);
    out.commit(28);
  }

  #writeInterface(linkType: number, name: string): void {
    const nameBytes = new TextEncoder().encode(name).subarray(0, 256);
    const namePadded = (nameBytes.length + 3) & ~3;
    const blockBytes = 16 + 4 + namePadded + 8 + 4 + 4;
    const out = this.#out;
    out.reserve(blockBytes);
    const view = out.view;
    const at = out.used;
    out.bytes.fill(0, at, at + blockBytes);
    view.setUint32(at, BlockType.INTERFACE_DESCRIPTION, true);
    view.setUint32(at + 4, blockBytes, true);
    view.setUint16(at + 8, linkType, true);
    view.setUint32(at + 12, this.#snaplenBytes, true);
    let option = at + 16;
    view.setUint16(option, OPTION_IF_NAME, true);
    view.setUint16(option + 2, nameBytes.length, true);
    out.bytes.set(nameBytes, option + 4);
    option += 4 + namePadded;
    view.setUint16(option, OPTION_IF_TSRESOL, true);
    view.setUint16(option + 2, 1, true);
    view.setUint8(option + 4, 9);
    option += 8;
    view.setUint16(option, OPTION_END, true);
    view.setUint16(option + 2, 0, true);
    view.setUint32(at + blockBytes - 4, blockBytes, true);
    out.commit(blockBytes);
  }

  /** See `CaptureWriter.flush`. */
  flush(): void {
    if (!this.#closed) this.#out.flush();
  }

  /** See `CaptureWriter.close`. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#out.close();
  }
}

/** Writes `sec * 1e9 + nsec` as pcapng's (high, low) 32-bit pair, exactly (every step stays below 2^53). */
export function writeNanoseconds(view: DataView, at: number, sec: number, nsec: number): void {
  const secHigh = Math.floor(sec / 65536);
  const scaledHigh = secHigh * 1e9; // Counts units of 2^16 ns.
  const lowPart = (scaledHigh % 65536) * 65536 + (sec - secHigh * 65536) * 1e9 + nsec;
  const carry = Math.floor(lowPart / 0x1_0000_0000);
  view.setUint32(at, Math.floor(scaledHigh / 65536) + carry, true);
  view.setUint32(at + 4, lowPart - carry * 0x1_0000_0000, true);
}
