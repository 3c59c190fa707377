import assert from "node:assert/strict";
import { batchOf } from "../../capture/_test_batch.ts";
import { formatAddress } from "../format.ts";
import { type DecodedPacket, FullDecoder, innerLevel } from "../full_decoder.ts";
import type { PacketSummary } from "../summary.ts";
import {
  concat,
  erspanII,
  erspanIII,
  ethernet,
  geneve,
  gre,
  innerTcp,
  ipv4,
  ipv4Between,
  ipv6,
  ipv6Between,
  tcp,
  udp,
  vxlan,
} from "./_test_tunnels.ts";
import { TunnelError, TunnelType } from "./tunnel_info.ts";

function decodeOne(frame: Uint8Array, decoder = new FullDecoder()): DecodedPacket {
  return decoder.decode(batchOf([frame]), 0);
}

function endpoints(summary: PacketSummary): string {
  const src = formatAddress(summary.data, summary.srcAddressOffset, summary.addressBytes);
  const dst = formatAddress(summary.data, summary.dstAddressOffset, summary.addressBytes);
  return `${src}:${summary.srcPort} > ${dst}:${summary.dstPort}`;
}

function assertInnerTcp(packet: DecodedPacket, type: number, id: number): void {
  assert.equal(packet.depth, 2);
  assert.equal(packet.tunnels[0].type, type);
  assert.equal(packet.tunnels[0].id, id);
  assert.equal(endpoints(innerLevel(packet)), "192.168.1.1:1234 > 192.168.1.2:80");
  assert.equal(innerLevel(packet).tcpFlags, 0x02);
}

Deno.test("FullDecoder descends into VXLAN and keeps outer and inner 5-tuples apart", () => {
  const frame = ethernet(0x0800, ipv4(17, udp(40000, 4789, vxlan(42, ethernet(0x0800, innerTcp())))));
  const packet = decodeOne(frame);
  assertInnerTcp(packet, TunnelType.VXLAN, 42);
  assert.equal(endpoints(packet.levels[0]), "10.0.0.1:40000 > 10.0.0.2:4789");
});

Deno.test("FullDecoder descends into Geneve with options, to Ethernet or directly to IP", () => {
  const withEthernet = ethernet(0x0800, ipv4(17, udp(1, 6081, geneve(7, 0x6558, 3, ethernet(0x0800, innerTcp())))));
  assertInnerTcp(decodeOne(withEthernet), TunnelType.GENEVE, 7);
  const withIp = ethernet(0x86dd, ipv6(17, udp(1, 6081, geneve(8, 0x0800, 10, innerTcp()))));
  assertInnerTcp(decodeOne(withIp), TunnelType.GENEVE, 8);
});

Deno.test("FullDecoder descends into GRE with checksum, key and sequence number", () => {
  const frame = ethernet(0x0800, ipv4(47, gre(0x0800, innerTcp(), { checksum: true, key: 99, sequence: 5 })));
  const packet = decodeOne(frame);
  assertInnerTcp(packet, TunnelType.GRE, 99);
  assert.equal(packet.tunnels[0].sequence, 5);
  assertInnerTcp(decodeOne(ethernet(0x0800, ipv4(47, gre(0x0800, innerTcp())))), TunnelType.GRE, -1);
});

Deno.test("FullDecoder descends into GRE transparent Ethernet bridging and IPv6 payloads", () => {
  const bridged = ethernet(0x0800, ipv4(47, gre(0x6558, ethernet(0x0800, innerTcp()), { key: 1 })));
  assertInnerTcp(decodeOne(bridged), TunnelType.GRE, 1);
  const v6 = ipv6Between(5, 6, 17, udp(5060, 5060, new Uint8Array(4)));
  const packet = decodeOne(ethernet(0x0800, ipv4(47, gre(0x86dd, v6))));
  assert.equal(endpoints(innerLevel(packet)), "2001:db8::5:5060 > 2001:db8::6:5060");
});

Deno.test("FullDecoder descends into ERSPAN types I, II and III", () => {
  const mirrored = ethernet(0x0800, innerTcp());
  assertInnerTcp(decodeOne(ethernet(0x0800, ipv4(47, gre(0x88be, mirrored)))), TunnelType.ERSPAN_I, -1);
  const typeII = ethernet(0x0800, ipv4(47, gre(0x88be, erspanII(666, mirrored), { sequence: 171 })));
  assertInnerTcp(decodeOne(typeII), TunnelType.ERSPAN_II, 666);
  assertInnerTcp(
    decodeOne(ethernet(0x0800, ipv4(47, gre(0x22eb, erspanIII(3, mirrored), { sequence: 1 })))),
    TunnelType.ERSPAN_III,
    3,
  );
  const withSubheader = ethernet(0x0800, ipv4(47, gre(0x22eb, erspanIII(4, mirrored, true), { sequence: 1 })));
  assertInnerTcp(decodeOne(withSubheader), TunnelType.ERSPAN_III, 4);
});

