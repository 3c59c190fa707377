/**
 * A window of file bytes handed to a record parser, and the interface the pcap and pcapng parsers share.
 * The file source owns the I/O; parsers are pure functions of the bytes, so they are tested with crafted arrays.
 * @module
 */

import type { PacketBatch } from "./batch.ts";

/** Bytes `data[start, end)` not yet parsed. `view` covers the whole of `data.buffer` from `data.byteOffset`. */
export interface Chunk {
  data: Uint8Array;
  view: DataView;
  start: number;
  end: number;
}

/** Largest record (block) a parser accepts; bigger lengths mean a corrupt file (libpcap allows 256 KiB). */
export const RECORD_BYTES_MAX = 16 * 1024 * 1024;

/** Turns file bytes into packet batches; keeps its own state (header, interfaces) between calls. */
export interface RecordParser {
  /**
   * Parses whole records from the chunk into `batch` (appending from `batch.count`), advancing `chunk.start`.
   * Stops when the batch is full, when the next packet belongs to another interface, or when bytes run out.
   */
  fill(chunk: Chunk, batch: PacketBatch): void;
  /** After `fill`: bytes needed from `chunk.start` to make progress; 0 when it stopped for another reason. */
  readonly needBytes: number;
  /** The file cannot be read further (bad magic, impossible length): the reader stops. */
  readonly failed: boolean;
  /** Bad records counted and skipped (or the one that stopped the reader). */
  readonly readErrors: number;
  /** Interface names seen so far, indexed by `PacketBatch.interfaceIndex`. */
  readonly interfaces: readonly string[];
}

/** Creates a chunk over `data`, positioned at its start and empty. */
export function createChunk(data: Uint8Array): Chunk {
  return { data, view: new DataView(data.buffer, data.byteOffset, data.byteLength), start: 0, end: 0 };
}

/** Creates a chunk holding all of `bytes` (for tests and in-memory parsing). */
export function chunkOf(bytes: Uint8Array): Chunk {
  const chunk = createChunk(bytes);
  chunk.end = bytes.length;
  return chunk;
}

/**
 * Sets packet i's time from a count of `unitsPerSec` units since the epoch, given as two 32-bit halves,
 * exactly (long division in 16-bit limbs keeps every intermediate below 2^53).
 */
export function setTimestampUnits(batch: PacketBatch, i: number, high: number, low: number, unitsPerSec: number) {
  if (unitsPerSec > 0x1_0000_0000) {
    // Sub-nanosecond resolutions are rare (one file in a thousand): BigInt keeps them exact.
    const units = (BigInt(high) << 32n) | BigInt(low);
    const per = BigInt(unitsPerSec);
    batch.timestampSec[i] = Number(units / per);
    batch.timestampNsec[i] = Number(((units % per) * 1_000_000_000n) / per);
    return;
  }
  let quotient = 0;
  let remainder = 0;
  for (let shift = 48; shift >= 0; shift -= 16) {
    const limb = shift >= 32 ? (high >>> (shift - 32)) & 0xffff : (low >>> shift) & 0xffff;
    const current = remainder * 65536 + limb;
    const digit = Math.floor(current / unitsPerSec);
    remainder = current - digit * unitsPerSec;
    quotient = quotient * 65536 + digit;
  }
  batch.timestampSec[i] = quotient;
  batch.timestampNsec[i] = fractionToNanoseconds(remainder, unitsPerSec);
}

function fractionToNanoseconds(remainder: number, unitsPerSec: number): number {
  if (unitsPerSec <= 1_000_000_000 && 1_000_000_000 % unitsPerSec === 0) {
    return remainder * (1_000_000_000 / unitsPerSec);
  }
  // remainder < unitsPerSec <= 2^32, so remainder * 1e9 < 2^62: split 1e9 = 2^9 * 1953125 to stay exact.
  const scaled = remainder * 1953125; // < 2^53
  return Math.floor(scaled / (unitsPerSec / 512));
}
