/**
 * From `OutputRecord` to `KafkaMessage`: topic, key, headers, value bytes, the size cut; and the binary form of a
 * message in the spool.
 *
 * @module
 */
import type { OutputRecord } from "../output.ts";
import type { KafkaMessage } from "./client.ts";
import {
  type Header,
  headerList,
  headersCountedBytes,
  KeyedHeaders,
  RECORD_OVERHEAD_BYTES,
  type TypeHeaders,
} from "./header_lists.ts";

/** How the Kafka key is chosen: the record's own key (flow or Call-ID, set by the pipeline), none, or a field. */
export type KafkaKeyStrategy = "record" | "none" | "field";

/** What `toKafkaMessage()` needs from the output's options. */
export interface MessageOptions {
  /** Fixed topic; wins over `topicPrefix`. */
  topic?: string;
  /** Topic per record type: `${topicPrefix}-${type}`. */
  topicPrefix?: string;
  keyStrategy: KafkaKeyStrategy;
  /** Field of an object value used as the key with `keyStrategy` "field" (e.g. "call_id"). */
  keyField: string;
  taskId: string;
  agentId: string;
  messageBytesMax: number;
}

/** Encoded message, or why it could not be. */
export type MessageResult =
  /** `bytes`: `messageBytes(message)`, known while encoding. */
  | { message: KafkaMessage; cut: boolean; bytes: number }
  | { message: null; reason: "encode" };

const encoder = new TextEncoder();
const decoder = new TextDecoder();
/**
 * Values and keys are encoded into shared slabs of this size: `TextEncoder.encode()` allocates an ArrayBuffer per
 * call, which cost ≈ 1 µs per 900-byte value, against ≈ 0.3 µs for `encodeInto()` plus a view. A slab lives while
 * any queued message views it; the queue is bounded, so at most queue bytes plus one slab stay alive.
 */
const slabBytes = 1 << 20;
/** Texts whose UTF-8 could exceed this get their own buffer (they would waste most of a slab). */
const slabTextCharsMax = slabBytes / 16;
let slab = new Uint8Array(slabBytes);
let slabOffset = 0;

/** UTF-8 of `text`, a view into the current slab for short texts. */
function utf8(text: string): Uint8Array {
  if (text.length > slabTextCharsMax) return encoder.encode(text);
  if (slabOffset + text.length * 3 > slabBytes) { // 3 bytes per UTF-16 unit is the worst case.
    slab = new Uint8Array(slabBytes);
    slabOffset = 0;
  }
  const start = slabOffset;
  // A view of exactly text.length bytes: if the whole text fits, every unit took one byte (ASCII, the usual case for
  // JSON records) and the view is the result; one view per text instead of a target and a result.
  const view = slab.subarray(start, start + text.length);
  const { read, written } = encoder.encodeInto(text, view);
  if (read === text.length) {
    slabOffset += written;
    return view;
  }
  slabOffset += encoder.encodeInto(text, slab.subarray(start)).written;
  return slab.subarray(start, slabOffset);
}

function topicFor(type: string, options: MessageOptions): string {
  if (options.topic !== undefined) return options.topic;
  return `${options.topicPrefix ?? "capture"}-${type.replace(/[^a-zA-Z0-9._-]/g, "_")}`;
}

/** The record's key before encoding: text, bytes, or null for none. */
function keyOf(record: OutputRecord, options: MessageOptions): string | Uint8Array | null {
  if (options.keyStrategy === "none") return null;
  let key: unknown = record.key;
  if (options.keyStrategy === "field") {
    const value = record.value instanceof Uint8Array ? undefined : (record.value as Record<string, unknown>);
    key = value?.[options.keyField];
    if (typeof key === "number") key = String(key);
  }
  if (typeof key === "string") return key === "" ? null : key;
  return key instanceof Uint8Array ? key : null;
}

