import assert from "node:assert/strict";
import { ipv4Fragment, ipv6Fragment, pattern } from "./_test_fragments.ts";
import { IpReassembler } from "./reassembler.ts";

function offer(reassembler: IpReassembler, packets: Uint8Array[], nowMs = 0): Uint8Array[] {
  const done: Uint8Array[] = [];
  for (const packet of packets) {
    const result = reassembler.add(packet, 0, packet.length, nowMs);
    if (result !== null) done.push(result);
  }
  return done;
}

function v4Pieces(payload: Uint8Array, step: number, options = {}): Uint8Array[] {
  const pieces: Uint8Array[] = [];
  for (let at = 0; at < payload.length; at += step) {
    const bytes = Math.min(step, payload.length - at);
    pieces.push(ipv4Fragment(payload, at, bytes, at + bytes < payload.length, options));
  }
  return pieces;
}

Deno.test("IpReassembler rebuilds an IPv4 datagram from fragments in order", () => {
  const payload = pattern(3000);
  const reassembler = new IpReassembler();
  const done = offer(reassembler, v4Pieces(payload, 1480));
  assert.equal(done.length, 1);
  const packet = done[0];
  assert.equal(packet.length, 20 + 3000);
  assert.equal((packet[2] << 8) | packet[3], 3020);
  assert.equal((packet[6] << 8) | packet[7], 0, "fragment fields cleared");
  assert.deepEqual(packet.subarray(20), payload);
  assert.equal(reassembler.counters.datagramsCompleted, 1);
  assert.equal(reassembler.datagramsInFlight, 0);
  assert.equal(reassembler.bufferedBytes, 0);
});

Deno.test("IpReassembler writes a valid IPv4 header checksum", () => {
  const done = offer(new IpReassembler(), v4Pieces(pattern(100), 48));
  let sum = 0;
  for (let k = 0; k < 20; k += 2) sum += (done[0][k] << 8) | done[0][k + 1];
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  assert.equal(sum, 0xffff);
});

Deno.test("IpReassembler rebuilds fragments offered in reverse order", () => {
  const payload = pattern(4000, 7);
  const done = offer(new IpReassembler(), v4Pieces(payload, 800).reverse());
  assert.equal(done.length, 1);
  assert.deepEqual(done[0].subarray(20), payload);
});

Deno.test("IpReassembler keeps the first copy of overlapping bytes", () => {
  const payload = pattern(64);
  const forged = pattern(64, 100);
  const reassembler = new IpReassembler();
  const done = offer(reassembler, [
    ipv4Fragment(payload, 0, 32, true),
    ipv4Fragment(forged, 16, 32, true), // overlaps 16..32 with forged bytes, adds 32..48
    ipv4Fragment(payload, 48, 16, false),
  ]);
  assert.equal(done.length, 1);
  const out = done[0].subarray(20);
  assert.deepEqual(out.subarray(0, 32), payload.subarray(0, 32), "first copy kept");
  assert.deepEqual(out.subarray(32, 48), forged.subarray(32, 48), "new bytes taken");
  assert.deepEqual(out.subarray(48), payload.subarray(48));
  assert.equal(reassembler.counters.overlap, 1);
});

Deno.test("IpReassembler counts and ignores duplicate fragments", () => {
  const payload = pattern(48);
  const reassembler = new IpReassembler();
  const first = ipv4Fragment(payload, 0, 24, true);
  const done = offer(reassembler, [first, first, ipv4Fragment(payload, 24, 24, false)]);
  assert.equal(done.length, 1);
  assert.deepEqual(done[0].subarray(20), payload);
  assert.equal(reassembler.counters.duplicate, 1);
});

Deno.test("IpReassembler keeps datagrams without a last fragment until the timeout", () => {
  const reassembler = new IpReassembler({ timeoutMs: 1000 });
  const payload = pattern(64);
  assert.deepEqual(offer(reassembler, [ipv4Fragment(payload, 0, 32, true)], 0), []);
  assert.equal(reassembler.datagramsInFlight, 1);
  reassembler.expire(999);
  assert.equal(reassembler.datagramsInFlight, 1);
  reassembler.expire(1000);
  assert.equal(reassembler.datagramsInFlight, 0);
  assert.equal(reassembler.counters.timeout, 1);
  // The last fragment now starts a new datagram that cannot complete.
  assert.deepEqual(offer(reassembler, [ipv4Fragment(payload, 32, 32, false)], 1001), []);
});

Deno.test("IpReassembler separates datagrams by identification and address", () => {
  const a = pattern(32, 1);
  const b = pattern(32, 2);
  const done = offer(new IpReassembler(), [
    ipv4Fragment(a, 0, 16, true, { id: 1 }),
    ipv4Fragment(b, 0, 16, true, { id: 2 }),
    ipv4Fragment(b, 16, 16, false, { id: 2 }),
    ipv4Fragment(a, 16, 16, false, { id: 1, src: 9 }),
    ipv4Fragment(a, 16, 16, false, { id: 1 }),
  ]);
  assert.equal(done.length, 2);
  assert.deepEqual(done[0].subarray(20), b);
  assert.deepEqual(done[1].subarray(20), a);
});

