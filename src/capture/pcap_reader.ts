/**
 * Parser for classic pcap files (https://www.ietf.org/archive/id/draft-ietf-opsawg-pcap-04.html): a 24-byte
 * file header, then records of a 16-byte header and the packet bytes. Both byte orders, micro- and nanosecond
 * magics. Packets are not copied: batch offsets point into the chunk.
 * @module
 */

import { type PacketBatch, PacketFlag, PacketType } from "./batch.ts";
import { type Chunk, RECORD_BYTES_MAX, type RecordParser } from "./chunk.ts";

/** File magics as read big-endian from the first four bytes. */
export const PcapMagic = {
  MICROSECONDS: 0xa1b2c3d4,
  NANOSECONDS: 0xa1b23c4d,
  MICROSECONDS_SWAPPED: 0xd4c3b2a1,
  NANOSECONDS_SWAPPED: 0x4d3cb2a1,
} as const;

const FILE_HEADER_BYTES = 24;
const RECORD_HEADER_BYTES = 16;

/** Returns true when the first four bytes are a pcap magic in either byte order. */
export function isPcapMagic(bytes: Uint8Array): boolean {
  if (bytes.length < 4) return false;
  const magic = ((bytes[0] << 24) | (bytes[1] << 16) | (bytes[2] << 8) | bytes[3]) >>> 0;
  return Object.values(PcapMagic).includes(magic as never);
}

/** Reads a pcap file's records; see `RecordParser`. */
export class PcapParser implements RecordParser {
  needBytes = FILE_HEADER_BYTES;
  failed = false;
  readErrors = 0;
  readonly interfaces: readonly string[];
  /** Link type from the file header (LINKTYPE_ value, FCS bits masked off); -1 before the header. */
  linkType = -1;
  snaplenBytes = 0;
  nanosecond = false;
  littleEndian = false;
  #headerRead = false;

  /** @param name The file name, the one interface of a pcap file. */
  constructor(name: string) {
    this.interfaces = [name];
  }

  /** See `RecordParser.fill`. */
  fill(chunk: Chunk, batch: PacketBatch): void {
    if (this.failed) return;
    if (!this.#headerRead) {
      if (chunk.end - chunk.start < FILE_HEADER_BYTES) {
        this.needBytes = FILE_HEADER_BYTES;
        return;
      }
      if (!this.#readHeader(chunk)) return;
    }
    if (batch.count === 0) {
      batch.linkType = this.linkType;
      batch.interfaceIndex = 0;
    }
    batch.data = chunk.data;
    this.#fillRecords(chunk, batch);
  }

  #readHeader(chunk: Chunk): boolean {
    const view = chunk.view;
    const at = chunk.start;
    const magic = view.getUint32(at, false);
    if (magic === PcapMagic.MICROSECONDS || magic === PcapMagic.NANOSECONDS) this.littleEndian = false;
    else if (magic === PcapMagic.MICROSECONDS_SWAPPED || magic === PcapMagic.NANOSECONDS_SWAPPED) {
      this.littleEndian = true;
    } else {
      this.failed = true;
      this.readErrors++;
      return false;
    }
    this.nanosecond = magic === PcapMagic.NANOSECONDS || magic === PcapMagic.NANOSECONDS_SWAPPED;
    this.snaplenBytes = view.getUint32(at + 16, this.littleEndian);
    // The upper 16 bits carry FCS-length flags (LT_FCS_LENGTH_PRESENT), not the link type.
    this.linkType = view.getUint32(at + 20, this.littleEndian) & 0xffff;
    chunk.start += FILE_HEADER_BYTES;
    this.#headerRead = true;
    return true;
  }

  #fillRecords(chunk: Chunk, batch: PacketBatch): void {
    const view = chunk.view;
    const le = this.littleEndian;
    const packetsMax = batch.offsets.length;
    const fractionScale = this.nanosecond ? 1 : 1000;
    let at = chunk.start;
    this.needBytes = 0;
    while (batch.count < packetsMax) {
      if (chunk.end - at < RECORD_HEADER_BYTES) {
        this.needBytes = RECORD_HEADER_BYTES;
        break;
      }
      const capturedBytes = view.getUint32(at + 8, le);
      if (capturedBytes > RECORD_BYTES_MAX) {
        // A record length this large cannot be resynchronised from: libpcap gives up here too.
        this.failed = true;
        this.readErrors++;
        break;
      }
      if (chunk.end - at < RECORD_HEADER_BYTES + capturedBytes) {
        this.needBytes = RECORD_HEADER_BYTES + capturedBytes;
        break;
      }
      const i = batch.count++;
      const wireBytes = view.getUint32(at + 12, le);
      const nanoseconds = view.getUint32(at + 4, le) * fractionScale;
      // Corrupt files hold fractions of a second >= 1 s; carry them so nanoseconds stay < 1e9.
      const carrySec = nanoseconds >= 1e9 ? Math.floor(nanoseconds / 1e9) : 0;
      batch.timestampSec[i] = view.getUint32(at, le) + carrySec;
      batch.timestampNsec[i] = nanoseconds - carrySec * 1e9;
      batch.offsets[i] = at + RECORD_HEADER_BYTES;
      batch.capturedBytes[i] = capturedBytes;
      batch.wireBytes[i] = wireBytes;
      batch.flags[i] = capturedBytes < wireBytes ? PacketFlag.TRUNCATED : 0;
      batch.vlanTci[i] = 0;
      batch.vlanTpid[i] = 0;
      batch.packetType[i] = PacketType.UNKNOWN;
      at += RECORD_HEADER_BYTES + capturedBytes;
    }
    chunk.start = at;
  }
}
