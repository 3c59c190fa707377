import assert from "node:assert/strict";
import { endpointKeyFromBytes, endpointKeyFromText, formatAddressBytes, parseIpv6 } from "./endpoint.ts";

Deno.test("endpoint keys from packet bytes and from SDP text are equal", () => {
  const v4 = new Uint8Array([200, 57, 7, 196]);
  assert.equal(endpointKeyFromBytes(v4, 0, 4, 40376), endpointKeyFromText("200.57.7.196", 40376));
  assert.equal(typeof endpointKeyFromBytes(v4, 0, 4, 1), "number");
  const v6 = parseIpv6("2001:db8::1")!;
  assert.equal(endpointKeyFromBytes(v6, 0, 16, 5004), endpointKeyFromText("[2001:db8:0:0::1]", 5004));
  assert.equal(endpointKeyFromText("host.example", 1), undefined);
  assert.equal(endpointKeyFromText("1.2.3.256", 1), undefined);
  assert.equal(formatAddressBytes(v6, 0, 16), "2001:db8::1");
  assert.equal(formatAddressBytes(v4, 0, 4), "200.57.7.196");
  assert.equal(parseIpv6("::ffff:1.2.3.4")![15], 4);
});
