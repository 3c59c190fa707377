/**
 * The spool form of a Kafka message (what the output writes to the on-disk spool and reads back for replay).
 *
 * @module
 */
import type { KafkaMessage } from "./client.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * Spool form of a message: u8 version 1, f64 timestamp, u16 topic length + topic, i32 key length (-1: none) +
 * key, u16 header count + (u16 name length, name, u32 value length, value)*, u32 value length + value. LE.
 */
export function encodeMessage(message: KafkaMessage): Uint8Array {
  const topic = encoder.encode(message.topic);
  const names = message.headers.map(([name]) => encoder.encode(name));
  let size = 1 + 8 + 2 + topic.length + 4 + (message.key?.length ?? 0) + 2 + 4 + message.value.length;
  for (let i = 0; i < names.length; i++) size += 2 + names[i].length + 4 + message.headers[i][1].length;
  const bytes = new Uint8Array(size);
  const view = new DataView(bytes.buffer);
  let offset = 0;
  const putBytes = (part: Uint8Array) => {
    bytes.set(part, offset);
    offset += part.length;
  };
  view.setUint8(offset++, 1);
  view.setFloat64(offset, message.timestampMs, true);
  view.setUint16(offset + 8, topic.length, true);
  offset += 10;
  putBytes(topic);
  view.setInt32(offset, message.key === null ? -1 : message.key.length, true);
  offset += 4;
  if (message.key !== null) putBytes(message.key);
  view.setUint16(offset, names.length, true);
  offset += 2;
  for (let i = 0; i < names.length; i++) {
    view.setUint16(offset, names[i].length, true);
    offset += 2;
    putBytes(names[i]);
    view.setUint32(offset, message.headers[i][1].length, true);
    offset += 4;
    putBytes(message.headers[i][1]);
  }
  view.setUint32(offset, message.value.length, true);
  offset += 4;
  putBytes(message.value);
  return bytes;
}

/** Bounds-checked little-endian reads; throws RangeError past the end (caught by `decodeMessage()`). */
class ByteReader {
  offset = 0;
  readonly #bytes: Uint8Array;
  readonly #view: DataView;

  constructor(bytes: Uint8Array) {
    this.#bytes = bytes;
    this.#view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  get done(): boolean {
    return this.offset === this.#bytes.length;
  }

  bytes(length: number): Uint8Array {
    if (length < 0 || this.offset + length > this.#bytes.length) throw new RangeError("Cannot read past the end");
    this.offset += length;
    return this.#bytes.subarray(this.offset - length, this.offset);
  }

  u8(): number {
    return this.#view.getUint8((this.offset += 1) - 1);
  }

  u16(): number {
    return this.#view.getUint16((this.offset += 2) - 2, true);
  }

  u32(): number {
    return this.#view.getUint32((this.offset += 4) - 4, true);
  }

  i32(): number {
    return this.#view.getInt32((this.offset += 4) - 4, true);
  }

  f64(): number {
    return this.#view.getFloat64((this.offset += 8) - 8, true);
  }
}

/** Inverse of `encodeMessage()`; null for bytes that are not a whole version-1 message. */
export function decodeMessage(bytes: Uint8Array): KafkaMessage | null {
  const reader = new ByteReader(bytes);
  try {
    if (reader.u8() !== 1) return null;
    const timestampMs = reader.f64();
    const topic = decoder.decode(reader.bytes(reader.u16()));
    const keyLength = reader.i32();
    const key = keyLength < 0 ? null : reader.bytes(keyLength);
    const headerCount = reader.u16();
    const headers: Array<[string, Uint8Array]> = [];
    for (let i = 0; i < headerCount; i++) {
      const name = decoder.decode(reader.bytes(reader.u16()));
      headers.push([name, reader.bytes(reader.u32())]);
    }
    const value = reader.bytes(reader.u32());
    return reader.done ? { topic, key, value, headers, timestampMs } : null;
  } catch {
    return null; // DataView throws RangeError past the end too.
  }
}
