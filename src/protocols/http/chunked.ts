/**
 * Incremental scanner for chunked bodies (RFC 9112 §7.1): finds where the body ends without keeping its bytes, so a
 * body of any size costs a few numbers of state. Trailer fields are skipped; their size is bounded.
 * @module
 */
import { CR, LF } from "./_bytes.ts";

/** Hex digits of a chunk size: 2^52 fits 13 digits; more is an attack or garbage. */
const CHUNK_SIZE_DIGITS_MAX = 13;

const enum State {
  Size,
  Extension,
  Data,
  DataEnd,
  Trailer,
  Done,
  Error,
}

/** Scans one chunked body; `reset()` before the next. */
export class ChunkedScanner {
  #state = State.Size;
  #digits = 0;
  #remaining = 0;
  #lineBytes = 0;
  #trailerBytes = 0;
  readonly #trailerBytesMax: number;

  /** @param trailerBytesMax Limit on the trailer section (the same limit as a head). */
  constructor(trailerBytesMax: number) {
    this.#trailerBytesMax = trailerBytesMax;
  }

  /** True once the last chunk and the trailer section have been seen. */
  get done(): boolean {
    return this.#state === State.Done;
  }

  /** True once the bytes broke the chunked syntax; the scanner stays in that state until `reset()`. */
  get failed(): boolean {
    return this.#state === State.Error;
  }

  /** Data bytes still expected in the current chunk (a gap of at most this many can be skipped). */
  get chunkRemainingBytes(): number {
    return this.#state === State.Data ? this.#remaining : 0;
  }

  /** Skips `bytes` of chunk data lost in a gap; the caller checked `chunkRemainingBytes`. */
  skipData(bytes: number): void {
    this.#remaining -= bytes;
    if (this.#remaining === 0) this.#state = State.DataEnd;
  }

  reset(): void {
    this.#state = State.Size;
    this.#digits = 0;
    this.#remaining = 0;
    this.#lineBytes = 0;
    this.#trailerBytes = 0;
  }

  /**
   * Consumes bytes from `bytes[start, end)` and stops right after the body's last byte, or at `end`.
   *
   * @returns The index after the last consumed byte.
   */
  consume(bytes: Uint8Array, start: number, end: number): number {
    let at = start;
    while (at < end && this.#state !== State.Done && this.#state !== State.Error) {
      if (this.#state === State.Data) {
        const take = Math.min(this.#remaining, end - at);
        at += take;
        this.#remaining -= take;
        if (this.#remaining === 0) this.#state = State.DataEnd;
        continue;
      }
      this.#step(bytes[at++]!);
    }
    return at;
  }

  #step(byte: number): void {
    switch (this.#state) {
      case State.Size: {
        const digit = hexDigit(byte);
        if (digit >= 0) {
          if (++this.#digits > CHUNK_SIZE_DIGITS_MAX) this.#state = State.Error;
          this.#remaining = this.#remaining * 16 + digit;
        } else if (this.#digits === 0) this.#state = State.Error;
        else if (byte === LF) this.#endSizeLine();
        else this.#state = State.Extension; // ";ext", whitespace before it, or CR.
        return;
      }
      case State.Extension:
        if (byte === LF) this.#endSizeLine();
        return;
      case State.DataEnd:
        if (byte === LF) this.#startSize();
        else if (byte !== CR) this.#state = State.Error;
        return;
      case State.Trailer:
        if (++this.#trailerBytes > this.#trailerBytesMax) this.#state = State.Error;
        else if (byte === LF) {
          if (this.#lineBytes === 0) this.#state = State.Done;
          this.#lineBytes = 0;
        } else if (byte !== CR) this.#lineBytes++;
        return;
    }
  }

  #endSizeLine(): void {
    if (this.#remaining === 0) {
      this.#state = State.Trailer;
      this.#lineBytes = 0;
    } else this.#state = State.Data;
  }

  #startSize(): void {
    this.#state = State.Size;
    this.#digits = 0;
    this.#remaining = 0;
  }
}

function hexDigit(byte: number): number {
  if (byte >= 0x30 && byte <= 0x39) return byte - 0x30;
  const lower = byte | 0x20;
  if (lower >= 0x61 && lower <= 0x66) return lower - 0x61 + 10;
  return -1;
}
