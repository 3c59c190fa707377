/**
 * Kafka messages in columns: one value buffer, typed arrays for value ends and timestamps, and two arrays of shared
 * references (topic, header list). A batch holds no object per message, which is what the output's queue and its
 * batches in flight are made of: per-message objects that lived through a linger and an acknowledgement were copied
 * by every young-generation collection and then promoted, and that cost as much as the JSON serialisation
 * (docs/decisions.md, "Messages in columns"). Batches are reused (`reset()`) once acknowledged.
 *
 * Values are written first (`writeText()`, `writeBytes()`), then `push()` commits them as a message, so an encoder
 * can size the rest of a message once its value's bytes are known.
 *
 * @module
 */
import type { KafkaMessage } from "./client.ts";
import { type HeaderList, headerList } from "./header_lists.ts";
import { messageBytes } from "./message.ts";
import { copyBytes } from "./record_batch.ts";

/** Value bytes a new batch starts with; it doubles as needed (and keeps its size when reused). */
const valueBytesInitial = 64 * 1024;

const encoder = new TextEncoder();

/** See the module documentation. */
export class MessageBatch {
  /** Messages committed. */
  count = 0;
  /** Sum of their `messageBytes()` (the size the output's limits count). */
  bytes = 0;
  /** Messages it has room for (the arrays are sized once). */
  readonly recordsMax: number;
  #values: Uint8Array;
  /** Value `i` spans `ends[i - 1]` (0 for the first) to `ends[i]`; bytes past the last end are uncommitted. */
  readonly #ends: Int32Array;
  /** End of the value written and not yet pushed (the last end while there is none). */
  #written = 0;
  readonly #timestamps: Float64Array;
  readonly #topics: string[];
  readonly #lists: (HeaderList | undefined)[];
  readonly #counted: Float64Array;

  constructor(recordsMax: number, valueBytes = valueBytesInitial) {
    if (!Number.isInteger(recordsMax) || recordsMax < 1) throw new RangeError(`Bad batch size ${recordsMax}`);
    this.recordsMax = recordsMax;
    this.#values = new Uint8Array(Math.max(16, valueBytes));
    this.#ends = new Int32Array(recordsMax);
    this.#timestamps = new Float64Array(recordsMax);
    this.#counted = new Float64Array(recordsMax);
    this.#topics = new Array<string>(recordsMax).fill("");
    this.#lists = new Array<HeaderList | undefined>(recordsMax).fill(undefined);
  }

  /** A batch of copies of `messages` (replay from the spool, tests). */
  static fromMessages(messages: readonly KafkaMessage[]): MessageBatch {
    let valueBytes = 0;
    for (const message of messages) valueBytes += message.value.length;
    const batch = new MessageBatch(Math.max(1, messages.length), valueBytes);
    for (const message of messages) {
      const length = batch.writeBytes(message.value);
      const list = headerList(message.key, message.headers, false);
      batch.push(message.topic, list, message.timestampMs, length, messageBytes(message));
    }
    return batch;
  }

