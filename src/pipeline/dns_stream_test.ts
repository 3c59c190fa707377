import assert from "node:assert/strict";
import type { DnsInvalidReason, DnsMessage } from "../protocols/dns/mod.ts";
import { DnsStream } from "./dns_stream.ts";
import { concat } from "./_test_frames.ts";

const QUERY = Uint8Array.from([0x00, 0x07, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, 1, 0x61, 0, 0, 1, 0, 1]);
const framed = (message: Uint8Array) => concat(Uint8Array.from([message.length >> 8, message.length & 0xff]), message);

function collector() {
  const ids: number[] = [];
  const invalid: DnsInvalidReason[] = [];
  return {
    ids,
    invalid,
    sink: { message: (m: DnsMessage) => ids.push(m.id), invalid: (r: DnsInvalidReason) => invalid.push(r) },
  };
}

Deno.test("DnsStream cuts length-prefixed messages across deliveries", () => {
  const stream = new DnsStream();
  const { ids, sink } = collector();
  const bytes = concat(framed(QUERY), framed(QUERY));
  stream.push(bytes, 0, 5, sink);
  assert.deepEqual(ids, []);
  stream.push(bytes, 5, bytes.length - 5, sink);
  assert.deepEqual(ids, [7, 7]);
});

Deno.test("DnsStream skips a bad message by its frame and stops at a bad length prefix", () => {
  const stream = new DnsStream();
  const { ids, invalid, sink } = collector();
  const bad = framed(concat(QUERY.subarray(0, 12), Uint8Array.from([0x40, 0x40]))); // label type 01: bad name
  const bytes = concat(bad, framed(QUERY), Uint8Array.from([0, 3, 1, 2, 3]));
  stream.push(bytes, 0, bytes.length, sink);
  assert.deepEqual(ids, [7]);
  assert.equal(invalid.length, 2);
  assert.equal(invalid[1], "bad_length_prefix");
  assert.equal(stream.lost, true);
});
