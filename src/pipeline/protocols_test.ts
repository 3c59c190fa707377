import assert from "node:assert/strict";
import { DEFAULT_PROTOCOL_NAMES, parseProtocolList, planProtocols, PROTOCOL_NAMES } from "./protocols.ts";

Deno.test("parseProtocolList() accepts names in any case and drops repeats", () => {
  assert.deepEqual(parseProtocolList("SIP, rtp,sip"), ["sip", "rtp"]);
});

Deno.test("parseProtocolList() treats an empty list and 'all' as every protocol but per-packet RTP records", () => {
  assert.deepEqual(parseProtocolList(""), [...DEFAULT_PROTOCOL_NAMES]);
  assert.deepEqual(parseProtocolList("dns,all"), [...DEFAULT_PROTOCOL_NAMES]);
  assert.ok(!DEFAULT_PROTOCOL_NAMES.includes("rtp_packet"));
  assert.deepEqual(parseProtocolList("all,rtp_packet"), [...PROTOCOL_NAMES]);
  assert.deepEqual(parseProtocolList("rtp_packet"), ["rtp_packet"]);
});

Deno.test("planProtocols() runs the VoIP tracker for rtp_packet and asks it for per-packet records", () => {
  const plan = planProtocols(["rtp_packet"]);
  assert.equal(plan.voip, true);
  assert.equal(plan.rtpPackets, true);
  assert.deepEqual([...plan.records], ["rtp_packet"]);
  assert.equal(planProtocols(DEFAULT_PROTOCOL_NAMES).rtpPackets, false);
});

Deno.test("parseProtocolList() rejects an unknown name with the accepted ones", () => {
  assert.throws(() => parseProtocolList("sip,smtp"), /Unknown protocol "smtp" \(expected one of: sip, call/);
});

Deno.test("planProtocols() parses SIP for rtp without emitting sip records", () => {
  const plan = planProtocols(["rtp"]);
  assert.equal(plan.sip, true);
  assert.equal(plan.voip, true);
  assert.deepEqual([...plan.records], ["rtp_stream"]);
  assert.equal(plan.dns, false);
});

Deno.test("planProtocols() gives sip tasks their call records and no VoIP-free extras", () => {
  const plan = planProtocols(["sip"]);
  assert.deepEqual([...plan.records].sort(), ["call", "sip"]);
  const dns = planProtocols(["dns"]);
  assert.equal(dns.sip, false);
  assert.equal(dns.voip, false);
  assert.equal(dns.tcp, true);
});
