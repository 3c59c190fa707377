import assert from "node:assert/strict";
import { attachRawPayload } from "../raw_payload.ts";
import { HepProtocolType } from "./encoder.ts";
import { hepMessageOf } from "./record_to_hep.ts";

const base = {
  v: 1,
  timestamp_ms: 1700000000123,
  timestamp_ns: "1700000000123456789",
  transport: "udp",
  src_ip: "10.0.0.1",
  src_port: 5060,
  dst_ip: "10.0.0.2",
  dst_port: 5070,
  flow_id: "0000beef",
};

Deno.test("hepMessageOf() sends a SIP record's raw message as type 1 with its Call-ID", () => {
  const value = attachRawPayload({ ...base, type: "sip", sip: { call_id: "a@b" } }, new TextEncoder().encode("BYE"));
  const message = hepMessageOf({ type: "sip", timestampMs: base.timestamp_ms, value });
  assert.ok(typeof message === "object");
  assert.equal(message.protocolType, HepProtocolType.SIP);
  assert.equal(new TextDecoder().decode(message.payload), "BYE");
  assert.equal(new TextDecoder().decode(message.correlationId), "a@b");
  assert.equal(message.timeSec, 1700000000);
  assert.equal(message.timeUsec, 123456);
  assert.equal(message.ipVersion, 4);
  assert.equal(message.ipProtocol, 17);
});

Deno.test("hepMessageOf() refuses SIP records without their text and records without addresses", () => {
  const sip = { ...base, type: "sip", sip: { call_id: "a@b" } };
  assert.equal(hepMessageOf({ type: "sip", timestampMs: 0, value: sip }), "no_payload");
  const noAddress = { type: "call", timestamp_ms: 1, call: { call_id: "x" } };
  assert.equal(hepMessageOf({ type: "call", timestampMs: 0, value: noAddress }), "no_address");
  assert.equal(hepMessageOf({ type: "raw", timestampMs: 0, value: new Uint8Array(3) }), "not_a_record");
});

Deno.test("hepMessageOf() sends RTCP and RTP stream records as JSON types 5 and 34", () => {
  const rtcp = { ...base, type: "rtcp", rtcp: { call_id: "c@d", packets: [{ type: 200 }] } };
  const rtcpMessage = hepMessageOf({ type: "rtcp", timestampMs: 0, value: rtcp });
  assert.ok(typeof rtcpMessage === "object");
  assert.equal(rtcpMessage.protocolType, HepProtocolType.RTCP);
  assert.deepEqual(JSON.parse(new TextDecoder().decode(rtcpMessage.payload)), rtcp.rtcp);
  assert.equal(new TextDecoder().decode(rtcpMessage.correlationId), "c@d");
  const stream = { ...base, type: "rtp_stream", src_ip: "2001:db8::5", rtp_stream: { call_id: "", ssrc: 7 } };
  const streamMessage = hepMessageOf({ type: "rtp_stream", timestampMs: 0, value: stream });
  assert.ok(typeof streamMessage === "object");
  assert.equal(streamMessage.protocolType, HepProtocolType.RTP_STATS);
  assert.equal(streamMessage.ipVersion, 6);
  assert.equal(streamMessage.correlationId, undefined);
  const dns = { ...base, type: "dns", transport: "tcp", dns: { id: 1 } };
  const dnsMessage = hepMessageOf({ type: "dns", timestampMs: 0, value: dns });
  assert.ok(typeof dnsMessage === "object");
  assert.equal(dnsMessage.protocolType, HepProtocolType.LOG);
  assert.equal(dnsMessage.ipProtocol, 6);
});
