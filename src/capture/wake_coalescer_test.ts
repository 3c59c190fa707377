import assert from "node:assert/strict";
import { WakeCoalescer } from "./wake_coalescer.ts";

Deno.test("WakeCoalescer naps up to coalesceMs after a wait that brought blocks, never after an empty one", () => {
  const coalescer = new WakeCoalescer(250, 64);
  assert.equal(coalescer.napMs(1000), 0, "first wait: nothing known yet");
  coalescer.taken(); // one block after a 70 ms poll (≈ 100 kpps with 1 MiB blocks)
  assert.equal(coalescer.napMs(1070), 250);
  for (let i = 0; i < 4; i++) coalescer.taken();
  assert.equal(coalescer.napMs(1321), 250);
  assert.equal(coalescer.napMs(1571), 0, "a nap that brought nothing: wait on the socket");
});

Deno.test("WakeCoalescer keeps three quarters of the ring free at the rate just seen", () => {
  const coalescer = new WakeCoalescer(250, 64);
  coalescer.napMs(0);
  for (let i = 0; i < 32; i++) coalescer.taken(); // 32 blocks in 100 ms
  assert.equal(coalescer.napMs(100), 50, "16 blocks of headroom at 0.32 blocks/ms");
  const small = new WakeCoalescer(250, 2);
  small.napMs(0);
  small.taken();
  assert.equal(small.napMs(10), 10, "one block of headroom at least");
});

Deno.test("WakeCoalescer with coalesceMs 0 never naps and refuses bad settings", () => {
  const off = new WakeCoalescer(0, 64);
  off.napMs(0);
  off.taken();
  assert.equal(off.napMs(100), 0);
  assert.throws(() => new WakeCoalescer(-1, 64), RangeError);
  assert.throws(() => new WakeCoalescer(10, 0), RangeError);
});
