import assert from "node:assert/strict";
import { attachRawPayload, rawPayloadOf } from "./raw_payload.ts";

Deno.test("attachRawPayload() keeps the bytes out of JSON but in spread copies", () => {
  const record = attachRawPayload({ type: "sip", n: 1 }, new Uint8Array([1, 2, 3]));
  assert.equal(JSON.stringify(record), `{"type":"sip","n":1}`);
  assert.deepEqual(rawPayloadOf({ ...record }), new Uint8Array([1, 2, 3]));
});

Deno.test("rawPayloadOf() is undefined for records without a payload and for non-objects", () => {
  assert.equal(rawPayloadOf({ type: "sip" }), undefined);
  assert.equal(rawPayloadOf(null), undefined);
  assert.equal(rawPayloadOf(new Uint8Array(2)), undefined);
});
