import assert from "node:assert/strict";
import { recordKey, toOutputRecord } from "./output_record.ts";
import type { PipelineRecord } from "./records.ts";

const base = { v: 1, timestamp_ms: 1700000000123, timestamp_ns: "1700000000123456789", flow_id: "0000abcd" };
const call: PipelineRecord = { ...base, type: "call", call: { call_id: "c1@x" } };
const dns: PipelineRecord = { ...base, type: "dns", dns: {} };
const unbound: PipelineRecord = { ...base, type: "rtp_stream", rtp_stream: { call_id: "" } };

Deno.test("recordKey() keys by flow, by Call-ID with a flow fallback, or not at all", () => {
  assert.equal(recordKey(call, "flow"), "0000abcd");
  assert.equal(recordKey(call, "call_id"), "c1@x");
  assert.equal(recordKey(dns, "call_id"), "0000abcd");
  assert.equal(recordKey(unbound, "call_id"), "0000abcd");
  assert.equal(recordKey(call, "none"), undefined);
});

Deno.test("toOutputRecord() carries type, capture time and the record as the value", () => {
  const out = toOutputRecord(call, "call_id");
  assert.deepEqual(out, { type: "call", timestampMs: 1700000000123, value: call, key: "c1@x" });
  assert.equal("key" in toOutputRecord(call, "none"), false);
});
