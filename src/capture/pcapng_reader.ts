/**
 * Parser for pcapng files (https://www.ietf.org/archive/id/draft-ietf-opsawg-pcapng-03.html): sections (SHB, any
 * byte order), interfaces (IDB with if_name, if_tsresol, if_tsoffset) and packets (EPB, SPB, obsolete PB). Other
 * blocks are skipped. A batch holds packets of one interface only. Packets are not copied.
 * @module
 */

import { type PacketBatch, PacketFlag, PacketType } from "./batch.ts";
import { type Chunk, RECORD_BYTES_MAX, type RecordParser, setTimestampUnits } from "./chunk.ts";

/** Block type codes this parser acts on. */
export const BlockType = {
  SECTION_HEADER: 0x0a0d0d0a,
  INTERFACE_DESCRIPTION: 1,
  PACKET: 2,
  SIMPLE_PACKET: 3,
  ENHANCED_PACKET: 6,
} as const;

const BYTE_ORDER_MAGIC = 0x1a2b3c4d;
const BYTE_ORDER_MAGIC_SWAPPED = 0x4d3c2b1a;
const BLOCK_BYTES_MIN = 12;
const OPTION_IF_NAME = 2;
const OPTION_IF_TSRESOL = 9;
const OPTION_IF_TSOFFSET = 14;

/** Returns true when the bytes start with a pcapng section header block. */
export function isPcapngMagic(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && bytes[0] === 0x0a && bytes[1] === 0x0d && bytes[2] === 0x0d && bytes[3] === 0x0a;
}

interface Interface {
  /** Index into `PcapngParser.interfaces` (over all sections). */
  index: number;
  linkType: number;
  snaplenBytes: number;
  unitsPerSec: number;
  offsetSec: number;
}

/** Reads a pcapng file's blocks; see `RecordParser`. */
export class PcapngParser implements RecordParser {
  needBytes = BLOCK_BYTES_MIN;
  failed = false;
  readErrors = 0;
  readonly #names: string[] = [];
  readonly #fileName: string;
  /** Interfaces of the current section, by their id within the section. */
  #section: Interface[] = [];
  #littleEndian = true;
  #sectionSeen = false;

  /** @param fileName Used to name interfaces that have no if_name option. */
  constructor(fileName: string) {
    this.#fileName = fileName;
  }

  /** Interface names over all sections, indexed by `PacketBatch.interfaceIndex`. */
  get interfaces(): readonly string[] {
    return this.#names;
  }

