/**
 * One direction of an HTTP/1.x connection: cuts the reassembled byte stream into messages (RFC 9112 §6.3 framing)
 * without keeping bodies. Heads are copied into one reusable buffer; bodies are only counted. After a gap, a parse
 * error or at the start of a capture the stream is "resynchronising": it waits for a line that starts a message
 * with a well-known method or a status line and counts the bytes it skips.
 * @module
 */
import { LF } from "./_bytes.ts";
import { ChunkedScanner } from "./chunked.ts";
import { isChunked, parseHead } from "./head.ts";
import type { HttpInvalidReason, HttpMessage, HttpRequest, HttpResponse } from "./types.ts";

/** Default bound on a head (start line + headers), as in common servers' limits (nginx: 4–8 KiB; Node: 16 KiB). */
export const HEAD_BYTES_MAX_DEFAULT = 64 * 1024;

const HEAD_BUFFER_BYTES_INITIAL = 4096;

/** How a response's body is framed, decided with the request it answers. */
export type ResponseFraming = "normal" | "no_body" | "tunnel";

/** What the stream tells its connection. */
export interface HttpStreamHooks {
  /** A head was parsed (requests are paired from here; a response asks `responseFraming` first). */
  onHead(message: HttpMessage): void;
  /** A message is complete (or cut short, with `truncated`). */
  onMessage(message: HttpMessage): void;
  /** How to frame this response's body: HEAD requests, CONNECT tunnels. */
  responseFraming(response: HttpResponse): ResponseFraming;
  onInvalid(reason: HttpInvalidReason): void;
}

const enum Mode {
  Head,
  BodyLength,
  BodyChunked,
  BodyUntilClose,
  /** After 101 Switching Protocols or a CONNECT tunnel: bytes are not HTTP any more. */
  Opaque,
}

/** Where a stream counts the bytes it skips (the connection passes its shared stats). */
export interface HttpStreamCounters {
  resyncSkippedBytes: number;
  opaqueBytes: number;
}

/** Parser state of one direction. */
export class HttpStream {
  readonly counters: HttpStreamCounters;
  readonly #hooks: HttpStreamHooks;
  readonly #headBytesMax: number;
  readonly #chunked: ChunkedScanner;
  #mode = Mode.Head;
  #resync = true;
  #buffer = new Uint8Array(HEAD_BUFFER_BYTES_INITIAL);
  #bufferBytes = 0;
  #lineStart = 0;
  #headStartMs = 0;
  #message: HttpMessage | undefined;
  #bodyRemaining = 0;

  constructor(
    hooks: HttpStreamHooks,
    counters: HttpStreamCounters = { resyncSkippedBytes: 0, opaqueBytes: 0 },
    headBytesMax = HEAD_BYTES_MAX_DEFAULT,
  ) {
    this.#hooks = hooks;
    this.counters = counters;
    this.#headBytesMax = headBytesMax;
    this.#chunked = new ChunkedScanner(headBytesMax);
  }

  /** True while waiting for a message start after a gap, an error or the start of capture. */
  get resynchronising(): boolean {
    return this.#resync && this.#mode === Mode.Head;
  }

  /** True when the stream is inside a message (a head started or a body is pending). */
  get inMessage(): boolean {
    return this.#mode !== Mode.Head ? this.#mode !== Mode.Opaque : this.#bufferBytes > 0 && !this.#resync;
  }

  /** Stops parsing: the connection switched protocols (101) or became a tunnel (CONNECT); bytes are only counted. */
  becomeOpaque(): void {
    this.#message = undefined;
    this.#clearHead();
    this.#mode = Mode.Opaque;
  }

