/**
 * Kafka RecordBatch v2 (magic 2) encoder: the records of one partition are written straight into one buffer sized up
 * front (sizes first, then bytes), with one CRC-32C per batch. @platformatic/kafka builds each record from a `Writer`
 * and several small `Buffer`s, which costs 5–13 µs per record; this costs well under 1 µs (docs/decisions.md).
 *
 * Layout (all big-endian): baseOffset i64, batchLength i32, partitionLeaderEpoch i32, magic i8, crc u32, attributes
 * i16, lastOffsetDelta i32, baseTimestamp i64, maxTimestamp i64, producerId i64, producerEpoch i16, baseSequence i32,
 * recordCount i32, records. A record: length varint, attributes i8, timestampDelta varlong, offsetDelta varint, key
 * (varint length, -1 for none), value, header count varint, headers (name, value).
 *
 * @module
 */
import type { HeaderList } from "./header_lists.ts";
import type { MessageBatch } from "./message_batch.ts";

/** Bytes before the first record. */
export const RECORD_BATCH_HEADER_BYTES = 61;
/** The CRC covers the batch from the attributes field to the end. */
const crcStartOffset = 21;
const crcOffset = 17;
const attributesOffset = 21;
/** Below this, a byte loop beats `Uint8Array.set()` (a native call per header name and value). */
const shortCopyBytes = 24;
/** Header name strings repeat on every record; bounded: names come from code. */
const headerNamesMax = 256;

/** The batch header fields the producer chooses. */
export interface RecordBatchHeader {
  /** -1n without idempotence. */
  producerId: bigint;
  /** -1 without idempotence. */
  producerEpoch: number;
  /** Sequence of the first record per partition; -1 without idempotence. */
  baseSequence: number;
}

type Header = [string, Uint8Array];

const encoder = new TextEncoder();
const headerNames = new Map<string, Uint8Array>();
/** Per-record scratch reused across calls (the encoder is synchronous): body lengths and timestamp deltas. */
let bodyBytesScratch = new Int32Array(1024);
let timestampDeltaScratch = new Float64Array(1024);

function headerName(name: string): Uint8Array {
  let bytes = headerNames.get(name);
  if (bytes === undefined) {
    bytes = encoder.encode(name);
    if (headerNames.size < headerNamesMax) headerNames.set(name, bytes);
  }
  return bytes;
}

/** Zigzag form of a signed integer (exact up to 2^52). */
function zigzag(value: number): number {
  return value >= 0 ? value * 2 : -value * 2 - 1;
}

/** Bytes of an unsigned varint (exact up to 2^53). */
function varintBytes(unsigned: number): number {
  if (unsigned < 0x80) return 1;
  if (unsigned < 0x4000) return 2;
  if (unsigned < 0x200000) return 3;
  if (unsigned < 0x10000000) return 4;
  let bytes = 5;
  for (let rest = Math.floor(unsigned / 0x800000000); rest > 0; rest = Math.floor(rest / 0x80)) bytes++;
  return bytes;
}

function writeVarint(out: Uint8Array, offset: number, unsigned: number): number {
  let value = unsigned;
  while (value >= 0x80000000) { // Past 31 bits: bit operators would truncate.
    out[offset++] = (value % 0x80) | 0x80;
    value = Math.floor(value / 0x80);
  }
  while (value >= 0x80) {
    out[offset++] = (value & 0x7f) | 0x80;
    value >>>= 7;
  }
  out[offset++] = value;
  return offset;
}

function fieldBytes(bytes: Uint8Array | null): number {
  return bytes === null ? 1 : varintBytes(bytes.length * 2) + bytes.length;
}

function writeField(out: Uint8Array, offset: number, bytes: Uint8Array | null): number {
  if (bytes === null) {
    out[offset] = 1; // zigzag(-1)
    return offset + 1;
  }
  return copyBytes(out, writeVarint(out, offset, bytes.length * 2), bytes);
}

/**
 * Copies `bytes` to `out` at `offset`; returns the offset after them. Short ones are a byte loop: `Uint8Array.set()`
 * is a native call.
 */
export function copyBytes(out: Uint8Array, offset: number, bytes: Uint8Array): number {
  const length = bytes.length;
  if (length > shortCopyBytes) {
    out.set(bytes, offset);
    return offset + length;
  }
  for (let i = 0; i < length; i++) out[offset + i] = bytes[i];
  return offset + length;
}

/** Header count and headers as they appear in a record. */
function headersBytes(headers: readonly Header[]): number {
  let bytes = varintBytes(headers.length * 2);
  for (let i = 0; i < headers.length; i++) bytes += fieldBytes(headerName(headers[i][0])) + fieldBytes(headers[i][1]);
  return bytes;
}

function writeHeaders(out: Uint8Array, offset: number, headers: readonly Header[]): number {
  offset = writeVarint(out, offset, headers.length * 2);
  for (let i = 0; i < headers.length; i++) {
    offset = writeField(out, offset, headerName(headers[i][0]));
    offset = writeField(out, offset, headers[i][1]);
  }
  return offset;
}

/**
 * The record form of `headers` (count, then each name and value), as a record batch holds them after a record's value:
 * a header list keeps it (header_lists.ts), and a batch copies it for every message of that list.
 */
export function headersWire(headers: readonly Header[]): Uint8Array {
  const wire = new Uint8Array(headersBytes(headers));
  writeHeaders(wire, 0, headers);
  return wire;
}

function ensureScratch(count: number): void {
  if (bodyBytesScratch.length >= count) return;
  bodyBytesScratch = new Int32Array(count * 2);
  timestampDeltaScratch = new Float64Array(count * 2);
}

