/**
 * `WebSocketConnection`: one TCP connection that may carry WebSocket with a given subprotocol (RFC 7118: "sip").
 * The first request head decides: a GET with `Upgrade: websocket` offering the subprotocol is followed; anything
 * else is `not_websocket` (the caller may hand the bytes to HTTP). The answer on the other direction must be
 * `101 Switching Protocols` (not naming another subprotocol), else the connection is `rejected`. Once open, each
 * direction has its own `WsFrameReader` and every whole message goes to the sink. Heads split over segments are
 * gathered in one buffer bounded by `HANDSHAKE_BYTES_MAX`.
 *
 * A connection whose handshake was never seen is `adopt`ed open. A direction that does not know where frames start
 * (adopted, or after lost bytes or a framing error) looks at the start of each delivery for a frame that carries the
 * start of a SIP message (`sniffWsSip`) and reads from there; after `WS_RESYNC_ATTEMPTS_MAX` deliveries without one
 * it gives up. permessage-deflate follows the 101 answer's parameters; an adopted connection assumes it may be on,
 * with unknown context (a message referring to earlier ones cannot be inflated).
 * @module
 */
import type { DeflateParams } from "./extensions.ts";
import { WsFrameReader, type WsFrameSink } from "./frame_reader.ts";
import { HANDSHAKE_BYTES_MAX, type HandshakeHead, readHandshakeHead } from "./handshake.ts";
import { WsInflater } from "./inflater.ts";
import { WS_INFLATED_BYTES_MAX_DEFAULT, WS_RESYNC_ATTEMPTS_MAX } from "./limits.ts";
import { SNIFF_MASKED, SNIFF_SIP, sniffWsSip } from "./sniff.ts";
import type { WebSocketStats } from "./types.ts";

/** The largest LZ77 window: what an adopted connection's senders may use. */
const WINDOW_BITS_MAX = 15;

/** Where the handshake is: waiting for the request, for the response, done, or given up. */
export type WebSocketState = "request" | "response" | "open" | "not_websocket" | "rejected";

/** Receives the messages of a connection. */
export interface WebSocketSink {
  /** One whole text/binary message sent on TCP `direction`; `payload` is valid only during the call. */
  message(direction: number, payload: Uint8Array, binary: boolean): void;
}

/** Options of a `WebSocketConnection`. */
export interface WebSocketConnectionOptions {
  /** Subprotocol followed (`Sec-WebSocket-Protocol`), lower case. */
  protocol: string;
  stats: WebSocketStats;
  /** Longest message (compressed size). @default WS_MESSAGE_BYTES_MAX_DEFAULT */
  messageBytesMax?: number;
  /** Longest message once inflated. @default WS_INFLATED_BYTES_MAX_DEFAULT */
  inflatedBytesMax?: number;
}

/** Handshake and frame state of one connection. */
export class WebSocketConnection {
  state: WebSocketState = "request";
  /** TCP direction (0 or 1) the upgrade request came on. */
  clientDirection = 0;
  readonly #options: WebSocketConnectionOptions;
  #head: Uint8Array | null = null;
  #headBytes = 0;
  /** Head bytes gathered before the current delivery (for `earlierBytes`). */
  #earlierBytes = 0;
  #lastHead: HandshakeHead | undefined;
  #readers: [WsFrameReader, WsFrameReader] | undefined;
  readonly #readerSinks: [WsFrameSink, WsFrameSink];
  #sink: WebSocketSink | undefined;
  /** Per direction: frames are read from a known boundary. */
  readonly #synced: [boolean, boolean] = [true, true];
  /** Per direction: deliveries looked at for a boundary since it was lost. */
  readonly #syncAttempts: [number, number] = [0, 0];

  /** Creates the state of a connection whose first request is still to come. */
  constructor(options: WebSocketConnectionOptions) {
    this.#options = options;
    // One sink per direction that forwards to the current caller's sink: framing allocates no closure.
    const forward = (direction: number) => ({
      message: (payload: Uint8Array, binary: boolean) => this.#sink!.message(direction, payload, binary),
    });
    this.#readerSinks = [forward(0), forward(1)];
  }

  /** The frame reader of TCP `direction` (once the request was accepted). */
  reader(direction: number): WsFrameReader | undefined {
    return this.#readers?.[direction];
  }

  /**
   * Bytes of the request head that came in deliveries before the last one; after `not_websocket` they and the last
   * delivery are the connection's bytes so far.
   */
  earlierBytes(): Uint8Array {
    return this.#head === null ? new Uint8Array(0) : this.#head.subarray(0, this.#earlierBytes);
  }