Deno.test("FullDecoder descends into IPIP, IPv6-in-IPv4, IPv6-in-IPv6 and IPv4-in-IPv6", () => {
  assertInnerTcp(decodeOne(ethernet(0x0800, ipv4(4, innerTcp()))), TunnelType.IPIP, -1);
  assertInnerTcp(decodeOne(ethernet(0x86dd, ipv6(4, innerTcp()))), TunnelType.IPV4_IN_IPV6, -1);
  const inner6 = ipv6Between(7, 8, 6, tcp(1000, 443, 0x12, new Uint8Array(0)));
  for (
    const [frame, type] of [[ethernet(0x0800, ipv4(41, inner6)), TunnelType.IPV6_IN_IPV4], [
      ethernet(0x86dd, ipv6(41, inner6)),
      TunnelType.IPV6_IN_IPV6,
    ]] as const
  ) {
    const packet = decodeOne(frame);
    assert.equal(packet.tunnels[0].type, type);
    assert.equal(endpoints(innerLevel(packet)), "2001:db8::7:1000 > 2001:db8::8:443");
  }
});

Deno.test("FullDecoder descends through nested tunnels up to levelsMax", () => {
  const nested = ethernet(
    0x0800,
    ipv4(
      47,
      gre(0x0800, ipv4Between("172.16.0.1", "172.16.0.2", 17, udp(9, 4789, vxlan(5, ethernet(0x0800, innerTcp()))))),
    ),
  );
  const packet = decodeOne(nested);
  assert.equal(packet.depth, 3);
  assert.equal(packet.tunnels[0].type, TunnelType.GRE);
  assert.equal(packet.tunnels[1].type, TunnelType.VXLAN);
  assert.equal(endpoints(packet.levels[1]), "172.16.0.1:9 > 172.16.0.2:4789");
  assert.equal(endpoints(innerLevel(packet)), "192.168.1.1:1234 > 192.168.1.2:80");
  const shallow = new FullDecoder({ levelsMax: 2 });
  assert.equal(decodeOne(nested, shallow).depth, 2);
  assert.equal(shallow.counters.levelsMax, 1);
});

Deno.test("FullDecoder counts cut or unsupported tunnel headers and keeps the outer level", () => {
  const decoder = new FullDecoder();
  const cut = decodeOne(ethernet(0x0800, ipv4(17, udp(1, 4789, new Uint8Array(5)))), decoder);
  assert.equal(cut.depth, 1);
  assert.equal(decoder.counters.tunnelErrors[TunnelError.VXLAN_TRUNCATED], 1);
  decodeOne(ethernet(0x0800, ipv4(47, gre(0x0000, new Uint8Array(0), { key: 40 }))), decoder);
  assert.equal(decoder.counters.tunnelErrors[TunnelError.GRE_PROTOCOL_UNSUPPORTED], 1);
  decodeOne(ethernet(0x0800, ipv4(47, concat(new Uint8Array([0x00, 0x01, 0x88, 0x0b]), innerTcp()))), decoder);
  assert.equal(decoder.counters.tunnelErrors[TunnelError.GRE_VERSION_UNSUPPORTED], 1);
  decodeOne(ethernet(0x0800, ipv4(47, gre(0x22eb, new Uint8Array([0x10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0])))), decoder);
  assert.equal(decoder.counters.tunnelErrors[TunnelError.ERSPAN_VERSION_INVALID], 1);
  const truncatedInner = decodeOne(ethernet(0x0800, ipv4(4, innerTcp().subarray(0, 30))), decoder);
  assert.equal(truncatedInner.depth, 2);
  assert.equal(decoder.counters.innerMalformed.reduce((a, b) => a + b), 1);
});

Deno.test("FullDecoder leaves tunnels alone when tunnels are off or the port is not a tunnel port", () => {
  const frame = ethernet(0x0800, ipv4(17, udp(40000, 4789, vxlan(42, ethernet(0x0800, innerTcp())))));
  assert.equal(decodeOne(frame, new FullDecoder({ tunnels: false })).depth, 1);
  assert.equal(decodeOne(frame, new FullDecoder({ vxlanPorts: [8472] })).depth, 1);
  const other = ethernet(0x0800, ipv4(17, udp(40000, 8472, vxlan(42, ethernet(0x0800, innerTcp())))));
  assert.equal(decodeOne(other, new FullDecoder({ vxlanPorts: [8472] })).depth, 2);
});
