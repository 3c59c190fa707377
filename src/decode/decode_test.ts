import assert from "node:assert/strict";
import { batchOf, concat, ethernet, ipv4, tcp, udp, vlanTag } from "../capture/_test_batch.ts";
import { PacketFlag } from "../capture/batch.ts";
import { decodeSummary } from "./decode.ts";
import { createPacketSummary, Malformed } from "./summary.ts";

Deno.test("decodeSummary() puts the offloaded VLAN tag before tags still in the frame", () => {
  const frame = ethernet(0x8100, concat(vlanTag(200, 0x0800), ipv4(17, udp(1, 2, new Uint8Array(0)))));
  const batch = batchOf([frame]);
  batch.flags[0] = PacketFlag.VLAN_VALID;
  batch.vlanTci[0] = 0xe064; // Priority 7, VLAN 100.
  const summary = createPacketSummary();
  assert.equal(decodeSummary(batch, 0, summary), true);
  assert.deepEqual(Array.from(summary.vlanIds.subarray(0, summary.vlanCount)), [100, 200]);
});

Deno.test("decodeSummary() reuses one summary without leaking fields between packets", () => {
  const batch = batchOf([
    ethernet(0x0800, ipv4(6, tcp(80, 81, 0x02, new Uint8Array(0)))),
    ethernet(0x0806, new Uint8Array(28)),
    ethernet(0x0800, ipv4(17, new Uint8Array(3))),
  ]);
  batch.interfaceIndex = 3;
  const summary = createPacketSummary();
  assert.equal(decodeSummary(batch, 0, summary), true);
  assert.equal(summary.tcpFlags, 0x02);
  assert.equal(summary.timestampSec, 1000);
  assert.equal(summary.interfaceIndex, 3);
  assert.equal(decodeSummary(batch, 1, summary), true);
  assert.equal(summary.tcpFlags, -1);
  assert.equal(summary.ipVersion, 0);
  assert.equal(summary.etherType, 0x0806);
  assert.equal(summary.payloadBytes, 28);
  assert.equal(summary.timestampSec, 1001);
  assert.equal(decodeSummary(batch, 2, summary), false);
  assert.equal(summary.malformed, Malformed.UDP_TRUNCATED);
  assert.equal(summary.srcPort, -1);
  assert.equal(summary.ipVersion, 4, "fields decoded before the problem stay set");
});

Deno.test("decodeSummary() never reads past the packet into the next one in the batch", () => {
  const full = ethernet(0x0800, ipv4(17, udp(1, 2, new Uint8Array(8))));
  const batch = batchOf([full.subarray(0, 30), full]);
  const summary = createPacketSummary();
  assert.equal(decodeSummary(batch, 0, summary), false);
  assert.equal(summary.malformed, Malformed.IPV4_TRUNCATED);
  assert.equal(summary.capturedBytes, 30);
});

Deno.test("decodeSummary() keeps every offset inside the packet for random bytes on every link type", () => {
  let seed = 777;
  const random = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x80000000;
  const seedFrame = ethernet(0x8100, concat(vlanTag(1, 0x86dd), new Uint8Array(120)));
  const summary = createPacketSummary();
  for (const linkType of [0, 1, 12, 101, 108, 113, 228, 229, 276]) {
    for (let round = 0; round < 300; round++) {
      const frame = seedFrame.slice(0, Math.floor(random() * seedFrame.length));
      for (let k = 0; k < frame.length; k++) if (random() < 0.3) frame[k] = Math.floor(random() * 256);
      if (frame.length > 18 && random() < 0.5) frame[18] = 0x60; // Often a plausible IPv6 header after the tag.
      const batch = batchOf([frame, new Uint8Array(64).fill(0xee)], linkType);
      decodeSummary(batch, 0, summary);
      const end = batch.capturedBytes[0];
      assert.ok(summary.payloadOffset + summary.payloadBytes <= end, `link ${linkType} round ${round}`);
      assert.ok(summary.l4Offset <= end && summary.dstAddressOffset + summary.addressBytes <= end);
    }
  }
});
