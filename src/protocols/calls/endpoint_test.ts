import assert from "node:assert/strict";
import { endpointKeyFromBytes, endpointKeyFromText, formatAddressBytes, parseIpv4, parseIpv6 } from "./endpoint.ts";

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

Deno.test("parseIpv4() agrees with a split-and-regex reference on random and edge-case text", () => {
  const reference = (text: string): number | undefined => {
    const parts = text.split(".");
    if (parts.length !== 4) return undefined;
    let address = 0;
    for (const part of parts) {
      if (!/^\d{1,3}$/.test(part)) return undefined;
      const octet = Number(part);
      if (octet > 255) return undefined;
      address = address * 256 + octet;
    }
    return address;
  };
  const edges = [
    "",
    ".",
    "1.2.3",
    "1.2.3.4",
    "1.2.3.4.",
    ".1.2.3.4",
    "1..2.3",
    "255.255.255.255",
    "256.1.1.1",
    "01.002.3.4",
    "1234.1.1.1",
    "1.2.3.4\n",
    " 1.2.3.4",
    "1.2.3.a",
    "0.0.0.0",
    "1.2.3.999",
    "１.2.3.4",
  ];
  for (const text of edges) assert.equal(parseIpv4(text), reference(text), JSON.stringify(text));
  let seed = 5;
  const next = (n: number) => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) % n;
  const alphabet = "0123456789....x 2";
  let valid = 0;
  for (let round = 0; round < 20000; round++) {
    let text = "";
    if (round % 2 === 0) {
      const length = next(18);
      for (let k = 0; k < length; k++) text += alphabet[next(alphabet.length)];
    } else {
      // Dotted parts of 0–4 digits: mostly near-valid addresses.
      const parts = Array.from({ length: 3 + next(3) }, () => String(next(400)).slice(0, 1 + next(4)));
      text = parts.join(".");
    }
    const expected = reference(text);
    if (expected !== undefined) valid++;
    assert.equal(parseIpv4(text), expected, JSON.stringify(text));
  }
  assert.ok(valid > 300, `valid addresses among the inputs: ${valid}`);
});