  /**
   * The columns themselves, for the record batch encoder's loop (record_batch.ts), which reads them and writes
   * nothing: value `i` spans `ends[i - 1]` (0 for the first) to `ends[i]` of `values`.
   */
  get columns(): {
    values: Uint8Array;
    ends: Int32Array;
    timestamps: Float64Array;
    lists: readonly (HeaderList | undefined)[];
  } {
    return { values: this.#values, ends: this.#ends, timestamps: this.#timestamps, lists: this.#lists };
  }

  /** No room for another message. */
  get full(): boolean {
    return this.count >= this.recordsMax;
  }

  /** Bytes of value buffer committed. */
  get valueBytesUsed(): number {
    return this.count === 0 ? 0 : this.#ends[this.count - 1];
  }

  /** Writes `text` as UTF-8 after the last value (replacing any value not pushed); returns its bytes. */
  writeText(text: string): number {
    const start = this.valueBytesUsed;
    this.#reserve(start, text.length);
    // Exactly text.length bytes first: ASCII (the usual JSON) fits and is done in one call.
    const { read, written } = encoder.encodeInto(text, this.#values.subarray(start, start + text.length));
    if (read === text.length) return this.#wrote(start, written);
    this.#reserve(start, text.length * 3); // The worst case of UTF-16 to UTF-8.
    return this.#wrote(start, encoder.encodeInto(text, this.#values.subarray(start)).written);
  }

  /** Writes `bytes` after the last value (replacing any value not pushed); returns its length. */
  writeBytes(bytes: Uint8Array): number {
    const start = this.valueBytesUsed;
    this.#reserve(start, bytes.length);
    copyBytes(this.#values, start, bytes);
    return this.#wrote(start, bytes.length);
  }

  /**
   * Commits the value written last, its first `valueBytes` bytes (fewer than written: a cut value), as a message.
   * `countedBytes`: its `messageBytes()`.
   */
  push(topic: string, list: HeaderList, timestampMs: number, valueBytes: number, countedBytes: number): void {
    const i = this.count;
    if (i >= this.recordsMax) throw new RangeError(`Batch full (${this.recordsMax} messages)`);
    const start = this.valueBytesUsed;
    if (valueBytes < 0 || start + valueBytes > this.#written) throw new RangeError("push() without its value");
    this.#ends[i] = start + valueBytes;
    this.#written = start + valueBytes;
    this.#timestamps[i] = timestampMs;
    this.#topics[i] = topic;
    this.#lists[i] = list;
    this.#counted[i] = countedBytes;
    this.bytes += countedBytes;
    this.count = i + 1;
  }

  /** Removes the last message. */
  pop(): void {
    if (this.count === 0) throw new RangeError("pop() of an empty batch");
    this.count--;
    this.bytes -= this.#counted[this.count];
    this.#lists[this.count] = undefined;
    this.#written = this.valueBytesUsed;
  }

  /** Moves the last message of `from` to the end of this batch. */
  moveLastFrom(from: MessageBatch): void {
    const i = from.count - 1;
    if (i < 0) throw new RangeError("moveLastFrom() an empty batch");
    const length = this.writeBytes(from.value(i));
    this.push(from.topic(i), from.list(i), from.timestampMs(i), length, from.countedBytes(i));
    from.pop();
  }

  /** Empties the batch for reuse (its buffers stay). */
  reset(): void {
    this.#lists.fill(undefined, 0, this.count); // Nothing kept alive by a batch waiting in a pool.
    this.count = 0;
    this.bytes = 0;
    this.#written = 0;
  }

  topic(i: number): string {
    return this.#topics[i];
  }

  /** The message's header list (its key and headers). */
  list(i: number): HeaderList {
    return this.#lists[i]!;
  }

  key(i: number): Uint8Array | null {
    return this.#lists[i]!.key;
  }

  timestampMs(i: number): number {
    return this.#timestamps[i];
  }

  countedBytes(i: number): number {
    return this.#counted[i];
  }

  /** A view of value `i` (valid until the batch is reset). */
  value(i: number): Uint8Array {
    return this.#values.subarray(i === 0 ? 0 : this.#ends[i - 1], this.#ends[i]);
  }

  /** Message `i` as an object owning copies of its bytes (for the spool, and for clients that want objects). */
  message(i: number): KafkaMessage {
    const list = this.list(i);
    return {
      topic: this.topic(i),
      key: list.key,
      value: this.value(i).slice(),
      headers: list.headers,
      timestampMs: this.timestampMs(i),
    };
  }

  /** Every message as `message()` makes it. */
  messages(): KafkaMessage[] {
    return Array.from({ length: this.count }, (_, i) => this.message(i));
  }

  /** Room for `bytes` more from `start`, growing the buffer by doubling (what was written before is kept). */
  #reserve(start: number, bytes: number): void {
    if (start + bytes <= this.#values.length) return;
    let size = this.#values.length * 2;
    while (size < start + bytes) size *= 2;
    const grown = new Uint8Array(size);
    grown.set(this.#values.subarray(0, start));
    this.#values = grown;
  }

  #wrote(start: number, bytes: number): number {
    this.#written = start + bytes;
    return bytes;
  }
}
