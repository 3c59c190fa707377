/**
 * SCTP DATA (RFC 9260) and I-DATA (RFC 8260) chunks: walks the chunks after the common header and hands each
 * user-data piece (stream id, PPID, TSN, B/E flags) to a visitor through one reusable object (no allocation).
 * Other chunk types are skipped. SIP over SCTP sends one message per DATA chunk (B and E set); a message split
 * over chunks arrives as pieces the caller joins by B/E flags.
 * @module
 */

import { readU16, readU32 } from "./cursor.ts";
import { IpProtocol, type PacketSummary } from "./summary.ts";

const CHUNK_HEADER_BYTES = 4;
const DATA = 0;
const I_DATA = 64;
const DATA_HEADER_BYTES = 16;
const I_DATA_HEADER_BYTES = 20;
/** A 1500-byte packet holds at most ~93 empty chunks; the bound keeps jumbo or crafted packets cheap. */
const CHUNKS_WALK_MAX = 512;

/** Chunk flag bits of DATA/I-DATA. */
export const SctpDataFlag = { END: 0x01, BEGIN: 0x02, UNORDERED: 0x04 } as const;

/** One user-data chunk; offsets index the packet's bytes. */
export interface SctpDataChunk {
  /** 0 for DATA, 64 for I-DATA. */
  type: number;
  flags: number;
  tsn: number;
  streamId: number;
  /** DATA: stream sequence number; I-DATA: message id. */
  streamSequence: number;
  /** Payload protocol identifier (e.g. 0 unspecified; SIP has none registered and usually sends 0). */
  ppid: number;
  dataOffset: number;
  dataBytes: number;
}

/** Counters of chunk walking. */
export interface SctpCounters {
  chunks: number;
  dataChunks: number;
  /** A chunk header or its announced length runs past the packet. */
  truncated: number;
  /** A chunk length below its header size. */
  lengthInvalid: number;
  /** Packets with more than `CHUNKS_WALK_MAX` chunks (the rest skipped). */
  chunksMax: number;
}

/** Creates the reusable chunk object. */
export function createSctpDataChunk(): SctpDataChunk {
  return { type: 0, flags: 0, tsn: 0, streamId: 0, streamSequence: 0, ppid: 0, dataOffset: 0, dataBytes: 0 };
}

/** Zeroed counters. */
export function createSctpCounters(): SctpCounters {
  return { chunks: 0, dataChunks: 0, truncated: 0, lengthInvalid: 0, chunksMax: 0 };
}

/**
 * Calls `visit(chunk)` for each DATA/I-DATA chunk of the SCTP packet in `summary` (its payload is the chunk
 * area). Returns the number of user-data chunks visited; problems are counted, never thrown.
 */
export function forEachSctpData(
  summary: PacketSummary,
  chunk: SctpDataChunk,
  counters: SctpCounters,
  visit: (chunk: SctpDataChunk) => void,
): number {
  if (summary.protocol !== IpProtocol.SCTP || summary.payloadOffset < 0) return 0;
  const data = summary.data;
  const end = summary.payloadOffset + summary.payloadBytes;
  let at = summary.payloadOffset;
  let visited = 0;
  for (let chunks = 0; at + CHUNK_HEADER_BYTES <= end; chunks++) {
    if (chunks === CHUNKS_WALK_MAX) {
      counters.chunksMax++;
      return visited;
    }
    const type = data[at];
    const length = readU16(data, at + 2, end);
    counters.chunks++;
    if (length < CHUNK_HEADER_BYTES) {
      counters.lengthInvalid++;
      return visited;
    }
    if (at + length > end) {
      counters.truncated++;
      return visited;
    }
    if (type === DATA || type === I_DATA) {
      if (!readDataChunk(data, at, length, chunk, counters)) return visited;
      counters.dataChunks++;
      visited++;
      visit(chunk);
    }
    at += (length + 3) & ~3;
  }
  if (at < end) counters.truncated++;
  return visited;
}

function readDataChunk(data: Uint8Array, at: number, length: number, chunk: SctpDataChunk, counters: SctpCounters) {
  const type = data[at];
  const headerBytes = type === DATA ? DATA_HEADER_BYTES : I_DATA_HEADER_BYTES;
  if (length < headerBytes) {
    counters.lengthInvalid++;
    return false;
  }
  const end = at + length;
  chunk.type = type;
  chunk.flags = data[at + 1];
  chunk.tsn = readU32(data, at + 4, end);
  chunk.streamId = readU16(data, at + 8, end);
  if (type === DATA) {
    chunk.streamSequence = readU16(data, at + 10, end);
    chunk.ppid = readU32(data, at + 12, end);
  } else {
    chunk.streamSequence = readU32(data, at + 12, end);
    // I-DATA carries the PPID only in the first fragment; later ones hold the fragment sequence number there.
    chunk.ppid = (chunk.flags & SctpDataFlag.BEGIN) !== 0 ? readU32(data, at + 16, end) : 0;
  }
  chunk.dataOffset = at + headerBytes;
  chunk.dataBytes = length - headerBytes;
  return true;
}