Deno.test("IpReassembler evicts the oldest datagram past datagramsMax", () => {
  const reassembler = new IpReassembler({ datagramsMax: 2 });
  const payload = pattern(32);
  offer(reassembler, [1, 2, 3].map((id) => ipv4Fragment(payload, 0, 16, true, { id })));
  assert.equal(reassembler.datagramsInFlight, 2);
  assert.equal(reassembler.counters.datagramsMax, 1);
  assert.equal(offer(reassembler, [ipv4Fragment(payload, 16, 16, false, { id: 1 })]).length, 0, "1 was evicted");
  assert.equal(offer(reassembler, [ipv4Fragment(payload, 16, 16, false, { id: 3 })]).length, 1);
});

Deno.test("IpReassembler drops a datagram past fragmentsPerDatagramMax", () => {
  const reassembler = new IpReassembler({ fragmentsPerDatagramMax: 3 });
  const done = offer(reassembler, v4Pieces(pattern(64), 16));
  assert.equal(done.length, 0);
  assert.equal(reassembler.counters.fragmentsPerDatagramMax, 1);
});

Deno.test("IpReassembler drops a datagram past datagramBytesMax and 16-bit lengths", () => {
  const reassembler = new IpReassembler({ datagramBytesMax: 1000 });
  assert.equal(offer(reassembler, v4Pieces(pattern(2000), 800)).length, 0);
  assert.equal(reassembler.counters.datagramBytesMax, 2, "fragments ending at 1600 and 2000");
  const big = new IpReassembler();
  const payload = pattern(65528);
  assert.equal(offer(big, [ipv4Fragment(payload, 65520, 8, false)]).length, 0, "65520 + 8 + 20 > 65535");
  assert.equal(big.counters.datagramBytesMax, 1);
});

Deno.test("IpReassembler evicts datagrams past bufferedBytesMax", () => {
  const reassembler = new IpReassembler({ bufferedBytesMax: 5000 });
  const payload = pattern(8000);
  offer(reassembler, [1, 2, 3, 4].map((id) => ipv4Fragment(payload, 0, 1480, true, { id })));
  assert.ok(reassembler.bufferedBytes <= 5000);
  assert.ok(reassembler.counters.bufferedBytesMax >= 1);
});

Deno.test("IpReassembler counts invalid lengths, conflicting ends, truncation and garbage", () => {
  const reassembler = new IpReassembler();
  const payload = pattern(128);
  offer(reassembler, [ipv4Fragment(payload, 0, 20, true)]);
  assert.equal(reassembler.counters.lengthInvalid, 1, "non-last fragment not a multiple of 8");
  offer(reassembler, [ipv4Fragment(payload, 32, 32, false), ipv4Fragment(payload, 40, 32, true)]);
  offer(reassembler, [ipv4Fragment(payload, 16, 8, false)]);
  assert.equal(reassembler.counters.lengthConflict, 2);
  const cut = ipv4Fragment(payload, 0, 32, true);
  reassembler.add(cut, 0, cut.length - 4, 0);
  assert.equal(reassembler.counters.truncated, 1);
  reassembler.add(new Uint8Array([0x45, 0, 1]), 0, 3, 0);
  reassembler.add(new Uint8Array(40), 0, 40, 0);
  assert.equal(reassembler.counters.malformed, 2);
});

Deno.test("IpReassembler rebuilds IPv6 datagrams and removes the fragment header", () => {
  const payload = pattern(3000, 3);
  const pieces = [0, 1232, 2464].map((at) => ipv6Fragment(payload, at, Math.min(1232, 3000 - at), at + 1232 < 3000));
  const done = offer(new IpReassembler(), pieces.reverse());
  assert.equal(done.length, 1);
  const packet = done[0];
  assert.equal(packet[6], 17, "next header is the payload protocol");
  assert.equal((packet[4] << 8) | packet[5], 3000);
  assert.deepEqual(packet.subarray(40), payload);
});

Deno.test("IpReassembler keeps IPv6 headers before the fragment header and patches their next header", () => {
  const payload = pattern(48);
  const done = offer(new IpReassembler(), [
    ipv6Fragment(payload, 24, 24, false, { hopByHop: true, next: 6 }),
    ipv6Fragment(payload, 0, 24, true, { hopByHop: true, next: 6 }),
  ]);
  assert.equal(done.length, 1);
  const packet = done[0];
  assert.equal(packet[6], 0, "hop-by-hop still first");
  assert.equal(packet[40], 6, "hop-by-hop now names TCP");
  assert.equal((packet[4] << 8) | packet[5], 8 + 48);
  assert.deepEqual(packet.subarray(48), payload);
});

Deno.test("IpReassembler passes IPv6 atomic fragments through", () => {
  const payload = pattern(20);
  const reassembler = new IpReassembler();
  const done = offer(reassembler, [ipv6Fragment(payload, 0, 20, false)]);
  assert.equal(done.length, 1);
  assert.deepEqual(done[0].subarray(40), payload);
  assert.equal(reassembler.counters.datagramsAtomic, 1);
  assert.equal(reassembler.datagramsInFlight, 0);
});
