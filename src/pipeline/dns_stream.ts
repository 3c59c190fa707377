/**
 * DNS over a byte stream (one direction of a TCP connection, RFC 7766): length-prefixed messages cut from the
 * reassembled bytes with `parseDnsTcp`. Partial frames wait in a buffer bounded by the 2-byte length (64 KiB + 2).
 * @module
 */

import { dnsFrameLength, type DnsInvalidReason, type DnsMessage, parseDnsTcp } from "../protocols/dns/mod.ts";

const FRAME_BYTES_MAX = 0xffff + 2;

/** Receives what a `DnsStream` finds. */
export interface DnsStreamSink {
  message(message: DnsMessage): void;
  invalid(reason: DnsInvalidReason): void;
}

/** Framing state of one direction. */
export class DnsStream {
  #buffer = new Uint8Array(0);
  #bufferBytes = 0;
  /** A bad length prefix: the stream cannot be followed any more. */
  #lost = false;

  /** True after a bad length prefix or a gap: bytes are ignored. */
  get lost(): boolean {
    return this.#lost;
  }

  /** Feeds the next in-order bytes. */
  push(data: Uint8Array, offset: number, bytes: number, sink: DnsStreamSink): void {
    if (this.#lost) return;
    const needed = this.#bufferBytes + bytes;
    if (needed > this.#buffer.length) {
      const grown = new Uint8Array(Math.max(needed, Math.min(FRAME_BYTES_MAX, 2 * this.#buffer.length), 512));
      grown.set(this.#buffer.subarray(0, this.#bufferBytes));
      this.#buffer = grown;
    }
    this.#buffer.set(data.subarray(offset, offset + bytes), this.#bufferBytes);
    this.#bufferBytes = needed;
    let at = 0;
    while (at < this.#bufferBytes) {
      const rest = this.#buffer.subarray(at, this.#bufferBytes);
      const result = parseDnsTcp(rest);
      if (result.kind === "incomplete") break;
      if (result.kind === "message") {
        sink.message(result.message);
        at += result.consumedBytes;
        continue;
      }
      sink.invalid(result.reason);
      const frameBytes = dnsFrameLength(rest);
      if (frameBytes <= 0) {
        this.gap();
        return;
      }
      at += frameBytes;
    }
    this.#buffer.copyWithin(0, at, this.#bufferBytes);
    this.#bufferBytes -= at;
  }

  /** Bytes were lost: message boundaries are unknown from here on. */
  gap(): void {
    this.#lost = true;
    this.#bufferBytes = 0;
  }
}
