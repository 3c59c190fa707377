import assert from "node:assert/strict";
import { batchOf, ethernet, ipv4, ipv6, tcp, udp } from "../capture/_test_batch.ts";
import { decodeSummary } from "./decode.ts";
import { createFlowKey, type FlowKey, flowKeysEqual, workerOfFlow, writeFlowKey } from "./flow_key.ts";
import { createPacketSummary } from "./summary.ts";

function keyOf(frame: Uint8Array): FlowKey {
  const summary = createPacketSummary();
  decodeSummary(batchOf([frame]), 0, summary);
  const key = createFlowKey();
  writeFlowKey(summary, key);
  return key;
}

function swapIpv4(packet: Uint8Array): Uint8Array {
  const out = packet.slice();
  out.set(packet.subarray(16, 20), 12);
  out.set(packet.subarray(12, 16), 16);
  return out;
}

Deno.test("writeFlowKey() gives A→B and B→A the same key and hash", () => {
  const ab = keyOf(ethernet(0x0800, ipv4(17, udp(5060, 5080, new Uint8Array(4)))));
  const ba = keyOf(ethernet(0x0800, swapIpv4(ipv4(17, udp(5080, 5060, new Uint8Array(4))))));
  assert.ok(flowKeysEqual(ab.bytes, ba.bytes));
  assert.equal(ab.hash, ba.hash);
  assert.notEqual(ab.reversed, ba.reversed);
  assert.equal(workerOfFlow(ab.hash, 7), workerOfFlow(ba.hash, 7));
});

Deno.test("writeFlowKey() distinguishes ports, protocols and address families", () => {
  const base = keyOf(ethernet(0x0800, ipv4(17, udp(5060, 5080, new Uint8Array(4)))));
  const otherPort = keyOf(ethernet(0x0800, ipv4(17, udp(5061, 5080, new Uint8Array(4)))));
  const otherProtocol = keyOf(ethernet(0x0800, ipv4(6, tcp(5060, 5080, 0x02, new Uint8Array(0)))));
  const v6 = keyOf(ethernet(0x86dd, ipv6(17, udp(5060, 5080, new Uint8Array(4)))));
  for (const other of [otherPort, otherProtocol, v6]) {
    assert.ok(!flowKeysEqual(base.bytes, other.bytes));
    assert.notEqual(base.hash, other.hash);
  }
});

Deno.test("writeFlowKey() orders equal addresses by port so both directions still match", () => {
  const ab = keyOf(ethernet(0x0800, ipv4(17, udp(1000, 2000, new Uint8Array(0)))));
  const swapped = ipv4(17, udp(2000, 1000, new Uint8Array(0)));
  swapped.set([10, 0, 0, 1], 16);
  const loopA = ipv4(17, udp(1000, 2000, new Uint8Array(0)));
  loopA.set([10, 0, 0, 1], 16);
  assert.equal(keyOf(ethernet(0x0800, loopA)).hash, keyOf(ethernet(0x0800, swapped)).hash);
  assert.notEqual(ab.hash, keyOf(ethernet(0x0800, loopA)).hash);
});

Deno.test("workerOfFlow() spreads flows over workers", () => {
  const workers = new Set<number>();
  for (let port = 1000; port < 1100; port++) {
    workers.add(workerOfFlow(keyOf(ethernet(0x0800, ipv4(17, udp(port, 53, new Uint8Array(0))))).hash, 4));
  }
  assert.equal(workers.size, 4);
  assert.equal(workerOfFlow(123, 1), 0);
});

Deno.test("writeFlowKey() without ports keys a first fragment and a later fragment alike", () => {
  const first = createPacketSummary();
  decodeSummary(
    batchOf([ethernet(0x0800, ipv4(17, udp(5060, 5080, new Uint8Array(16)), { fragment: 0x2000 }))]),
    0,
    first,
  );
  const later = createPacketSummary();
  decodeSummary(batchOf([ethernet(0x0800, ipv4(17, new Uint8Array(16), { fragment: 3 }))]), 0, later);
  const a = createFlowKey();
  const b = createFlowKey();
  writeFlowKey(first, a, false);
  writeFlowKey(later, b, false);
  assert.equal(a.hash, b.hash);
  writeFlowKey(first, a);
  assert.notEqual(a.hash, b.hash, "with ports the first fragment differs");
});