/** Makes the bytes a record batch is written into; every byte is written, so they need not be zero. */
export type BatchAllocator = (bytes: number) => Uint8Array;

const newBytes: BatchAllocator = (bytes) => new Uint8Array(bytes);

/**
 * Encodes the messages of `batch` at `indices` (one partition's, at least one, in order) as an uncompressed record
 * batch, CRC field still 0: compress with `withCompressedRecords()` if needed, then `sealRecordBatch()`. Reads the
 * batch's columns: no object per message, and each header list's bytes are copied whole. The bytes come from
 * `allocate` (a pool's, buffer_pool.ts; new ones by default).
 */
export function encodeRecordBatch(
  batch: MessageBatch,
  indices: readonly number[],
  header: RecordBatchHeader,
  allocate: BatchAllocator = newBytes,
): Uint8Array {
  const count = indices.length;
  if (count === 0) throw new RangeError("Cannot encode an empty record batch");
  ensureScratch(count);
  const { values, ends, timestamps, lists } = batch.columns;
  const baseTimestampMs = Math.trunc(timestamps[indices[0]]);
  let maxTimestampMs = baseTimestampMs;
  let total = RECORD_BATCH_HEADER_BYTES;
  for (let k = 0; k < count; k++) {
    const i = indices[k];
    const timestampMs = Math.trunc(timestamps[i]);
    if (timestampMs > maxTimestampMs) maxTimestampMs = timestampMs;
    const delta = timestampMs - baseTimestampMs;
    const list = lists[i] as HeaderList;
    const valueBytes = ends[i] - (i === 0 ? 0 : ends[i - 1]);
    const body = 1 + varintBytes(zigzag(delta)) + varintBytes(k * 2) + fieldBytes(list.key) +
      varintBytes(valueBytes * 2) + valueBytes + list.wire.length;
    timestampDeltaScratch[k] = delta;
    bodyBytesScratch[k] = body;
    total += varintBytes(body * 2) + body;
  }
  const out = allocate(total);
  if (out.length !== total) throw new RangeError(`Allocator gave ${out.length} bytes for ${total}`);
  let offset = RECORD_BATCH_HEADER_BYTES;
  for (let k = 0; k < count; k++) {
    const i = indices[k];
    const list = lists[i] as HeaderList;
    const start = i === 0 ? 0 : ends[i - 1];
    offset = writeVarint(out, offset, bodyBytesScratch[k] * 2);
    out[offset++] = 0; // Record attributes: unused.
    offset = writeVarint(out, offset, zigzag(timestampDeltaScratch[k]));
    offset = writeVarint(out, offset, k * 2);
    offset = writeField(out, offset, list.key);
    offset = writeVarint(out, offset, (ends[i] - start) * 2);
    offset = copyRange(out, offset, values, start, ends[i]);
    offset = copyBytes(out, offset, list.wire);
  }
  if (offset !== total) throw new Error(`Record batch size mismatch: wrote ${offset} of ${total} bytes`);
  writeHeader(out, count, baseTimestampMs, maxTimestampMs, header);
  return out;
}

function copyRange(out: Uint8Array, offset: number, from: Uint8Array, start: number, end: number): number {
  const length = end - start;
  if (length > shortCopyBytes) out.set(from.subarray(start, end), offset);
  else for (let k = 0; k < length; k++) out[offset + k] = from[start + k];
  return offset + length;
}

function writeHeader(
  out: Uint8Array,
  count: number,
  baseTimestampMs: number,
  maxTimestampMs: number,
  header: RecordBatchHeader,
): void {
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
  view.setBigInt64(0, 0n); // baseOffset: the broker assigns offsets.
  view.setInt32(8, out.length - 12);
  view.setInt32(12, -1); // partitionLeaderEpoch: set by the broker.
  view.setInt8(16, 2); // magic
  view.setUint32(crcOffset, 0);
  view.setInt16(attributesOffset, 0); // CreateTime, not transactional, no compression (yet).
  view.setInt32(23, count - 1);
  view.setBigInt64(27, BigInt(baseTimestampMs));
  view.setBigInt64(35, BigInt(maxTimestampMs));
  view.setBigInt64(43, header.producerId);
  view.setInt16(51, header.producerEpoch);
  view.setInt32(53, header.baseSequence);
  view.setInt32(57, count);
}

/** The records section of a batch from `encodeRecordBatch()`: what a codec compresses. */
export function batchRecords(batch: Uint8Array): Uint8Array {
  return batch.subarray(RECORD_BATCH_HEADER_BYTES);
}

/** A new batch with `batch`'s header, `compressed` as its records section and the codec's attribute bits. */
export function withCompressedRecords(batch: Uint8Array, codecBits: number, compressed: Uint8Array): Uint8Array {
  const out = new Uint8Array(RECORD_BATCH_HEADER_BYTES + compressed.length);
  out.set(batch.subarray(0, RECORD_BATCH_HEADER_BYTES));
  out.set(compressed, RECORD_BATCH_HEADER_BYTES);
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
  view.setInt32(8, out.length - 12);
  view.setInt16(attributesOffset, view.getInt16(attributesOffset) | (codecBits & 0b111));
  return out;
}

/** Writes the CRC-32C of the batch (from the attributes to the end); returns `batch`. */
export function sealRecordBatch(batch: Uint8Array, crc32c: (bytes: Uint8Array) => number): Uint8Array {
  const crc = crc32c(batch.subarray(crcStartOffset));
  new DataView(batch.buffer, batch.byteOffset, batch.byteLength).setUint32(crcOffset, crc);
  return batch;
}