  /** Feeds the next bytes of this direction, seen at `timeMs`. */
  feed(bytes: Uint8Array, timeMs: number): void {
    let at = 0;
    while (at < bytes.length) {
      switch (this.#mode) {
        case Mode.Head:
          at = this.#feedHead(bytes, at, timeMs);
          break;
        case Mode.BodyLength: {
          const take = Math.min(this.#bodyRemaining, bytes.length - at);
          at += take;
          this.#bodyRemaining -= take;
          this.#message!.bodyBytes += take;
          if (this.#bodyRemaining === 0) this.#finish(timeMs);
          break;
        }
        case Mode.BodyChunked: {
          const next = this.#chunked.consume(bytes, at, bytes.length);
          this.#message!.bodyBytes += next - at;
          at = next;
          if (this.#chunked.done) this.#finish(timeMs);
          else if (this.#chunked.failed) this.#fail("bad_chunk");
          break;
        }
        case Mode.BodyUntilClose:
          this.#message!.bodyBytes += bytes.length - at;
          this.#message!.endTimeMs = timeMs;
          at = bytes.length;
          break;
        case Mode.Opaque:
          this.counters.opaqueBytes += bytes.length - at;
          at = bytes.length;
          break;
      }
    }
  }

  /**
   * Reports `bytes` lost at this point of the stream. A gap inside a body of known length is skipped; anywhere else
   * the current message is dropped and the stream resynchronises.
   *
   * @returns True when parser state was dropped (the connection must drop its pairing state too).
   */
  gap(bytes: number, timeMs: number): boolean {
    const message = this.#message;
    if (this.#mode === Mode.Opaque) {
      this.counters.opaqueBytes += bytes;
      return false;
    }
    if (this.#mode === Mode.BodyUntilClose) {
      message!.bodyBytes += bytes;
      message!.truncated = true;
      return false;
    }
    if (this.#mode === Mode.BodyLength && bytes <= this.#bodyRemaining) {
      this.#bodyRemaining -= bytes;
      message!.bodyBytes += bytes;
      message!.truncated = true;
      if (this.#bodyRemaining === 0) this.#finish(timeMs);
      return false;
    }
    if (this.#mode === Mode.BodyChunked && bytes <= this.#chunked.chunkRemainingBytes) {
      this.#chunked.skipData(bytes);
      message!.bodyBytes += bytes;
      message!.truncated = true;
      return false;
    }
    const dropped = this.inMessage;
    this.#startResync();
    return dropped;
  }

  /** End of stream: a body read until close is complete; a message cut short is emitted as truncated. */
  close(timeMs: number): void {
    if (this.#mode === Mode.BodyUntilClose) this.#finish(timeMs);
    else if (this.#mode === Mode.BodyLength || this.#mode === Mode.BodyChunked) {
      this.#message!.truncated = true;
      this.#finish(timeMs);
    }
    this.#startResync();
  }

  #feedHead(bytes: Uint8Array, start: number, timeMs: number): number {
    if (this.#bufferBytes === 0) this.#headStartMs = timeMs;
    const lf = bytes.indexOf(LF, start);
    const end = lf === -1 ? bytes.length : lf + 1;
    if (this.#bufferBytes + (end - start) > this.#headBytesMax) {
      if (this.#resync) {
        this.counters.resyncSkippedBytes += this.#bufferBytes + (end - start);
        this.#clearHead();
      } else this.#fail("head_too_large");
      return end;
    }
    this.#append(bytes, start, end);
    if (lf !== -1) this.#endLine(timeMs);
    return end;
  }

  /** A line ended at the end of the buffer: skip a leading empty line, check a start line, or finish the head. */
  #endLine(timeMs: number): void {
    const buffer = this.#buffer;
    const lineBytes = this.#bufferBytes - this.#lineStart;
    const empty = lineBytes === 1 || (lineBytes === 2 && buffer[this.#lineStart] === 0x0d);
    if (this.#lineStart === 0) {
      // RFC 9112 §2.2: empty lines before a request are ignored.
      if (empty) return this.#clearHead();
      // Checking the start line early lets a resynchronising stream move on at once.
      const check = parseHead(buffer, 0, this.#bufferBytes, this.#resync);
      if (!check.ok && check.reason === "bad_start_line") {
        if (this.#resync) {
          this.counters.resyncSkippedBytes += this.#bufferBytes;
          return this.#clearHead();
        }
        return this.#fail("bad_start_line");
      }
    } else if (empty) return this.#endHead(timeMs);
    this.#lineStart = this.#bufferBytes;
  }

  #endHead(timeMs: number): void {
    const result = parseHead(this.#buffer, 0, this.#bufferBytes, this.#resync);
    this.#clearHead();
    if (!result.ok) return this.#fail(result.reason);
    const message = result.message;
    message.startTimeMs = this.#headStartMs;
    message.endTimeMs = timeMs;
    this.#resync = false;
    this.#message = message;
    if (message.kind === "request") this.#frameRequest(message, timeMs);
    else this.#frameResponse(message, timeMs);
  }

  #frameRequest(message: HttpRequest, timeMs: number): void {
    if (message.transferEncoding !== undefined && !isChunked(message.transferEncoding)) {
      return this.#fail("bad_transfer_encoding");
    }
    this.#hooks.onHead(message);
    if (message.transferEncoding !== undefined) return this.#startChunked();
    this.#startLength(message.contentLength ?? 0, timeMs);
  }

  #frameResponse(message: HttpResponse, timeMs: number): void {
    const framing = this.#hooks.responseFraming(message);
    this.#hooks.onHead(message);
    const status = message.status;
    if (framing === "tunnel" || status === 101) {
      this.#hooks.onMessage(message);
      this.#message = undefined;
      this.#mode = Mode.Opaque;
      return;
    }
    if (framing === "no_body" || status < 200 || status === 204 || status === 304) return this.#finish(timeMs);
    if (message.transferEncoding !== undefined) {
      if (isChunked(message.transferEncoding)) return this.#startChunked();
      this.#mode = Mode.BodyUntilClose;
      return;
    }
    if (message.contentLength !== undefined) return this.#startLength(message.contentLength, timeMs);
    this.#mode = Mode.BodyUntilClose;
  }

  #startLength(lengthBytes: number, timeMs: number): void {
    if (lengthBytes === 0) return this.#finish(timeMs);
    this.#bodyRemaining = lengthBytes;
    this.#mode = Mode.BodyLength;
  }

  #startChunked(): void {
    this.#chunked.reset();
    this.#mode = Mode.BodyChunked;
  }

  #finish(timeMs: number): void {
    const message = this.#message!;
    message.endTimeMs = timeMs;
    this.#message = undefined;
    this.#mode = Mode.Head;
    this.#hooks.onMessage(message);
  }

  #fail(reason: HttpInvalidReason): void {
    this.#hooks.onInvalid(reason);
    this.#startResync();
  }

  #startResync(): void {
    this.#message = undefined;
    this.#mode = Mode.Head;
    this.#resync = true;
    this.#clearHead();
  }

  #clearHead(): void {
    this.#bufferBytes = 0;
    this.#lineStart = 0;
  }

  #append(bytes: Uint8Array, start: number, end: number): void {
    const needed = this.#bufferBytes + (end - start);
    if (needed > this.#buffer.length) {
      const grown = new Uint8Array(Math.min(Math.max(needed, this.#buffer.length * 2), this.#headBytesMax));
      grown.set(this.#buffer.subarray(0, this.#bufferBytes));
      this.#buffer = grown;
    }
    this.#buffer.set(bytes.subarray(start, end), this.#bufferBytes);
    this.#bufferBytes = needed;
  }
}
