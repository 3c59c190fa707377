/**
 * `WsFrameReader`: WebSocket frames (RFC 6455 §5) of one direction of a byte stream, cut into whole text/binary
 * messages. Headers split anywhere are gathered in a 14-byte scratch; masked payloads are unmasked and fragmented
 * messages joined in one buffer per direction that grows only to `messageBytesMax`; an unmasked single-frame message
 * that arrived in one delivery is handed over in place, without a copy. Control frames (ping, pong, close) may come
 * between the fragments of a message and are only counted. A frame that breaks the framing (reserved opcode or bits,
 * bad control frame, impossible length) or lost bytes stop the direction until `resync` (lengths can no longer be
 * trusted). With permessage-deflate, RSV1 on the first frame marks a compressed message, inflated when whole.
 * Header decoding and checks live in frame_header.ts; the message being joined, its buffer and its inflation in
 * message_assembler.ts.
 * @module
 */
import { WsInflater } from "./inflater.ts";
import { WS_INFLATED_BYTES_MAX_DEFAULT, WS_MESSAGE_BYTES_MAX_DEFAULT } from "./limits.ts";
import { type WebSocketStats, WsOpcode } from "./types.ts";
import {
  createWsFrameHeader,
  decodeWsFrameHeader,
  WS_HEAD_BYTES_MAX,
  WS_HEAD_BYTES_MIN,
  wsFrameHeaderFault,
  wsHeaderBytes,
} from "./frame_header.ts";
import { type WsFrameSink, WsMessageAssembler } from "./message_assembler.ts";

export { WS_MESSAGE_BYTES_MAX_DEFAULT };
export type { WsFrameSink };

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
  #fromClient: boolean;
  readonly #stats: WebSocketStats;
  #state = State.HEAD;
  readonly #head = new Uint8Array(WS_HEAD_BYTES_MAX);
  #headBytes = 0;
  #headNeed = WS_HEAD_BYTES_MIN;
  /** The frame being read. */
  readonly #frame = createWsFrameHeader();
  #payloadLeft = 0;
  #payloadDone = 0;
  /** The frame's payload is copied into the message buffer. */
  #keep = false;
  /** The frame is a data frame of the open message (its FIN ends the message). */
  #ofMessage = false;
  readonly #message: WsMessageAssembler;
  /** Messages still to come before the framing counts as confirmed after a guessed boundary (0: not guessed). */
  #guessMessagesLeft = 0;

  /** Creates the reader of one direction. */
  constructor(options: WsFrameReaderOptions) {
    this.#fromClient = options.fromClient;
    this.#stats = options.stats;
    this.#message = new WsMessageAssembler(options.stats, options.messageBytesMax ?? WS_MESSAGE_BYTES_MAX_DEFAULT);
  }

  /** Inflates messages whose first frame has RSV1 (permessage-deflate); without it RSV1 is a framing error. */
  get inflater(): WsInflater | undefined {
    return this.#message.inflater;
  }

  set inflater(inflater: WsInflater | undefined) {
    this.#message.inflater = inflater;
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
    return this.#message.bufferedBytes;
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
    this.#headNeed = WS_HEAD_BYTES_MIN;
    this.#message.drop();
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
    if (this.#headNeed === WS_HEAD_BYTES_MIN) {
      this.#headNeed = wsHeaderBytes(head[1]);
      if (this.#headNeed > WS_HEAD_BYTES_MIN) return at;
    }
    this.#beginFrame(sink);
    return at;
  }

  /** Decodes the gathered header and checks it (RFC 6455 §5.2, §5.5). */
  #beginFrame(sink: WsFrameSink): void {
    const frame = this.#frame;
    this.#headBytes = 0;
    this.#headNeed = WS_HEAD_BYTES_MIN;
    if (!decodeWsFrameHeader(this.#head, frame)) return this.#fail("bad_length");
    this.#stats.frames++;
    const fault = wsFrameHeaderFault(frame, this.inflater !== undefined);
    if (fault !== null) return this.#fail(fault);
    if (frame.masked !== this.#fromClient) this.#stats.invalid.mask_mismatch++;
    this.#payloadLeft = frame.length;
    this.#payloadDone = 0;
    this.#keep = false;
    this.#ofMessage = false;
    if (frame.opcode < WsOpcode.CLOSE) {
      // A header that passed the checks has reserved bits only as RSV1 of a compressed message's first frame.
      this.#ofMessage = this.#message.beginFrame(frame.opcode, frame.length, frame.reserved !== 0);
      this.#keep = this.#ofMessage && !this.#message.skipped;
    }
    this.#state = State.PAYLOAD;
    if (frame.length === 0) this.#endFrame(sink);
  }

  #readPayload(data: Uint8Array, at: number, end: number, sink: WsFrameSink): number {
    const n = Math.min(this.#payloadLeft, end - at);
    const frame = this.#frame;
    if (this.#keep) {
      const whole = this.#payloadDone === 0 && n === this.#payloadLeft && frame.fin;
      if (whole && !frame.masked && this.#message.bufferedBytes === 0) {
        // The common server-side case: the message is right here, unmasked; no copy.
        this.#state = State.HEAD;
        this.#payloadLeft = 0;
        this.#endMessage(data.subarray(at, at + n), sink);
        return at + n;
      }
      this.#message.append(data, at, n, frame.masked ? frame.mask : null, this.#payloadDone);
    }
    this.#payloadDone += n;
    this.#payloadLeft -= n;
    if (this.#payloadLeft === 0) this.#endFrame(sink);
    return at + n;
  }

  #endFrame(sink: WsFrameSink): void {
    this.#state = State.HEAD;
    const stats = this.#stats;
    switch (this.#frame.opcode) {
      case WsOpcode.PING:
        stats.pings++;
        return;
      case WsOpcode.PONG:
        stats.pongs++;
        return;
      case WsOpcode.CLOSE:
        stats.closes++;
        this.#state = State.CLOSED;
        this.#message.drop();
        return;
    }
    if (!this.#ofMessage || !this.#frame.fin) return;
    if (this.#message.skipped) this.#message.drop();
    else this.#endMessage(null, sink);
  }

  /** A whole message (`payload`, or null for the buffered bytes) goes out; it also counts toward a guessed boundary. */
  #endMessage(payload: Uint8Array | null, sink: WsFrameSink): void {
    if (this.#guessMessagesLeft > 0) this.#guessMessagesLeft--;
    this.#message.finish(payload, sink);
  }

  #fail(reason: "bad_length" | "bad_opcode" | "bad_control_frame" | "reserved_bits" | "gap"): void {
    this.#stats.invalid[reason]++;
    if (this.#guessMessagesLeft > 0 && reason !== "gap") this.#stats.resyncFailures++;
    this.#guessMessagesLeft = 0;
    this.#state = State.DEAD;
    this.#message.drop();
  }
}
