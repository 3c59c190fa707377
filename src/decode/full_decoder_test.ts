import assert from "node:assert/strict";
import { batchOf } from "../capture/_test_batch.ts";
import { ipv4Fragment } from "./fragments/_test_fragments.ts";
import { formatAddress } from "./format.ts";
import { FullDecoder, innerLevel } from "./full_decoder.ts";
import { concat, ethernet, innerTcp, ipv4, udp, vxlan } from "./tunnel/_test_tunnels.ts";
import { decodedPacketToJson } from "./tunnel/record.ts";
import { TunnelType } from "./tunnel/tunnel_info.ts";

function udpPayloadOf(datagram: Uint8Array): Uint8Array {
  return datagram.subarray(20);
}

Deno.test("FullDecoder leaves plain packets at one level", () => {
  const decoder = new FullDecoder();
  const packet = decoder.decode(batchOf([ethernet(0x0800, ipv4(17, udp(1, 2, new Uint8Array(3))))]), 0);
  assert.equal(packet.depth, 1);
  assert.equal(packet.fragmentPending, false);
  assert.equal(innerLevel(packet).dstPort, 2);
});

Deno.test("FullDecoder reassembles a fragmented VXLAN packet, then descends into it", () => {
  const whole = udpPayloadOf(ipv4(17, udp(40000, 4789, vxlan(77, ethernet(0x0800, innerTcp())))));
  const frames = [
    ethernet(0x0800, ipv4Fragment(whole, 32, whole.length - 32, false)),
    ethernet(0x0800, ipv4Fragment(whole, 0, 32, true)),
  ];
  const decoder = new FullDecoder();
  const batch = batchOf(frames);
  assert.equal(decoder.decode(batch, 0).fragmentPending, true);
  const packet = decoder.decode(batch, 1);
  assert.equal(packet.fragmentPending, false);
  assert.equal(packet.reassembledLevels, 1);
  assert.equal(packet.depth, 2);
  assert.equal(packet.tunnels[0].type, TunnelType.VXLAN);
  const inner = innerLevel(packet);
  assert.equal(formatAddress(inner.data, inner.srcAddressOffset, 4), "192.168.1.1");
  assert.equal(inner.dstPort, 80);
  assert.equal(decoder.reassemblyCounters.datagramsCompleted, 1);
});

Deno.test("FullDecoder reassembles fragments inside a tunnel", () => {
  const inner = innerTcp();
  const whole = inner.subarray(20);
  const pieces = [ipv4Fragment(whole, 0, 8, true, { protocol: 6 }), ipv4Fragment(whole, 8, 12, false, { protocol: 6 })];
  const frames = pieces.map((piece) => ethernet(0x0800, ipv4(4, piece)));
  const decoder = new FullDecoder();
  const batch = batchOf(frames);
  assert.equal(decoder.decode(batch, 0).fragmentPending, true);
  const packet = decoder.decode(batch, 1);
  assert.equal(packet.depth, 2);
  assert.equal(packet.reassembledLevels, 2);
  assert.equal(innerLevel(packet).srcPort, 1234);
  assert.equal(innerLevel(packet).dstPort, 80);
});

Deno.test("FullDecoder passes fragments through undecoded when reassembly is off", () => {
  const whole = udpPayloadOf(ipv4(17, udp(1, 2, new Uint8Array(40))));
  const decoder = new FullDecoder({ reassembly: false });
  const packet = decoder.decode(batchOf([ethernet(0x0800, ipv4Fragment(whole, 0, 24, true))]), 0);
  assert.equal(packet.fragmentPending, false);
  assert.equal(innerLevel(packet).fragment, true);
  assert.equal(decoder.reassembler, null);
});

Deno.test("decodedPacketToJson() reports the inner 5-tuple and the outer tunnel endpoints separately", () => {
  const frame = ethernet(0x0800, ipv4(17, udp(40000, 4789, vxlan(42, ethernet(0x0800, innerTcp())))));
  const record = decodedPacketToJson(new FullDecoder().decode(batchOf([frame]), 0));
  assert.equal(record.src, "192.168.1.1");
  assert.equal(record.dst, "192.168.1.2");
  assert.equal(record.srcPort, 1234);
  assert.equal(record.dstPort, 80);
  assert.equal(record.length, frame.length);
  assert.deepEqual(record.tunnels, [{
    type: "vxlan",
    id: 42,
    src: "10.0.0.1",
    dst: "10.0.0.2",
    protocol: 17,
    srcPort: 40000,
    dstPort: 4789,
  }]);
});

Deno.test("FullDecoder survives random bytes after tunnel headers", () => {
  const decoder = new FullDecoder();
  let seed = 7;
  const random = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 24;
  for (let round = 0; round < 2000; round++) {
    const junk = Uint8Array.from({ length: random() % 120 }, random);
    const frames = [
      ethernet(0x0800, ipv4(17, udp(1, 4789, concat(new Uint8Array([8, 0, 0, 0, 0, 0, 1, 0]), junk)))),
      ethernet(0x0800, ipv4(47, junk)),
      ethernet(0x0800, ipv4(4, junk)),
      ethernet(0x86dd, junk),
    ];
    const batch = batchOf(frames);
    for (let i = 0; i < batch.count; i++) assert.ok(decoder.decode(batch, i).depth >= 1);
  }
  assert.equal(decoder.counters.packets, 8000);
});
