/**
 * SIP over a byte stream (one direction of a TCP connection): cuts reassembled bytes into messages with
 * `sipFrameLength` (headers + Content-Length). Bytes of a message still incomplete are kept in a buffer that grows
 * only to the SIP framing bounds; a segment holding whole messages is framed in place without a copy. After a gap
 * or a framing error the stream resynchronises on the next line that starts a SIP message.
 * @module
 */

import { detectSip, SIP_BODY_BYTES_MAX, SIP_HEADER_BYTES_MAX, sipFrameLength } from "../protocols/sip/mod.ts";
import type { SipInvalidReason } from "../protocols/sip/mod.ts";

const LF = 0x0a;
const BUFFER_BYTES_INITIAL = 2048;
/** No message is longer than its header section bound plus its body bound. */
const BUFFER_BYTES_MAX = SIP_HEADER_BYTES_MAX + SIP_BODY_BYTES_MAX;
/** While resynchronising, a line longer than this without its LF cannot be a start line: it is skipped. */
const RESYNC_LINE_BYTES_MAX = 4096;

/** Receives what a `SipStream` finds. */
export interface SipStreamSink {
  /** One whole message; `payload` is valid only during the call. */
  message(payload: Uint8Array): void;
  /** Framing failed (the stream resynchronises). */
  invalid(reason: SipInvalidReason): void;
}

/** Framing state of one stream direction. */
export class SipStream {
  /** Bytes skipped while resynchronising (not part of any message). */
  skippedBytes = 0;
  #buffer: Uint8Array | null = null;
  #bufferBytes = 0;
  #resync = false;

  /** Bytes waiting for the rest of their message. */
  get bufferedBytes(): number {
    return this.#bufferBytes;
  }

  /** Feeds the next in-order bytes `data[offset, offset + bytes)`. */
  push(data: Uint8Array, offset: number, bytes: number, sink: SipStreamSink): void {
    if (this.#bufferBytes === 0) {
      const view = data.subarray(offset, offset + bytes);
      const used = this.#frame(view, sink);
      if (used < bytes) this.#keep(view.subarray(used));
      return;
    }
    this.#append(data, offset, bytes);
    const used = this.#frame(this.#buffer!.subarray(0, this.#bufferBytes), sink);
    this.#buffer!.copyWithin(0, used, this.#bufferBytes);
    this.#bufferBytes -= used;
  }

  /** Bytes were lost: what is buffered can no longer complete; look for the next message start. */
  gap(): void {
    this.skippedBytes += this.#bufferBytes;
    this.#bufferBytes = 0;
    this.#resync = true;
  }

  /** Frames whole messages from the start of `bytes`; returns the bytes used (the rest is an incomplete prefix). */
  #frame(bytes: Uint8Array, sink: SipStreamSink): number {
    let at = 0;
    while (at < bytes.length) {
      if (this.#resync) {
        const start = this.#findStart(bytes, at);
        this.skippedBytes += start - at;
        at = start;
        if (this.#resync) return at;
      }
      const rest = at === 0 ? bytes : bytes.subarray(at);
      const frame = sipFrameLength(rest);
      if (frame.kind === "incomplete") return at;
      if (frame.kind === "invalid") {
        sink.invalid(frame.reason);
        this.#resync = true;
        const lf = bytes.indexOf(LF, at);
        const next = lf === -1 ? bytes.length : lf + 1;
        this.skippedBytes += next - at;
        at = next;
        continue;
      }
      if (frame.kind === "message") sink.message(rest.subarray(0, frame.length));
      at += frame.length;
    }
    return at;
  }

  /**
   * Finds the next line start at or after `at` where a SIP start line begins; clears `#resync` when found. A last
   * line without its LF may still become one: its start is returned with `#resync` still set.
   */
  #findStart(bytes: Uint8Array, at: number): number {
    let line = at;
    while (line < bytes.length) {
      const lf = bytes.indexOf(LF, line);
      if (lf === -1) return bytes.length - line > RESYNC_LINE_BYTES_MAX ? bytes.length : line;
      if (detectSip(bytes.subarray(line)) !== undefined) {
        this.#resync = false;
        return line;
      }
      line = lf + 1;
    }
    return line;
  }

  #keep(bytes: Uint8Array): void {
    this.#append(bytes, 0, bytes.length);
  }

  #append(data: Uint8Array, offset: number, bytes: number): void {
    const needed = this.#bufferBytes + bytes;
    if (needed > BUFFER_BYTES_MAX) {
      // Framing bounds every message below this; more means a stream we cannot follow: drop and resync.
      this.gap();
      this.#append(data, offset, Math.min(bytes, BUFFER_BYTES_MAX));
      return;
    }
    if (this.#buffer === null || needed > this.#buffer.length) {
      const grown = new Uint8Array(
        Math.min(BUFFER_BYTES_MAX, Math.max(needed, BUFFER_BYTES_INITIAL, 2 * this.#bufferBytes)),
      );
      if (this.#buffer !== null) grown.set(this.#buffer.subarray(0, this.#bufferBytes));
      this.#buffer = grown;
    }
    this.#buffer.set(data.subarray(offset, offset + bytes), this.#bufferBytes);
    this.#bufferBytes = needed;
  }
}
