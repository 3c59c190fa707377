import assert from "node:assert/strict";
import { concat, ethernet, hex, ipv4, udp, vlanTag } from "../capture/_test_batch.ts";
import { decodeOne } from "./_decode_one.ts";
import { isVlanTpid } from "./ethernet.ts";
import { Malformed } from "./summary.ts";

Deno.test("decodeEthernet() walks 802.1ad + 802.1Q + 0x9100 stacks to the inner ether type", () => {
  const inner = ipv4(17, udp(1, 2, new Uint8Array(4)));
  const frame = ethernet(0x88a8, concat(vlanTag(10, 0x8100), vlanTag(0x2014, 0x9100), vlanTag(30, 0x0800), inner));
  const summary = decodeOne(frame);
  assert.equal(summary.ok, true);
  assert.equal(summary.vlanCount, 3);
  assert.deepEqual(Array.from(summary.vlanIds.subarray(0, 3)), [10, 20, 30]);
  assert.equal(summary.etherType, 0x0800);
  assert.equal(summary.l3Offset, 14 + 12);
  assert.equal(summary.srcPort, 1);
});

Deno.test("decodeEthernet() reports every cut of a VLAN-tagged header as truncated", () => {
  const frame = ethernet(0x8100, concat(vlanTag(5, 0x0806), new Uint8Array(28)));
  for (let length = 0; length < 18; length++) {
    const summary = decodeOne(frame.subarray(0, length));
    const expected = length < 14 ? Malformed.LINK_TRUNCATED : Malformed.VLAN_TRUNCATED;
    assert.equal(summary.malformed, expected, `length ${length}`);
    assert.equal(summary.ok, false);
  }
  const whole = decodeOne(frame);
  assert.equal(whole.etherType, 0x0806);
  assert.equal(whole.ipVersion, 0);
  assert.equal(whole.ok, true);
});

Deno.test("decodeEthernet() follows LLC SNAP and ignores other 802.3 frames", () => {
  const snap = concat(hex("020000000002 020000000001 0030 aaaa03 000000 0800"), ipv4(1, hex("0800 0000 0000 0000")));
  const summary = decodeOne(snap);
  assert.equal(summary.etherType, 0x0800);
  assert.equal(summary.icmpType, 8);
  const stp = decodeOne(hex("0180c2000000 020000000001 0026 424203 0000"));
  assert.equal(stp.etherType, 0);
  assert.equal(stp.ok, true);
});

Deno.test("isVlanTpid() knows the VLAN TPIDs", () => {
  assert.deepEqual([0x8100, 0x88a8, 0x9100, 0x9200, 0x0800].map(isVlanTpid), [true, true, true, true, false]);
});
