import assert from "node:assert/strict";
import { parseProtocolList, planProtocols, PROTOCOL_NAMES } from "./protocols.ts";

Deno.test("parseProtocolList() accepts names in any case and drops repeats", () => {
  assert.deepEqual(parseProtocolList("SIP, rtp,sip"), ["sip", "rtp"]);
});

Deno.test("parseProtocolList() treats an empty list and 'all' as every protocol", () => {
  assert.deepEqual(parseProtocolList(""), [...PROTOCOL_NAMES]);
  assert.deepEqual(parseProtocolList("dns,all"), [...PROTOCOL_NAMES]);
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