  /** Feeds in-order bytes `data[offset, offset + bytes)` of TCP `direction`. */
  push(direction: number, data: Uint8Array, offset: number, bytes: number, sink: WebSocketSink): void {
    this.#sink = sink;
    if (this.state === "request") {
      this.clientDirection = direction;
      const used = this.#readHead(data, offset, bytes);
      if (used >= 0 && this.#onRequest() && used < bytes) this.#frames(direction, data, offset + used, bytes - used);
    } else if (this.state === "response") {
      if (direction === this.clientDirection) return this.#frames(direction, data, offset, bytes);
      const used = this.#readHead(data, offset, bytes);
      if (used >= 0 && this.#onResponse() && used < bytes) this.#frames(direction, data, offset + used, bytes - used);
    } else if (this.state === "open") this.#frames(direction, data, offset, bytes);
    this.#sink = undefined;
  }

  /** Bytes of `direction` were lost. */
  gap(direction: number): void {
    if (this.state === "open" || this.state === "response") {
      const reader = this.#readers![direction];
      reader.gap();
      // After a Close nothing more is read; otherwise look for the next boundary.
      if (reader.framingLost) this.#unsync(direction);
    } else if (this.state === "request") this.#giveUp("not_websocket");
  }

  /**
   * Takes the connection as open WebSocket without a handshake (the capture began after it): both directions look
   * for a frame boundary, and RSV1 may mark compressed messages.
   */
  adopt(): void {
    const { stats, messageBytesMax } = this.#options;
    const reader = () => {
      const frames = new WsFrameReader({ fromClient: false, stats, messageBytesMax });
      frames.inflater = this.#inflater(WINDOW_BITS_MAX, false, false);
      return frames;
    };
    this.#readers = [reader(), reader()];
    this.state = "open";
    this.#unsync(0);
    this.#unsync(1);
    stats.midstreamAdopted++;
  }

  #frames(direction: number, data: Uint8Array, offset: number, bytes: number): void {
    if (!this.#synced[direction] && !this.#sync(direction, data, offset, bytes)) {
      this.#options.stats.skippedBytes += bytes;
      return;
    }
    const reader = this.#readers![direction];
    reader.push(data, offset, bytes, this.#readerSinks[direction]);
    if (reader.framingLost) this.#unsync(direction);
  }

  /** Frame boundaries of `direction` are unknown from here on. */
  #unsync(direction: number): void {
    this.#synced[direction] = false;
    this.#syncAttempts[direction] = 0;
  }

  /** Whether a frame starting a SIP message begins this delivery; if so the direction reads frames from it. */
  #sync(direction: number, data: Uint8Array, offset: number, bytes: number): boolean {
    const { stats, messageBytesMax } = this.#options;
    if (this.#syncAttempts[direction] >= WS_RESYNC_ATTEMPTS_MAX) return false;
    const reader = this.#readers![direction];
    const sniff = sniffWsSip(data, offset, bytes, { messageBytesMax, compressed: reader.inflater !== undefined });
    if ((sniff & SNIFF_SIP) === 0) {
      if (++this.#syncAttempts[direction] === WS_RESYNC_ATTEMPTS_MAX) stats.resyncGiveUps++;
      return false;
    }
    reader.resync((sniff & SNIFF_MASKED) !== 0);
    this.#synced[direction] = true;
    stats.resyncs++;
    return true;
  }

  #inflater(windowBits: number, noContextTakeover: boolean, contextKnown: boolean): WsInflater {
    const inflatedBytesMax = this.#options.inflatedBytesMax ?? WS_INFLATED_BYTES_MAX_DEFAULT;
    return new WsInflater({ windowBits, noContextTakeover, contextKnown, inflatedBytesMax });
  }

  /**
   * Gathers a head; returns how many bytes of this delivery it used once complete, -1 while incomplete. An invalid
   * head gives up (`not_websocket` for the request, `rejected` for the response) and returns -1.
   */
  #readHead(data: Uint8Array, offset: number, bytes: number): number {
    this.#earlierBytes = this.#headBytes;
    let view: Uint8Array;
    if (this.#headBytes === 0) view = data.subarray(offset, offset + bytes);
    else {
      const copied = Math.min(bytes, HANDSHAKE_BYTES_MAX - this.#headBytes);
      this.#head!.set(data.subarray(offset, offset + copied), this.#headBytes);
      view = this.#head!.subarray(0, this.#headBytes + copied);
    }
    const result = readHandshakeHead(view);
    if (result.kind === "head") {
      const used = result.head.headBytes - this.#earlierBytes;
      this.#lastHead = result.head;
      this.#headBytes = 0;
      return used;
    }
    if (result.kind === "invalid") {
      this.#options.stats.invalid.bad_handshake++;
      this.#giveUp(this.state === "request" ? "not_websocket" : "rejected");
      return -1;
    }
    if (this.#headBytes === 0) {
      this.#head ??= new Uint8Array(HANDSHAKE_BYTES_MAX);
      this.#head.set(view);
    }
    this.#headBytes = view.length;
    return -1;
  }

  /** Accepts or refuses the request head just read; true when accepted. */
  #onRequest(): boolean {
    const head = this.#lastHead!;
    const { protocol, stats, messageBytesMax } = this.#options;
    if (head.kind !== "request" || head.method !== "GET" || !head.websocket || !head.protocols.includes(protocol)) {
      this.#giveUp("not_websocket");
      return false;
    }
    stats.upgrades++;
    this.state = "response";
    const reader = (fromClient: boolean) => new WsFrameReader({ fromClient, stats, messageBytesMax });
    const client = this.clientDirection;
    this.#readers = client === 0 ? [reader(true), reader(false)] : [reader(false), reader(true)];
    return true;
  }

  /** Accepts or refuses the response head just read; true when the connection is open. */
  #onResponse(): boolean {
    const head = this.#lastHead!;
    const { protocol, stats } = this.#options;
    const agreed = head.protocols.length === 0 || head.protocols.includes(protocol);
    if (head.kind !== "response" || head.statusCode !== 101 || !head.websocket || !agreed) {
      stats.rejected++;
      this.#giveUp("rejected");
      return false;
    }
    stats.established++;
    this.state = "open";
    if (head.deflate !== undefined) this.#useDeflate(head.deflate);
    this.#head = null;
    return true;
  }

  /** Each direction inflates with the parameters its sender compresses with. */
  #useDeflate(params: DeflateParams): void {
    for (let direction = 0; direction < 2; direction++) {
      const client = direction === this.clientDirection;
      this.#readers![direction].inflater = client
        ? this.#inflater(params.clientWindowBits, params.clientNoContextTakeover, true)
        : this.#inflater(params.serverWindowBits, params.serverNoContextTakeover, true);
    }
  }

  #giveUp(state: "not_websocket" | "rejected"): void {
    this.state = state;
    this.#readers = undefined;
    if (state === "rejected") this.#head = null;
  }
}
