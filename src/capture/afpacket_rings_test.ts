import assert from "node:assert/strict";
import { RingSet } from "./afpacket_rings.ts";
import { CaptureError } from "../native/capture_error.ts";
import { sendUdp, sleep, testPort } from "./_test_lo.ts";

const SMALL = { blockBytes: 65536, blockCount: 8, retireTimeoutMs: 10, promiscuous: false } as const;

Deno.test("RingSet.open() refuses no interface and a fanout count outside 1..64", () => {
  for (
    const options of [{ interfaces: [] }, ...[0, 65, 1.5].map((fanoutCount) => ({ interfaces: ["lo"], fanoutCount }))]
  ) {
    assert.throws(
      () => RingSet.open({ ...SMALL, ...options }),
      (error: unknown) => error instanceof CaptureError && error.code === "invalid_argument",
      JSON.stringify(options),
    );
  }
});

Deno.test("RingSet.open() opens fanoutCount rings per interface, numbered within their interface", async () => {
  const rings = RingSet.open({ interfaces: ["lo", "lo"], fanoutCount: 2, fanoutMode: "lb", ...SMALL });
  try {
    assert.deepEqual(rings.slots.map((slot) => [slot.interfaceIndex, slot.socketIndex]), [[0, 0], [0, 1], [1, 0], [
      1,
      1,
    ]]);
    assert.ok(rings.slots.every((slot) => slot.ring.isOpen && slot.readyBlock === -1 && slot.held.length === 0));
  } finally {
    await rings.close();
  }
  assert.ok(rings.slots.every((slot) => !slot.ring.isOpen));
});

Deno.test("RingSet.take() serves the rings in turn and release() gives a ring's blocks back in the order taken", async () => {
  const port = testPort();
  // Two interfaces on lo: each ring sees every packet. Two bursts a retire timeout apart fill two blocks per ring.
  const rings = RingSet.open({ interfaces: ["lo", "lo"], filter: `udp dst port ${port}`, ...SMALL });
  try {
    await sendUdp(port, 5);
    await sleep(100);
    await sendUdp(port, 5);
    await sleep(100);
    const taken = [rings.take(), rings.take(), rings.take(), rings.take()];
    assert.deepEqual(taken.map((block) => block?.slot.interfaceIndex), [0, 1, 0, 1]);
    const [first, , second] = taken.map((block) => block!);
    const slot = first.slot;
    assert.equal(second.slot, slot);
    assert.deepEqual(slot.held, [first.block, second.block]);
    const releasedBefore = slot.ring.stats().blocksReleased;
    rings.release(slot, second.block);
    assert.deepEqual(slot.held, [first.block, second.block], "the newer block waits for the older one");
    assert.equal(slot.ring.stats().blocksReleased, releasedBefore);
    rings.release(slot, first.block);
    assert.deepEqual(slot.held, []);
    assert.equal(slot.releasedEarly.size, 0);
    assert.equal(slot.ring.stats().blocksReleased, releasedBefore + 2);
    rings.release(taken[1]!.slot, taken[1]!.block);
    rings.release(taken[3]!.slot, taken[3]!.block);
    assert.equal(rings.failure, null);
  } finally {
    await rings.close();
  }
});

for (const inlineWait of [false, true]) {
  Deno.test(`RingSet.waitAny() ends once a block retires (inlineWait ${inlineWait})`, async () => {
    const port = testPort();
    const rings = RingSet.open({ interfaces: ["lo"], filter: `udp dst port ${port}`, inlineWait, ...SMALL });
    try {
      assert.equal(rings.take(), null);
      // Inline waits block this thread, so the traffic goes first.
      if (inlineWait) await sendUdp(port, 3);
      const sending = inlineWait ? Promise.resolve() : sendUdp(port, 3);
      let taken = rings.take();
      let waits = 0;
      while (taken === null && waits < 10) {
        await rings.waitAny(500, true);
        waits++;
        taken = rings.take();
      }
      await sending;
      assert.ok(taken !== null, "a block within 10 waits");
      // A wait that returned without a block would need many turns; an inline source's first call only yields.
      assert.ok(waits <= 3, `${waits} waits`);
      rings.release(taken.slot, taken.block);
      await rings.settle();
    } finally {
      await rings.close();
    }
  });
}

Deno.test("RingSet.interrupt() ends a worker-thread wait at once", async () => {
  const rings = RingSet.open({ interfaces: ["lo"], filter: `udp dst port ${testPort()}`, ...SMALL });
  try {
    const startedMs = Date.now();
    const waiting = rings.waitAny(5000, true);
    await sleep(50);
    rings.interrupt();
    await waiting;
    assert.ok(Date.now() - startedMs < 2000, `the wait lasted ${Date.now() - startedMs} ms`);
    assert.equal(rings.take(), null);
    assert.equal(rings.failure, null, "an interruption is not a failure");
  } finally {
    await rings.close();
  }
});
