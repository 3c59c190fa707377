import assert from "node:assert/strict";
import { isSdpContentType } from "./body.ts";

Deno.test("isSdpContentType() accepts application/sdp in any case, with parameters", () => {
  assert.equal(isSdpContentType("application/sdp"), true);
  assert.equal(isSdpContentType("Application/SDP ; charset=utf-8"), true);
  assert.equal(isSdpContentType("multipart/mixed;boundary=x"), false);
  assert.equal(isSdpContentType(""), false);
});
