/**
 * From `OutputRecord` to `KafkaMessage`: topic, key, headers, value bytes, the size cut; and the binary form of a
 * message in the spool.
 *
 * @module
 */
import type { OutputRecord } from "../output.ts";
import type { KafkaMessage } from "./client.ts";
import type { MessageBatch } from "./message_batch.ts";
import {
  type Header,
  type HeaderList,
  headerList,
  headersCountedBytes,
  KeyedHeaders,
  RECORD_OVERHEAD_BYTES,
  type TypeHeaders,
} from "./header_lists.ts";
import { valueJson } from "../prebuilt_json.ts";

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

/** The JSON text of an object value, or null when it has none. */
function jsonOf(value: object): string | null {
  try {
    return valueJson(value) ?? null;
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

  /** Whether the message `next()` returned (or `append()` appended) last was cut. */
  lastCut = false;
  /** Value bytes kept of the last message. */
  #valueBytes = 0;
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
    let value: Uint8Array;
    if (record.value instanceof Uint8Array) value = record.value;
    else {
      const json = jsonOf(record.value);
      if (json === null) return null;
      value = encoder.encode(json);
    }
    const type = this.#type(record.type);
    const list = this.#finish(type, record, value.length);
    const headers = list.headers;
    const key = list.key;
    const timestampMs = timestampOf(record);
    return { topic: type.topic, key, value: value.subarray(0, this.#valueBytes), headers, timestampMs };
  }

  /**
   * Appends the message for `record` to `batch` (`lastCut`, `lastBytes` describe it), its value encoded straight into
   * the batch; false, and nothing appended, when the value cannot be encoded.
   */
  append(batch: MessageBatch, record: OutputRecord): boolean {
    const value = record.value;
    let length: number;
    if (value instanceof Uint8Array) length = batch.writeBytes(value);
    else {
      const json = jsonOf(value);
      if (json === null) return false;
      length = batch.writeText(json);
    }
    const type = this.#type(record.type);
    const list = this.#finish(type, record, length);
    batch.push(type.topic, list, timestampOf(record), this.#valueBytes, this.lastBytes);
    return true;
  }

  /**
   * The header list of a message with a value of `valueLength` bytes; sets `lastCut`, `lastBytes` and the value bytes
   * kept (fewer when cut).
   */
  #finish(type: TypeEntry, record: OutputRecord, valueLength: number): HeaderList {
    let list = this.#headerList(type, record);
    if (record.headers !== undefined) list = withHeaders(list, record.headers);
    let valueBytes = valueLength;
    const otherBytes = RECORD_OVERHEAD_BYTES + (list.key?.length ?? 0) + list.countedBytes;
    const cut = otherBytes + valueLength > this.#options.messageBytesMax;
    if (cut) {
      list = headerList(list.key, [...list.headers, ["truncated", encoder.encode(String(valueLength))]], false);
      valueBytes = Math.max(0, this.#options.messageBytesMax - otherBytes - RECORD_OVERHEAD_BYTES - 16);
    }
    this.#valueBytes = valueBytes;
    this.lastCut = cut;
    this.lastBytes = RECORD_OVERHEAD_BYTES + (list.key?.length ?? 0) + list.countedBytes + valueBytes;
    return list;
  }

  /** The shared list of the record's type and key (a list of its own for a byte key). */
  #headerList(type: TypeEntry, record: OutputRecord): HeaderList {
    const keyText = keyOf(record, this.#options);
    if (typeof keyText === "string") {
      return this.#keys.get(type, keyText) ?? this.#keys.add(type, keyText, encoder.encode(keyText));
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

function timestampOf(record: OutputRecord): number {
  return Number.isFinite(record.timestampMs) ? record.timestampMs : Date.now();
}

/** `list` plus the record's own headers (a list of its own). */
function withHeaders(list: HeaderList, extra: Record<string, string | Uint8Array>): HeaderList {
  const headers: Header[] = [...list.headers];
  for (const [name, value] of Object.entries(extra)) {
    headers.push([name, typeof value === "string" ? encoder.encode(value) : value]);
  }
  return headerList(list.key, headers, false);
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
