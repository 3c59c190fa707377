import assert from "node:assert/strict";
import { type KernelCounters, KernelCounterSums } from "./afpacket_counters.ts";
import { RingSet } from "./afpacket_rings.ts";
import { sendUdp, sleep, testPort } from "./_test_lo.ts";

const SMALL = { blockBytes: 65536, blockCount: 8, retireTimeoutMs: 10, promiscuous: false } as const;

Deno.test("KernelCounterSums sums the kernel counters per interface and in total, and keeps them after close", async () => {
  const port = testPort();
  // Interface 0 has two fanout sockets, interface 1 one: every packet on lo reaches one socket of each.
  const rings = RingSet.open({ interfaces: ["lo", "lo"], filter: `udp dst port ${port}`, fanoutCount: 2, ...SMALL });
  const sums = new KernelCounterSums(2);
  const total: KernelCounters = { kernelPackets: -1, kernelDrops: -1, kernelFreezes: -1 };
  const zero = { kernelPackets: 0, kernelDrops: 0, kernelFreezes: 0 };
  try {
    assert.deepEqual(sums.byInterface(), [zero, zero], "zero before the first refresh");
    await sendUdp(port, 30);
    await sleep(50);
    sums.refresh(rings.slots, total);
    // Both directions on lo: 60 packets per interface.
    const expected = { kernelPackets: 60, kernelDrops: 0, kernelFreezes: 0 };
    assert.deepEqual(sums.byInterface(), [expected, expected]);
    assert.deepEqual(total, { kernelPackets: 120, kernelDrops: 0, kernelFreezes: 0 });
    sums.refresh(rings.slots, total);
    assert.deepEqual(sums.byInterface(), [expected, expected], "a refresh recomputes, never adds twice");
    assert.equal(total.kernelPackets, 120);
    const copy = sums.byInterface();
    copy[0].kernelPackets = 0;
    assert.equal(sums.byInterface()[0].kernelPackets, 60, "callers get copies");
  } finally {
    await rings.close();
  }
  sums.refresh(rings.slots, total);
  assert.deepEqual(sums.byInterface()[1], { kernelPackets: 60, kernelDrops: 0, kernelFreezes: 0 }, "kept after close");
});
