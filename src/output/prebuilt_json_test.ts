import assert from "node:assert/strict";
import { PREBUILT_JSON, spliceJsonMember, valueJson } from "./prebuilt_json.ts";

const head = { type: "sip", v: 1, timestamp_ms: 5, src_ip: "10.0.0.1", vlan: [7] };
const text = '{"kind":"request","method":"INVITE","call_id":"a\\"b","cseq":{"seq":1,"method":"INVITE"}}';

Deno.test("spliceJsonMember: equals JSON.stringify of the object with the member parsed", () => {
  assert.equal(spliceJsonMember(head, "sip", text), JSON.stringify({ ...head, sip: JSON.parse(text) }));
  assert.equal(spliceJsonMember({}, "x", "[1]"), '{"x":[1]}');
  assert.equal(spliceJsonMember({ a: undefined }, "x", "1"), '{"x":1}');
});

Deno.test("valueJson: a value's own JSON method, else JSON.stringify with its errors", () => {
  const own = { a: 1, [PREBUILT_JSON]: () => '{"own":true}' };
  assert.equal(valueJson(own), '{"own":true}');
  assert.equal(valueJson({ a: 1 }), '{"a":1}');
  assert.equal(valueJson(undefined), undefined);
  assert.throws(() => valueJson({ n: 1n }), TypeError);
});
