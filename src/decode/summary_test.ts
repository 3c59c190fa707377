import assert from "node:assert/strict";
import {
  createPacketSummary,
  Malformed,
  MALFORMED_NAMES,
  pushVlanId,
  resetPacketSummary,
  VLAN_IDS_MAX,
} from "./summary.ts";

Deno.test("MALFORMED_NAMES has one label per Malformed value, in order", () => {
  const values = Object.values(Malformed);
  assert.equal(MALFORMED_NAMES.length, values.length);
  for (const [key, value] of Object.entries(Malformed)) assert.equal(MALFORMED_NAMES[value], key.toLowerCase());
});

Deno.test("pushVlanId() stores the first VLAN_IDS_MAX ids and counts all", () => {
  const summary = createPacketSummary();
  for (let k = 0; k < VLAN_IDS_MAX + 2; k++) pushVlanId(summary, 100 + k);
  assert.equal(summary.vlanCount, VLAN_IDS_MAX + 2);
  assert.equal(summary.vlanIds[VLAN_IDS_MAX - 1], 100 + VLAN_IDS_MAX - 1);
  resetPacketSummary(summary);
  assert.equal(summary.vlanCount, 0);
  assert.equal(summary.srcPort, -1);
  assert.equal(summary.malformed, Malformed.NONE);
});
