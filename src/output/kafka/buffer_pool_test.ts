import assert from "node:assert/strict";
import { BufferPool } from "./buffer_pool.ts";

Deno.test("BufferPool hands out views of the bytes asked for and reuses released buffers, smallest fit first", () => {
  const pool = new BufferPool(2);
  const a = pool.take(100);
  const b = pool.take(200_000);
  assert.equal(a.length, 100);
  assert.equal(b.length, 200_000);
  assert.equal(pool.made, 2);
  assert.ok(a.buffer.byteLength >= 100 && a.buffer.byteLength % (64 * 1024) === 0);
  pool.release(b);
  pool.release(a);
  assert.equal(pool.freeBuffers, 2);
  const small = pool.take(50);
  assert.equal(small.buffer, a.buffer, "the smallest buffer that fits");
  const large = pool.take(70_000);
  assert.equal(large.buffer, b.buffer);
  assert.equal(pool.made, 2, "nothing new made");
  assert.equal(pool.take(300_000).buffer.byteLength, 5 * 64 * 1024, "none free fits: a new one, in 64 KiB steps");
  assert.equal(pool.made, 3);
});

Deno.test("BufferPool keeps at most buffersMax free, ignores buffers it did not make, and refuses a double release", () => {
  const pool = new BufferPool(1);
  const views = [pool.take(10), pool.take(10)];
  pool.release(views[0]);
  pool.release(views[1]); // Past buffersMax: left to the collector.
  assert.equal(pool.freeBuffers, 1);
  pool.release(new Uint8Array(10)); // Not the pool's.
  assert.equal(pool.freeBuffers, 1);
  assert.throws(() => pool.release(views[0]), /twice/);
  const none = new BufferPool(0);
  none.release(none.take(5));
  assert.equal(none.freeBuffers, 0);
  assert.throws(() => new BufferPool(-1), RangeError);
});
