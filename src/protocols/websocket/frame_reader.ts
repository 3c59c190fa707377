/**
 * `WsFrameReader`: WebSocket frames (RFC 6455 §5) of one direction of a byte stream, cut into whole text/binary
 * messages. Headers split anywhere are gathered in a 14-byte scratch; masked payloads are unmasked and fragmented
 * messages joined in one buffer per direction that grows only to `messageBytesMax`; an unmasked single-frame message
 * that arrived in one delivery is handed over in place, without a copy. Control frames (ping, pong, close) may come
 * between the fragments of a message and are only counted. A frame that breaks the framing (reserved opcode or bits,
 * bad control frame, impossible length) or lost bytes stop the direction until `resync` (lengths can no longer be
 * trusted). With permessage-deflate, RSV1 on the first frame marks a compressed message, inflated when whole.
 * @module
 */
import { WsInflater } from "./inflater.ts";
import { WS_INFLATED_BYTES_MAX_DEFAULT, WS_MESSAGE_BYTES_MAX_DEFAULT } from "./limits.ts";
import { type WebSocketStats, WsOpcode } from "./types.ts";

export { WS_MESSAGE_BYTES_MAX_DEFAULT };

const HEAD_BYTES_MIN = 2;
const BUFFER_BYTES_INITIAL = 2048;
/** A buffer grown past this for a large message is released after it, so idle connections stay small. */
const BUFFER_BYTES_KEPT = 65536;
/** 2^53 / 2^32: a 64-bit length at or above this is not a length we can follow (and the top bit must be 0). */
const LENGTH_HIGH_LIMIT = 0x200000;
const EMPTY = new Uint8Array(0);
/** Messages after a guessed boundary before a framing error no longer counts as a wrong guess. */
const GUESS_MESSAGES_CHECKED = 2;

const enum State {
  HEAD,
  PAYLOAD,
  /** Framing lost: every byte is skipped. */
  DEAD,
  /** A Close frame was read: nothing may follow. */
  CLOSED,
}

/** Receives the messages a `WsFrameReader` finds. */
export interface WsFrameSink {
  /** One whole text or binary message; `payload` is valid only during the call. */
  message(payload: Uint8Array, binary: boolean): void;
}

/** Options of a `WsFrameReader`. */
export interface WsFrameReaderOptions {
  /** Frames of this direction must be masked (client → server). */
  fromClient: boolean;
  /** Counters (shared by the connections of a pipeline). */
  stats: WebSocketStats;
  /** Longest message kept; longer ones are skipped and counted `too_large`. */
  messageBytesMax?: number;
}

/** Frame state of one direction. */
export class WsFrameReader {
  /** Inflates messages whose first frame has RSV1 (permessage-deflate); without it RSV1 is a framing error. */
  inflater: WsInflater | undefined;
  #fromClient: boolean;
  readonly #stats: WebSocketStats;
  readonly #messageBytesMax: number;
  #state = State.HEAD;
  readonly #head = new Uint8Array(14);
  #headBytes = 0;
  #headNeed = HEAD_BYTES_MIN;
  // The frame being read.
  #fin = false;
  #opcode = 0;
  #masked = false;
  readonly #mask = new Uint8Array(4);
  #payloadLeft = 0;
  #payloadDone = 0;
  /** The frame's payload is copied into the message buffer. */
  #keep = false;
  /** The frame is a data frame of the open message (its FIN ends the message). */
  #ofMessage = false;
  // The message being joined: opcode (0 when none), frames so far, and whether it is being skipped.
  #messageOpcode = 0;
  #messageFrames = 0;
  #messageSkipped = false;
  #messageCompressed = false;
  /** Messages still to come before the framing counts as confirmed after a guessed boundary (0: not guessed). */
  #guessMessagesLeft = 0;
  #buffer: Uint8Array | null = null;
  #bufferBytes = 0;

  /** Creates the reader of one direction. */
  constructor(options: WsFrameReaderOptions) {
    this.#fromClient = options.fromClient;
    this.#stats = options.stats;
    this.#messageBytesMax = options.messageBytesMax ?? WS_MESSAGE_BYTES_MAX_DEFAULT;
  }

  /** Whether permessage-deflate is on, with default parameters when switched on here (tests, fuzzing). */
  get deflate(): boolean {
    return this.inflater !== undefined;
  }

  set deflate(on: boolean) {
    this.inflater = on
      ? new WsInflater({ windowBits: 15, noContextTakeover: false, inflatedBytesMax: WS_INFLATED_BYTES_MAX_DEFAULT })
      : undefined;
  }

  /** True once a framing error or lost bytes stopped the direction (not after a Close). */
  get framingLost(): boolean {
    return this.#state === State.DEAD;
  }

  /** False once the framing was lost or the direction closed. */
  get readable(): boolean {
    return this.#state === State.HEAD || this.#state === State.PAYLOAD;
  }