function valueBytes(value: object | Uint8Array): Uint8Array | null {
  if (value instanceof Uint8Array) return value;
  try {
    const json = JSON.stringify(value);
    return json === undefined ? null : utf8(json);
  } catch {
    return null; // BigInt or a cycle: counted by the caller, never thrown into capture.
  }
}

interface TypeEntry extends TypeHeaders {
  topic: string;
}

/**
 * Builds messages from records. Header values that repeat (task, agent, type) are encoded once and shared, which
 * matters: per-record `TextEncoder` calls cost more than the JSON serialisation itself. Keys repeat too (every packet
 * of a call or flow has the same): the whole header list of a recent key is shared, frozen and pre-encoded for the
 * record batch (record_batch.ts `shareHeaders()`), so a message holds no header objects of its own.
 *
 * Values that would make the message larger than `messageBytesMax` are cut to fit and flagged with a `truncated`
 * header holding the original value length.
 */
export class MessageEncoder {
  readonly #options: MessageOptions;
  readonly #task: Header;
  readonly #agent: Header;
  readonly #types = new Map<string, TypeEntry>();
  readonly #keys = new KeyedHeaders();

  constructor(options: MessageOptions) {
    this.#options = options;
    this.#task = ["task", encoder.encode(options.taskId)];
    this.#agent = ["agent", encoder.encode(options.agentId)];
  }

  /** The message for `record`, or why there is none. */
  encode(record: OutputRecord): MessageResult {
    let value = valueBytes(record.value);
    if (value === null) return { message: null, reason: "encode" };
    const type = this.#type(record.type);
    const keyText = keyOf(record, this.#options);
    let list = type.keyless;
    if (typeof keyText === "string") {
      list = this.#keys.get(type, keyText) ?? this.#keys.add(type, keyText, utf8(keyText));
    } else if (keyText !== null) {
      list = headerList(keyText, [...type.keyless.headers, ["key", keyText]], false);
    }
    const key = list.key;
    let headers = list.headers;
    let otherBytes = RECORD_OVERHEAD_BYTES + (key?.length ?? 0) + list.countedBytes;
    if (record.headers !== undefined) {
      headers = [...headers];
      for (const [name, headerValue] of Object.entries(record.headers)) {
        const header: Header = [name, typeof headerValue === "string" ? encoder.encode(headerValue) : headerValue];
        headers.push(header);
        otherBytes += RECORD_OVERHEAD_BYTES + name.length + header[1].length;
      }
    }
    const cut = otherBytes + value.length > this.#options.messageBytesMax;
    if (cut) {
      headers = [...headers, ["truncated", encoder.encode(String(value.length))]];
      value = value.subarray(0, Math.max(0, this.#options.messageBytesMax - otherBytes - RECORD_OVERHEAD_BYTES - 16));
    }
    const timestampMs = Number.isFinite(record.timestampMs) ? record.timestampMs : Date.now();
    const message = { topic: type.topic, key, value, headers, timestampMs };
    return { message, cut, bytes: cut ? messageBytes(message) : otherBytes + value.length };
  }

  #type(type: string): TypeEntry {
    let cached = this.#types.get(type);
    if (cached === undefined) {
      const keyless = headerList(null, [this.#task, this.#agent, ["type", encoder.encode(type)]]);
      cached = { topic: topicFor(type, this.#options), keyless, keyed: new Map() };
      // Types come from code, not traffic; the bound only guards against a caller bug.
      if (this.#types.size < 1024) this.#types.set(type, cached);
    }
    return cached;
  }
}

/** One-off form of `MessageEncoder.encode()`. */
export function toKafkaMessage(record: OutputRecord, options: MessageOptions): MessageResult {
  return new MessageEncoder(options).encode(record);
}

/** Size of a message as the output counts it (batch and queue limits). */
export function messageBytes(message: KafkaMessage): number {
  return RECORD_OVERHEAD_BYTES + message.value.length + (message.key?.length ?? 0) +
    headersCountedBytes(message.headers);
}

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
