import assert from "node:assert/strict";
import { valueJson } from "../output/prebuilt_json.ts";
import { attachRawPayload, rawPayloadOf } from "../output/raw_payload.ts";
import { parseSipMessage } from "../protocols/sip/mod.ts";
import { recordBase } from "./record_base.ts";
import { sipFields, sipRecord } from "./records.ts";
import { SipJsonRecord } from "./sip_json_record.ts";

const payload = new TextEncoder().encode(
  "INVITE sip:b@h SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\nFrom: <sip:a@h>;tag=1\r\nTo: <sip:b@h>\r\n" +
    "Call-ID: c1@h\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n",
);
const tuple = { ipVersion: 4, transport: "udp", srcIp: "10.0.0.1", srcPort: 5060, dstIp: "10.0.0.2", dstPort: 5060 };

function made() {
  const result = parseSipMessage(payload);
  assert.equal(result.kind, "message");
  const message = result.kind === "message" ? result.message : undefined!;
  const base = () => recordBase("sip", { sec: 1_700_000_000, nsec: 5 }, { ...tuple, flowHash: 7 }, { vlan: [3] }, "t");
  return {
    plain: sipRecord(base(), message),
    json: new SipJsonRecord(base(), JSON.stringify(sipFields(message)), message.callId),
    whole: new SipJsonRecord(base(), JSON.stringify(sipRecord(base(), message)), message.callId, true),
  };
}

Deno.test("SipJsonRecord: valueJson and JSON.stringify give the plain sip record's JSON", () => {
  const { plain, json } = made();
  const expected = JSON.stringify(plain);
  assert.equal(valueJson(json), expected);
  assert.equal(JSON.stringify(json), expected);
  assert.equal(valueJson({ ...json }), JSON.stringify({ ...plain, sip: undefined }), "a copy has no sip getter");
});

Deno.test("SipJsonRecord: made from the whole record's JSON, it gives that JSON and reads its sip object", () => {
  const { plain, whole } = made();
  const expected = JSON.stringify(plain);
  assert.equal(valueJson(whole), expected);
  assert.equal(JSON.stringify(whole), expected);
  assert.deepEqual(whole.sip, plain.sip);
  assert.equal(whole.src_ip, plain.src_ip);
  assert.equal(whole.callId, plain.sip.call_id);
});

Deno.test("SipJsonRecord: reads like a plain record (common fields, sip, Call-ID) and keeps a raw payload apart", () => {
  const { plain, json } = made();
  assert.equal(json.type, "sip");
  assert.equal(json.flow_id, plain.flow_id);
  assert.equal(json.timestamp_ns, plain.timestamp_ns);
  assert.deepEqual(json.sip, plain.sip);
  assert.equal(json.sip, json.sip, "parsed once");
  assert.equal(json.callId, "c1@h");
  attachRawPayload(json, payload);
  assert.equal(rawPayloadOf(json), payload);
  assert.equal(valueJson(json), JSON.stringify(plain));
});