  /** Bytes of a message waiting for its next frames. */
  get bufferedBytes(): number {
    return this.#bufferBytes;
  }

  /** Feeds the next in-order bytes `data[offset, offset + bytes)`. */
  push(data: Uint8Array, offset: number, bytes: number, sink: WsFrameSink): void {
    let at = offset;
    const end = offset + bytes;
    while (at < end) {
      if (this.#state === State.HEAD) at = this.#readHead(data, at, end, sink);
      else if (this.#state === State.PAYLOAD) at = this.#readPayload(data, at, end, sink);
      else {
        if (this.#state === State.CLOSED) this.#stats.invalid.data_after_close++;
        this.#stats.skippedBytes += end - at;
        return;
      }
    }
  }

  /** Bytes were lost: frame boundaries are unknown from here on. */
  gap(): void {
    if (this.readable) this.#fail("gap");
  }

  /**
   * The next pushed byte starts a frame (a boundary guessed by `sniffWsSip`); `fromClient` is what its mask bit says.
   * Whatever message was open is dropped, and with it the inflater's knowledge of earlier messages.
   */
  resync(fromClient: boolean): void {
    this.#fromClient = fromClient;
    this.#state = State.HEAD;
    this.#headBytes = 0;
    this.#headNeed = HEAD_BYTES_MIN;
    this.#dropMessage();
    this.inflater?.loseContext();
    this.#guessMessagesLeft = GUESS_MESSAGES_CHECKED;
  }

  #readHead(data: Uint8Array, at: number, end: number, sink: WsFrameSink): number {
    const head = this.#head;
    const n = Math.min(this.#headNeed - this.#headBytes, end - at);
    for (let k = 0; k < n; k++) head[this.#headBytes + k] = data[at + k];
    this.#headBytes += n;
    at += n;
    if (this.#headBytes < this.#headNeed) return at;
    if (this.#headNeed === HEAD_BYTES_MIN) {
      const length7 = head[1] & 0x7f;
      const extended = length7 === 126 ? 2 : length7 === 127 ? 8 : 0;
      this.#headNeed = HEAD_BYTES_MIN + extended + ((head[1] & 0x80) !== 0 ? 4 : 0);
      if (this.#headNeed > HEAD_BYTES_MIN) return at;
    }
    this.#beginFrame(sink);
    return at;
  }

  /** Decodes the gathered header and checks it (RFC 6455 §5.2, §5.5). */
  #beginFrame(sink: WsFrameSink): void {
    const head = this.#head;
    const first = head[0];
    const length7 = head[1] & 0x7f;
    this.#headBytes = 0;
    this.#headNeed = HEAD_BYTES_MIN;
    this.#fin = (first & 0x80) !== 0;
    this.#opcode = first & 0x0f;
    this.#masked = (head[1] & 0x80) !== 0;
    let length = length7;
    let at = HEAD_BYTES_MIN;
    if (length7 === 126) {
      length = (head[2] << 8) | head[3];
      at = 4;
    } else if (length7 === 127) {
      const high = readU32(head, 2);
      if (high >= LENGTH_HIGH_LIMIT) return this.#fail("bad_length");
      length = high * 0x1_0000_0000 + readU32(head, 6);
      at = 10;
    }
    if (this.#masked) { for (let k = 0; k < 4; k++) this.#mask[k] = head[at + k]; }
    this.#stats.frames++;
    const opcode = this.#opcode;
    const control = opcode >= WsOpcode.CLOSE;
    if (control ? opcode > WsOpcode.PONG : opcode > WsOpcode.BINARY) return this.#fail("bad_opcode");
    if (control && (!this.#fin || length > 125)) return this.#fail("bad_control_frame");
    const reserved = first & 0x70;
    const compressed = reserved === 0x40 && this.inflater !== undefined && !control && opcode !== WsOpcode.CONTINUATION;
    if (reserved !== 0 && !compressed) return this.#fail("reserved_bits");
    if (this.#masked !== this.#fromClient) this.#stats.invalid.mask_mismatch++;
    this.#payloadLeft = length;
    this.#payloadDone = 0;
    this.#keep = false;
    this.#ofMessage = false;
    if (!control) this.#startData(compressed);
    this.#state = State.PAYLOAD;
    if (length === 0) this.#endFrame(sink);
  }

  /** A text, binary or continuation frame: opens or continues the message and decides whether to keep its bytes. */
  #startData(compressed: boolean): void {
    const invalid = this.#stats.invalid;
    if (this.#opcode === WsOpcode.CONTINUATION) {
      if (this.#messageOpcode === 0) {
        invalid.unexpected_continuation++;
        return;
      }
    } else {
      if (this.#messageOpcode !== 0) {
        invalid.expected_continuation++;
        this.#dropMessage();
      }
      this.#messageOpcode = this.#opcode;
      this.#messageFrames = 0;
      this.#messageSkipped = false;
      this.#messageCompressed = compressed;
      this.#bufferBytes = 0;
    }
    this.#ofMessage = true;
    this.#messageFrames++;
    if (!this.#messageSkipped && this.#bufferBytes + this.#payloadLeft > this.#messageBytesMax) {
      invalid.too_large++;
      this.#messageSkipped = true;
      this.#bufferBytes = 0;
    }
    this.#keep = !this.#messageSkipped;
  }

  #readPayload(data: Uint8Array, at: number, end: number, sink: WsFrameSink): number {
    const n = Math.min(this.#payloadLeft, end - at);
    if (this.#keep) {
      const whole = this.#payloadDone === 0 && n === this.#payloadLeft && this.#fin;
      if (whole && !this.#masked && this.#bufferBytes === 0) {
        // The common server-side case: the message is right here, unmasked; no copy.
        this.#state = State.HEAD;
        this.#payloadLeft = 0;
        this.#endMessage(data.subarray(at, at + n), sink);
        return at + n;
      }
      this.#append(data, at, n);
    }
    this.#payloadDone += n;
    this.#payloadLeft -= n;
    if (this.#payloadLeft === 0) this.#endFrame(sink);
    return at + n;
  }

  #endFrame(sink: WsFrameSink): void {
    this.#state = State.HEAD;
    const stats = this.#stats;
    switch (this.#opcode) {
      case WsOpcode.PING:
        stats.pings++;
        return;
      case WsOpcode.PONG:
        stats.pongs++;
        return;
      case WsOpcode.CLOSE:
        stats.closes++;
        this.#state = State.CLOSED;
        this.#dropMessage();
        return;
    }
    if (!this.#ofMessage || !this.#fin) return;
    if (this.#messageSkipped) this.#dropMessage();
    else this.#endMessage(this.#buffer === null ? EMPTY : this.#buffer.subarray(0, this.#bufferBytes), sink);
  }

  #endMessage(payload: Uint8Array, sink: WsFrameSink): void {
    const stats = this.#stats;
    const binary = this.#messageOpcode === WsOpcode.BINARY;
    if (this.#guessMessagesLeft > 0) this.#guessMessagesLeft--;
    const compressed = this.#messageCompressed;
    // Inflated or not, the inflater has seen this message: its window is where the sender's is.
    this.#messageCompressed = false;
    if (compressed && !this.#inflate(payload)) return this.#dropMessage();
    stats.messages++;
    if (this.#messageFrames > 1) stats.fragmentedMessages++;
    sink.message(compressed ? this.inflater!.output : payload, binary);
    this.#dropMessage();
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

  /** Ends the open message; a compressed one not inflated leaves the sender's window ahead of ours. */
  #dropMessage(): void {
    if (this.#messageCompressed) this.inflater?.loseContext();
    this.#messageOpcode = 0;
    this.#messageFrames = 0;
    this.#messageSkipped = false;
    this.#messageCompressed = false;
    this.#bufferBytes = 0;
    if (this.#buffer !== null && this.#buffer.length > BUFFER_BYTES_KEPT) this.#buffer = null;
  }

  #fail(reason: "bad_length" | "bad_opcode" | "bad_control_frame" | "reserved_bits" | "gap"): void {
    this.#stats.invalid[reason]++;
    if (this.#guessMessagesLeft > 0 && reason !== "gap") this.#stats.resyncFailures++;
    this.#guessMessagesLeft = 0;
    this.#state = State.DEAD;
    this.#dropMessage();
  }

  /** Copies `n` payload bytes at `at` into the message buffer, unmasking them (`#startData` checked the bound). */
  #append(data: Uint8Array, at: number, n: number): void {
    const needed = this.#bufferBytes + n;
    if (this.#buffer === null || needed > this.#buffer.length) {
      const size = Math.min(this.#messageBytesMax, Math.max(needed, BUFFER_BYTES_INITIAL, 2 * this.#bufferBytes));
      const grown = new Uint8Array(size);
      if (this.#buffer !== null) grown.set(this.#buffer.subarray(0, this.#bufferBytes));
      this.#buffer = grown;
    }
    const buffer = this.#buffer;
    const out = this.#bufferBytes;
    if (!this.#masked) buffer.set(data.subarray(at, at + n), out);
    else {
      const mask = this.#mask;
      const done = this.#payloadDone;
      for (let k = 0; k < n; k++) buffer[out + k] = data[at + k] ^ mask[(done + k) & 3];
    }
    this.#bufferBytes = needed;
  }
}

function readU32(bytes: Uint8Array, at: number): number {
  return ((bytes[at] << 24) | (bytes[at + 1] << 16) | (bytes[at + 2] << 8) | bytes[at + 3]) >>> 0;
}
