import assert from "node:assert/strict";
import { snakeCaseKey, snakeCaseKeys } from "./snake_case.ts";

Deno.test("snakeCaseKey() splits at capitals and keeps snake keys", () => {
  assert.equal(snakeCaseKey("maxJitterMs"), "max_jitter_ms");
  assert.equal(snakeCaseKey("xrMosLq"), "xr_mos_lq");
  assert.equal(snakeCaseKey("call_id"), "call_id");
});

Deno.test("snakeCaseKeys() converts nested objects and arrays and drops undefined members", () => {
  const converted = snakeCaseKeys({
    callId: "a",
    caller: { uriText: "sip:x" },
    list: [{ lostPackets: 1 }],
    gone: undefined,
  });
  assert.deepEqual(converted, { call_id: "a", caller: { uri_text: "sip:x" }, list: [{ lost_packets: 1 }] });
});

Deno.test("snakeCaseKey() gives the same answers from its cache and past its bound", () => {
  assert.equal(snakeCaseKey("maxJitterMs"), "max_jitter_ms"); // A second time: from the cache.
  for (let i = 0; i < 5000; i++) assert.equal(snakeCaseKey(`key${i}Name`), `key${i}_name`);
  assert.equal(snakeCaseKey("lateKeyX"), "late_key_x"); // Past the bound: converted each time.
  assert.equal(snakeCaseKey("lateKeyX"), "late_key_x");
});
