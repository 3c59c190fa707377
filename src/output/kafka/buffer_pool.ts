/**
 * Byte buffers for record batches, reused once the broker has answered the request that carried them. A new buffer of
 * a request's size (up to a megabyte) cost about 1 µs per `sip` record in the output's CPU, more than encoding the
 * batch (docs/benchmarks.md): the memory comes fresh from the system each time, page by page.
 *
 * A buffer is taken for exactly the bytes asked (a view over a larger one, perhaps) and given back whole; the pool
 * keeps at most `buffersMax` free ones and hands out the smallest that fits.
 * @module
 */

/** Allocation granularity: buffers are made in multiples of this, so a slightly larger batch still fits next time. */
const bufferBytesStep = 64 * 1024;

/** See the module documentation. */
export class BufferPool {
  readonly #free: Uint8Array[] = [];
  readonly #buffersMax: number;
  /** The buffers this pool made: only they come back (a batch that was compressed is a buffer of its own). */
  readonly #owned = new WeakSet<ArrayBufferLike>();
  /** Buffers made since the pool was created (for tests and curiosity). */
  made = 0;

  constructor(buffersMax: number) {
    if (!Number.isInteger(buffersMax) || buffersMax < 0) throw new RangeError(`Bad buffersMax ${buffersMax}`);
    this.#buffersMax = buffersMax;
  }

  /** Free buffers held. */
  get freeBuffers(): number {
    return this.#free.length;
  }

  /** A view of `bytes` bytes (contents undefined: the caller writes every byte) over a free buffer or a new one. */
  take(bytes: number): Uint8Array {
    const free = this.#free;
    let best = -1;
    for (let i = 0; i < free.length; i++) {
      if (free[i].length >= bytes && (best < 0 || free[i].length < free[best].length)) best = i;
    }
    if (best >= 0) {
      const buffer = free[best];
      free[best] = free[free.length - 1];
      free.pop();
      return buffer.subarray(0, bytes);
    }
    const buffer = new Uint8Array(Math.max(1, Math.ceil(bytes / bufferBytesStep)) * bufferBytesStep);
    this.#owned.add(buffer.buffer);
    this.made++;
    return buffer.subarray(0, bytes);
  }

  /**
   * Gives back the buffer under `view` (from `take()`), which nothing may read or write afterwards; views of other
   * buffers are ignored, as are buffers past `buffersMax` (left to the garbage collector).
   */
  release(view: Uint8Array): void {
    const buffer = view.buffer;
    if (!this.#owned.has(buffer)) return;
    if (this.#free.some((free) => free.buffer === buffer)) throw new Error("Buffer released twice");
    if (this.#free.length < this.#buffersMax) this.#free.push(new Uint8Array(buffer));
  }
}
