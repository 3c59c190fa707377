import assert from "node:assert/strict";
import { createPacketSummary } from "../decode/summary.ts";
import { FlowIds, flowIdText } from "./flow_id.ts";

function udpSummary(src: number[], srcPort: number, dst: number[], dstPort: number) {
  const summary = createPacketSummary();
  summary.data = Uint8Array.from([...src, ...dst]);
  summary.ipVersion = src.length === 4 ? 4 : 6;
  summary.addressBytes = src.length;
  summary.srcAddressOffset = 0;
  summary.dstAddressOffset = src.length;
  summary.protocol = 17;
  summary.srcPort = srcPort;
  summary.dstPort = dstPort;
  return summary;
}

Deno.test("FlowIds gives a packet and its address text the same hash, in both directions", () => {
  const ids = new FlowIds();
  const packet = ids.hashOfPacket(udpSummary([10, 0, 0, 1], 5060, [10, 0, 0, 2], 5062));
  assert.equal(ids.hashOfText(17, "10.0.0.1", 5060, "10.0.0.2", 5062), packet);
  assert.equal(ids.hashOfText(17, "10.0.0.2", 5062, "10.0.0.1", 5060), packet);
  assert.notEqual(ids.hashOfText(6, "10.0.0.1", 5060, "10.0.0.2", 5062), packet);
});

Deno.test("FlowIds reads IPv6 text, with or without brackets", () => {
  const ids = new FlowIds();
  const v6 = [0x20, 0x01, 0x0d, 0xb8, ...new Array(11).fill(0), 1];
  const packet = ids.hashOfPacket(udpSummary(v6, 5060, [...v6.slice(0, 15), 2], 5060));
  assert.equal(ids.hashOfText(17, "[2001:db8::2]", 5060, "2001:db8::1", 5060), packet);
});

Deno.test("FlowIds says undefined for host names and mixed families", () => {
  const ids = new FlowIds();
  assert.equal(ids.idOfText(17, "proxy.example.com", 5060, "10.0.0.1", 5060), undefined);
  assert.equal(ids.idOfText(17, "::1", 5060, "10.0.0.1", 5060), undefined);
  assert.match(ids.idOfText(17, "10.0.0.1", 1, "10.0.0.2", 2)!, /^[0-9a-f]{8}$/);
});

Deno.test("flowIdText() pads to 8 hex digits", () => {
  assert.equal(flowIdText(0xabc), "00000abc");
  assert.equal(flowIdText(0xffffffff), "ffffffff");
});
