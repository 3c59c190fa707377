/**
 * `WsInflater`: the receiving side of permessage-deflate (RFC 7692 §7.2.2) for one direction. Each compressed message
 * is raw DEFLATE ending in an empty stored block whose last four bytes (00 00 ff ff) the sender removed; they are fed
 * back after the message. The LZ77 window lives across messages (context takeover) unless the sender resets it.
 * pako's zlib port is driven directly so inflation is synchronous and writes into one buffer per direction that grows
 * only to the bound; node:zlib has no synchronous inflater that persists across calls.
 * @module
 */
import {
  Z_BUF_ERROR,
  Z_OK,
  Z_STREAM_END,
  Z_SYNC_FLUSH,
  zlibInflate,
  zlibInflateInit2,
  zlibInflateReset,
  zlibInflateResetKeep,
  ZStream,
} from "pako";

/** How one message inflated: `error` (corrupt, or it refers to bytes this window never held) or over the bound. */
export type InflateOutcome = "ok" | "error" | "too_large";

/** Options of a `WsInflater`. */
export interface WsInflaterOptions {
  /** The sender's LZ77 window (8..15; zlib compresses with at least 9). */
  windowBits: number;
  /** The sender starts every message with an empty window. */
  noContextTakeover: boolean;
  /** Longest inflated message; longer ones are `too_large`. */
  inflatedBytesMax: number;
  /** Whether the window holds everything the sender sent so far (false when picked up mid-stream). @default true */
  contextKnown?: boolean;
}

/** The four bytes a sync flush ends with, which senders strip (RFC 7692 §7.2.1). */
const TAIL = Uint8Array.from([0x00, 0x00, 0xff, 0xff]);
const WINDOW_BITS_MIN = 9;
const BUFFER_BYTES_INITIAL = 4096;
/** An output buffer grown past this for a large message is released before the next one. */
const BUFFER_BYTES_KEPT = 65536;

/** Inflation state of one direction. */
export class WsInflater {
  /**
   * The window holds every byte the sender may refer to. False after a message was lost (lost bytes, an inflate
   * error) or for a connection picked up mid-stream with context takeover: a failure then means a missing dictionary.
   */
  contextKnown: boolean;
  readonly #options: WsInflaterOptions;
  #stream: ZStream | undefined;
  #buffer: Uint8Array<ArrayBuffer> = new Uint8Array(0);
  #outBytes = 0;
  /** The message just read ended its DEFLATE stream with a final block: no tail to feed. */
  #streamEnded = false;

  /** Creates the inflater; its zlib state and window are allocated at the first message. */
  constructor(options: WsInflaterOptions) {
    this.#options = options;
    this.contextKnown = options.contextKnown ?? true;
  }

  /** The last message inflated; valid until the next `inflate`. */
  get output(): Uint8Array {
    return this.#buffer.subarray(0, this.#outBytes);
  }

  /** Inflates one whole compressed message (without its tail) into `output`. */
  inflate(compressed: Uint8Array): InflateOutcome {
    const stream = this.#stream ??= this.#createStream();
    if (this.#options.noContextTakeover) zlibInflateReset(stream);
    if (this.#buffer.length > BUFFER_BYTES_KEPT || this.#buffer.length === 0) {
      this.#buffer = new Uint8Array(BUFFER_BYTES_INITIAL);
    }
    this.#outBytes = 0;
    this.#streamEnded = false;
    let outcome = this.#run(stream, compressed);
    if (outcome === "ok" && !this.#streamEnded) outcome = this.#run(stream, TAIL);
    if (outcome !== "ok") {
      this.#outBytes = 0;
      this.loseContext();
    }
    return outcome;
  }

  /** Messages of the sender were not inflated: the window no longer holds what its next messages refer to. */
  loseContext(): void {
    if (this.#stream !== undefined) zlibInflateReset(this.#stream);
    this.contextKnown = this.#options.noContextTakeover;
  }

  #createStream(): ZStream {
    const stream = new ZStream();
    zlibInflateInit2(stream, -Math.max(WINDOW_BITS_MIN, this.#options.windowBits));
    return stream;
  }

  /** Feeds `input` with a sync flush, growing the output to the bound. */
  #run(stream: ZStream, input: Uint8Array): InflateOutcome {
    const limit = this.#options.inflatedBytesMax;
    stream.input = input;
    stream.next_in = 0;
    stream.avail_in = input.length;
    for (;;) {
      stream.output = this.#buffer;
      stream.next_out = this.#outBytes;
      stream.avail_out = this.#buffer.length - this.#outBytes;
      const status = zlibInflate(stream, Z_SYNC_FLUSH);
      this.#outBytes = stream.next_out;
      if (this.#outBytes > limit) return "too_large";
      if (status === Z_STREAM_END) {
        // A final block (BFINAL) ends the DEFLATE stream; the next message starts a new one over the same window.
        zlibInflateResetKeep(stream);
        this.#streamEnded = true;
        return "ok";
      }
      if (status !== Z_OK && status !== Z_BUF_ERROR) return "error";
      if (stream.avail_out > 0) return stream.avail_in === 0 ? "ok" : "error";
      if (this.#buffer.length > limit) return "too_large";
      this.#grow(limit);
    }
  }

  /** Doubles the output buffer, up to one byte past the bound (so an overflow shows). */
  #grow(limit: number): void {
    const grown = new Uint8Array(Math.min(limit + 1, 2 * this.#buffer.length));
    grown.set(this.#buffer.subarray(0, this.#outBytes));
    this.#buffer = grown;
  }
}
