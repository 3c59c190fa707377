import assert from "node:assert/strict";
import { parseSipMessage } from "../protocols/sip/mod.ts";
import { sipFields } from "./records.ts";
import { sipText, text } from "./_test_frames.ts";

function parse(payload: string) {
  const result = parseSipMessage(text(payload));
  if (result.kind !== "message") throw new Error(result.kind);
  return result.message;
}

Deno.test("sipFields() describes a request with method, URI, CSeq object, vias and addresses", () => {
  const fields = sipFields(parse(sipText("INVITE sip:bob@b SIP/2.0", "7 INVITE", "id@h", "v=0\r\n")));
  assert.equal(fields.kind, "request");
  assert.equal(fields.method, "INVITE");
  assert.equal(fields.request_uri, "sip:bob@b");
  assert.equal(fields.status_code, undefined);
  assert.deepEqual(fields.cseq, { seq: 7, method: "INVITE" });
  assert.equal(fields.call_id, "id@h");
  assert.deepEqual(fields.from, { uri: "sip:alice@a", tag: "a1", params: "tag=a1" });
  assert.deepEqual(fields.vias, [{ transport: "UDP", host: "10.0.0.1", port: 5060, branch: "z9hG4bK-1" }]);
  assert.equal(fields.sdp, true);
  assert.equal(fields.body_bytes, 5);
});

Deno.test("sipFields() gives responses a numeric status code and no method", () => {
  const fields = sipFields(parse(sipText("SIP/2.0 486 Busy Here", "7 INVITE", "id@h", "", "t9")));
  assert.equal(fields.kind, "response");
  assert.equal(fields.status_code, 486);
  assert.equal(fields.reason_phrase, "Busy Here");
  assert.equal(fields.method, undefined);
  assert.equal(fields.to?.tag, "t9");
  assert.equal(fields.sdp, false);
});
