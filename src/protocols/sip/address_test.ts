import assert from "node:assert/strict";
import { parseSipAddress, parseSipAddressList } from "./address.ts";
import type { SipAddress } from "./types.ts";

Deno.test("parseSipAddress() reads name-addr forms with quoted and unquoted display names", () => {
  assert.deepEqual(parseSipAddress('"A \\"quoted\\" <name>" <sip:a@h;user=phone>;tag=9;x=1'), {
    displayName: 'A "quoted" <name>',
    uri: "sip:a@h;user=phone",
    tag: "9",
    params: "tag=9;x=1",
  });
  assert.deepEqual(parseSipAddress("Bob Smith <sips:bob@h> ; TAG=abc"), {
    displayName: "Bob Smith",
    uri: "sips:bob@h",
    tag: "abc",
    params: "TAG=abc",
  });
  assert.equal(parseSipAddress("<tel:+15551234>")?.uri, "tel:+15551234");
});

Deno.test("parseSipAddress() gives addr-spec parameters to the header, not the URI", () => {
  assert.deepEqual(parseSipAddress("sip:a@h;tag=5"), { displayName: "", uri: "sip:a@h", tag: "5", params: "tag=5" });
  assert.deepEqual(parseSipAddress(" sip:a@h "), { displayName: "", uri: "sip:a@h", tag: "", params: "" });
  assert.equal(parseSipAddress("*")?.uri, "*");
});

Deno.test("parseSipAddress() rejects unclosed quotes and brackets", () => {
  assert.equal(parseSipAddress('"open <sip:a@h>'), undefined);
  assert.equal(parseSipAddress("<sip:a@h"), undefined);
  assert.equal(parseSipAddress('"name" sip:a@h'), undefined);
});

Deno.test("parseSipAddressList() splits Contact lists outside quotes and brackets", () => {
  const out: SipAddress[] = [];
  parseSipAddressList('"a, b" <sip:x@h;p=1,2>;q=0.5, <sip:y@h>, sip:z@h;expires=3, <broken', out);
  assert.deepEqual(out.map((address) => address.uri), ["sip:x@h;p=1,2", "sip:y@h", "sip:z@h"]);
  assert.equal(out[0]?.displayName, "a, b");
});
