import assert from "node:assert/strict";
import { concat, hex, ipv4, ipv6, udp, vlanTag } from "../capture/_test_batch.ts";
import { LinkType } from "../capture/batch.ts";
import { decodeOne } from "./_decode_one.ts";
import { isDecodedLinkType } from "./link.ts";
import { Malformed } from "./summary.ts";

const IPV4_UDP = ipv4(17, udp(5060, 5061, new Uint8Array(10)));
const IPV6_UDP = ipv6(17, udp(5060, 5061, new Uint8Array(10)));

Deno.test("decodeLink() reads Linux cooked v1 and v2 headers, with a VLAN tag after SLL", () => {
  const sll = decodeOne(concat(hex("0000 0001 0006 020000000001 0000 0800"), IPV4_UDP), LinkType.LINUX_SLL);
  assert.equal(sll.ok, true);
  assert.equal(sll.srcPort, 5060);
  const tagged = decodeOne(concat(hex("0000 0001 0006 020000000001 0000 8100"), vlanTag(42, 0x86dd), IPV6_UDP), 113);
  assert.equal(tagged.vlanIds[0], 42);
  assert.equal(tagged.ipVersion, 6);
  const sll2 = decodeOne(concat(hex("86dd 0000 00000002 0001 00 06 020000000001 0000"), IPV6_UDP), LinkType.LINUX_SLL2);
  assert.equal(sll2.ok, true);
  assert.equal(sll2.dstPort, 5061);
  const llc = decodeOne(concat(hex("0000 0001 0006 020000000001 0000 0004"), hex("424203")), LinkType.LINUX_SLL);
  assert.equal(llc.etherType, 0);
  assert.equal(llc.ok, true);
});

Deno.test("decodeLink() reports cooked headers cut short", () => {
  for (let length = 0; length < 16; length++) {
    const summary = decodeOne(new Uint8Array(length), LinkType.LINUX_SLL);
    assert.equal(summary.malformed, Malformed.LINK_TRUNCATED);
  }
  assert.equal(decodeOne(new Uint8Array(19), LinkType.LINUX_SLL2).malformed, Malformed.LINK_TRUNCATED);
});

Deno.test("decodeLink() reads NULL families in either byte order and LOOP in network order", () => {
  assert.equal(decodeOne(concat(hex("02000000"), IPV4_UDP), LinkType.NULL).ipVersion, 4);
  assert.equal(decodeOne(concat(hex("00000002"), IPV4_UDP), LinkType.NULL).ipVersion, 4);
  for (const family of ["18000000", "1c000000", "1e000000", "0a000000"]) {
    assert.equal(decodeOne(concat(hex(family), IPV6_UDP), LinkType.NULL).ipVersion, 6, family);
  }
  assert.equal(decodeOne(concat(hex("0000001e"), IPV6_UDP), LinkType.LOOP).ipVersion, 6);
  const other = decodeOne(concat(hex("07000000"), IPV4_UDP), LinkType.NULL);
  assert.equal(other.ipVersion, 0);
  assert.equal(other.ok, true);
  assert.equal(decodeOne(hex("020000"), LinkType.NULL).malformed, Malformed.LINK_TRUNCATED);
});

Deno.test("decodeLink() reads raw IP by version nibble and the IPV4/IPV6 link types", () => {
  assert.equal(decodeOne(IPV4_UDP, LinkType.RAW).ipVersion, 4);
  assert.equal(decodeOne(IPV6_UDP, LinkType.RAW).ipVersion, 6);
  assert.equal(decodeOne(IPV4_UDP, 12).ipVersion, 4);
  assert.equal(decodeOne(IPV4_UDP, LinkType.IPV4).srcPort, 5060);
  assert.equal(decodeOne(IPV6_UDP, LinkType.IPV6).srcPort, 5060);
  assert.equal(decodeOne(hex("50"), LinkType.RAW).malformed, Malformed.IP_VERSION_INVALID);
  assert.equal(decodeOne(new Uint8Array(0), LinkType.RAW).malformed, Malformed.LINK_TRUNCATED);
});

Deno.test("decodeSummary() leaves unknown link types undecoded without calling them malformed", () => {
  const summary = decodeOne(IPV4_UDP, 147);
  assert.equal(summary.ok, false);
  assert.equal(summary.linkDecoded, false);
  assert.equal(summary.malformed, Malformed.NONE);
  assert.equal(isDecodedLinkType(147), false);
  assert.equal(isDecodedLinkType(LinkType.LINUX_SLL2), true);
});
