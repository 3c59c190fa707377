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
  type HeaderList,
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

  /** Whether the message `next()` returned last was cut. */
  lastCut = false;
  /** `messageBytes()` of the message `next()` returned last, known while encoding. */
  lastBytes = 0;

  /** The message for `record`, or why there is none. */
  encode(record: OutputRecord): MessageResult {
    const message = this.next(record);
    if (message === null) return { message: null, reason: "encode" };
    return { message, cut: this.lastCut, bytes: this.lastBytes };
  }

  /** The message for `record` (`lastCut`, `lastBytes` describe it), or null when its value cannot be encoded. */
  next(record: OutputRecord): KafkaMessage | null {
    const value = valueBytes(record.value);
    if (value === null) return null;
    const type = this.#type(record.type);
    const list = this.#headerList(type, record);
    const timestampMs = Number.isFinite(record.timestampMs) ? record.timestampMs : Date.now();
    return this.#message(value, type.topic, list, record, timestampMs);
  }

  #message(
    bytes: Uint8Array,
    topic: string,
    list: HeaderList,
    record: OutputRecord,
    timestampMs: number,
  ): KafkaMessage {
    let value = bytes;
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
    const message = { topic, key, value, headers, timestampMs };
    this.lastCut = cut;
    this.lastBytes = cut ? messageBytes(message) : otherBytes + value.length;
    return message;
  }

  /** The shared list of the record's type and key (a list of its own for a byte key). */
  #headerList(type: TypeEntry, record: OutputRecord): HeaderList {
    const keyText = keyOf(record, this.#options);
    if (typeof keyText === "string") {
      return this.#keys.get(type, keyText) ?? this.#keys.add(type, keyText, utf8(keyText));
    }
    if (keyText !== null) return headerList(keyText, [...type.keyless.headers, ["key", keyText]], false);
    return type.keyless;
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