  /** See `RecordParser.fill`. */
  fill(chunk: Chunk, batch: PacketBatch): void {
    batch.data = chunk.data;
    this.needBytes = 0;
    while (!this.failed && batch.count < batch.offsets.length) {
      const available = chunk.end - chunk.start;
      if (available < BLOCK_BYTES_MIN) {
        this.needBytes = BLOCK_BYTES_MIN;
        return;
      }
      const view = chunk.view;
      const at = chunk.start;
      const type = view.getUint32(at, this.#littleEndian);
      const isSection = type === BlockType.SECTION_HEADER;
      if (isSection && !this.#readByteOrder(view, at)) return;
      const blockBytes = view.getUint32(at + 4, this.#littleEndian);
      if (blockBytes < BLOCK_BYTES_MIN || blockBytes % 4 !== 0 || blockBytes > RECORD_BYTES_MAX) {
        this.#fail();
        return;
      }
      if (!this.#sectionSeen && !isSection) {
        this.#fail();
        return;
      }
      if (available < blockBytes) {
        this.needBytes = blockBytes;
        return;
      }
      if (!this.#readBlock(chunk, type, blockBytes, batch)) return; // Another interface: next batch.
      chunk.start = at + blockBytes;
    }
  }

  #readByteOrder(view: DataView, at: number): boolean {
    const magic = view.getUint32(at + 8, true);
    if (magic === BYTE_ORDER_MAGIC) this.#littleEndian = true;
    else if (magic === BYTE_ORDER_MAGIC_SWAPPED) this.#littleEndian = false;
    else this.#fail();
    return !this.failed;
  }

  #fail(): void {
    this.failed = true;
    this.readErrors++;
  }

  /** Returns false (without consuming the block) when the packet belongs to another interface than the batch. */
  #readBlock(chunk: Chunk, type: number, blockBytes: number, batch: PacketBatch): boolean {
    const at = chunk.start;
    switch (type) {
      case BlockType.SECTION_HEADER:
        this.#sectionSeen = true;
        this.#section = [];
        return true;
      case BlockType.INTERFACE_DESCRIPTION:
        this.#readInterface(chunk.view, at, blockBytes);
        return true;
      case BlockType.ENHANCED_PACKET:
      case BlockType.PACKET: {
        if (blockBytes < 32) return this.#skipBad();
        const obsolete = type === BlockType.PACKET;
        const id = obsolete
          ? chunk.view.getUint16(at + 8, this.#littleEndian)
          : chunk.view.getUint32(at + 8, this.#littleEndian);
        const capturedBytes = chunk.view.getUint32(at + 20, this.#littleEndian);
        const wireBytes = chunk.view.getUint32(at + 24, this.#littleEndian);
        if (capturedBytes > blockBytes - 32) return this.#skipBad();
        return this.#addPacket(chunk, batch, id, at + 28, capturedBytes, wireBytes);
      }
      case BlockType.SIMPLE_PACKET: {
        if (blockBytes < 16) return this.#skipBad();
        const wireBytes = chunk.view.getUint32(at + 8, this.#littleEndian);
        const snaplen = this.#section.length > 0 ? this.#section[0].snaplenBytes : 0;
        let capturedBytes = Math.min(wireBytes, blockBytes - 16);
        if (snaplen > 0) capturedBytes = Math.min(capturedBytes, snaplen);
        return this.#addPacket(chunk, batch, 0, at + 12, capturedBytes, wireBytes);
      }
      default:
        return true; // Statistics, name resolution, custom blocks: not packets.
    }
  }

  #skipBad(): boolean {
    this.readErrors++;
    return true;
  }

  #addPacket(
    chunk: Chunk,
    batch: PacketBatch,
    id: number,
    dataAt: number,
    capturedBytes: number,
    wireBytes: number,
  ): boolean {
    if (id >= this.#section.length) return this.#skipBad();
    const iface = this.#section[id];
    if (batch.count === 0) {
      batch.interfaceIndex = iface.index;
      batch.linkType = iface.linkType;
    } else if (batch.interfaceIndex !== iface.index) return false;
    const i = batch.count++;
    const at = chunk.start;
    if (chunk.view.getUint32(at, this.#littleEndian) === BlockType.SIMPLE_PACKET) {
      batch.timestampSec[i] = 0;
      batch.timestampNsec[i] = 0;
    } else {
      const high = chunk.view.getUint32(at + 12, this.#littleEndian);
      const low = chunk.view.getUint32(at + 16, this.#littleEndian);
      setTimestampUnits(batch, i, high, low, iface.unitsPerSec);
      batch.timestampSec[i] += iface.offsetSec;
    }
    batch.offsets[i] = dataAt;
    batch.capturedBytes[i] = capturedBytes;
    batch.wireBytes[i] = wireBytes;
    batch.flags[i] = capturedBytes < wireBytes ? PacketFlag.TRUNCATED : 0;
    batch.vlanTci[i] = 0;
    batch.vlanTpid[i] = 0;
    batch.packetType[i] = PacketType.UNKNOWN;
    return true;
  }

  #readInterface(view: DataView, at: number, blockBytes: number): void {
    if (blockBytes < 20) {
      this.readErrors++;
      return;
    }
    const le = this.#littleEndian;
    const iface: Interface = {
      index: this.#names.length,
      linkType: view.getUint16(at + 8, le),
      snaplenBytes: view.getUint32(at + 12, le),
      unitsPerSec: 1_000_000,
      offsetSec: 0,
    };
    let name = `${this.#fileName}#${this.#section.length}`;
    const end = at + blockBytes - 4;
    for (let option = at + 16; option + 4 <= end;) {
      const code = view.getUint16(option, le);
      const length = view.getUint16(option + 2, le);
      const value = option + 4;
      if (code === 0 || value + length > end) break;
      if (code === OPTION_IF_TSRESOL && length >= 1) iface.unitsPerSec = unitsPerSecond(view.getUint8(value));
      if (code === OPTION_IF_TSOFFSET && length >= 8) {
        iface.offsetSec = view.getInt32(value + (le ? 4 : 0), le) * 0x1_0000_0000 +
          view.getUint32(value + (le ? 0 : 4), le);
      }
      if (code === OPTION_IF_NAME && length > 0) {
        name = new TextDecoder().decode(new Uint8Array(view.buffer, view.byteOffset + value, length))
          .replace(/\0+$/, "");
      }
      option = value + ((length + 3) & ~3);
    }
    this.#section.push(iface);
    this.#names.push(name);
  }
}

/** Decodes if_tsresol: high bit clear means 10^-n seconds, set means 2^-n. */
export function unitsPerSecond(resolution: number): number {
  const exponent = resolution & 0x7f;
  return (resolution & 0x80) !== 0 ? 2 ** exponent : 10 ** exponent;
}
