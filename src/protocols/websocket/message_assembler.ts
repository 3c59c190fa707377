/**
 * `WsMessageAssembler`: the WebSocket message (RFC 6455 §5.4) a direction is joining from its data frames. Masked and
 * fragmented payloads are unmasked into one buffer that grows only to `messageBytesMax`; a longer message is skipped
 * and counted. With permessage-deflate (RFC 7692), a message whose first frame had RSV1 is inflated when whole.
 * @module
 */
import type { WsInflater } from "./inflater.ts";
import { type WebSocketStats, WsOpcode } from "./types.ts";

const BUFFER_BYTES_INITIAL = 2048;
/** A buffer grown past this for a large message is released after it, so idle connections stay small. */
const BUFFER_BYTES_KEPT = 65536;
const EMPTY = new Uint8Array(0);

/** Receives the messages a `WsFrameReader` finds. */
export interface WsFrameSink {
  /** One whole text or binary message; `payload` is valid only during the call. */
  message(payload: Uint8Array, binary: boolean): void;
}

/** The open message of one direction, its buffer and its inflater. */
export class WsMessageAssembler {
  /** Inflates messages whose first frame has RSV1 (permessage-deflate). */
  inflater: WsInflater | undefined;
  readonly #stats: WebSocketStats;
  readonly #messageBytesMax: number;
  // The message being joined: opcode (0 when none), frames so far, and whether it is being skipped.
  #opcode = 0;
  #frames = 0;
  #skipped = false;
  #compressed = false;
  #buffer: Uint8Array | null = null;
  #bufferBytes = 0;

  /** An assembler counting into `stats` that keeps messages of at most `messageBytesMax` bytes. */
  constructor(stats: WebSocketStats, messageBytesMax: number) {
    this.#stats = stats;
    this.#messageBytesMax = messageBytesMax;
  }

  /** Bytes of the open message gathered so far. */
  get bufferedBytes(): number {
    return this.#bufferBytes;
  }

  /** The open message is too long: its frames are read past, not kept. */
  get skipped(): boolean {
    return this.#skipped;
  }

  /**
   * A text, binary or continuation frame of `payloadBytes` begins: opens or continues the message. False when it
   * belongs to no message (a continuation with none open, counted), so its FIN ends nothing.
   */
  beginFrame(opcode: number, payloadBytes: number, compressed: boolean): boolean {
    const invalid = this.#stats.invalid;
    if (opcode === WsOpcode.CONTINUATION) {
      if (this.#opcode === 0) {
        invalid.unexpected_continuation++;
        return false;
      }
    } else {
      if (this.#opcode !== 0) {
        invalid.expected_continuation++;
        this.drop();
      }
      this.#opcode = opcode;
      this.#frames = 0;
      this.#skipped = false;
      this.#compressed = compressed;
      this.#bufferBytes = 0;
    }
    this.#frames++;
    if (!this.#skipped && this.#bufferBytes + payloadBytes > this.#messageBytesMax) {
      invalid.too_large++;
      this.#skipped = true;
      this.#bufferBytes = 0;
    }
    return true;
  }

  /**
   * Copies `n` payload bytes at `at` into the message buffer, unmasked with `mask` (null: not masked) from payload
   * byte `maskOffset` on. `beginFrame` checked the bound.
   */
  append(data: Uint8Array, at: number, n: number, mask: Uint8Array | null, maskOffset: number): void {
    const needed = this.#bufferBytes + n;
    if (this.#buffer === null || needed > this.#buffer.length) {
      const size = Math.min(this.#messageBytesMax, Math.max(needed, BUFFER_BYTES_INITIAL, 2 * this.#bufferBytes));
      const grown = new Uint8Array(size);
      if (this.#buffer !== null) grown.set(this.#buffer.subarray(0, this.#bufferBytes));
      this.#buffer = grown;
    }
    const buffer = this.#buffer;
    const out = this.#bufferBytes;
    if (mask === null) buffer.set(data.subarray(at, at + n), out);
    else {
      for (let k = 0; k < n; k++) buffer[out + k] = data[at + k] ^ mask[(maskOffset + k) & 3];
    }
    this.#bufferBytes = needed;
  }

  /**
   * The open message is whole: hands it (inflated when compressed) to `sink` and counts it. `payload`: the whole
   * message when it arrived in one piece and was never buffered; null for the buffered bytes.
   */
  finish(payload: Uint8Array | null, sink: WsFrameSink): void {
    const stats = this.#stats;
    const bytes = payload ?? (this.#buffer === null ? EMPTY : this.#buffer.subarray(0, this.#bufferBytes));
    const binary = this.#opcode === WsOpcode.BINARY;
    const compressed = this.#compressed;
    // Inflated or not, the inflater has seen this message: its window is where the sender's is.
    this.#compressed = false;
    if (compressed && !this.#inflate(bytes)) return this.drop();
    stats.messages++;
    if (this.#frames > 1) stats.fragmentedMessages++;
    sink.message(compressed ? this.inflater!.output : bytes, binary);
    this.drop();
  }

  /** Ends the open message; a compressed one not inflated leaves the sender's window ahead of ours. */
  drop(): void {
    if (this.#compressed) this.inflater?.loseContext();
    this.#opcode = 0;
    this.#frames = 0;
    this.#skipped = false;
    this.#compressed = false;
    this.#bufferBytes = 0;
    if (this.#buffer !== null && this.#buffer.length > BUFFER_BYTES_KEPT) this.#buffer = null;
  }

  /** Inflates a compressed message into the inflater's output; false (counted) when it cannot be read. */
  #inflate(payload: Uint8Array): boolean {
    const inflater = this.inflater!;
    const contextKnown = inflater.contextKnown;
    const outcome = inflater.inflate(payload);
    const invalid = this.#stats.invalid;
    if (outcome === "ok") this.#stats.inflatedMessages++;
    else if (outcome === "too_large") invalid.inflate_too_large++;
    else if (contextKnown) invalid.inflate_error++;
    else invalid.inflate_no_context++;
    return outcome === "ok";
  }
}
