/**
 * tshark as oracle for tunnels and fragments. For the tunnel captures of /work/shared/corpus/tcpdump/, every
 * packet we descend into must have the inner addresses and ports tshark shows (tshark lists outer and inner values
 * comma-separated; the last is the inner one). For fragments, the corpus files must give the same number of
 * reassembled datagrams as tshark, and a crafted capture (IPv4 reversed and overlapping, IPv6) the same lengths.
 */
import assert from "node:assert/strict";
import { openFileSource } from "../src/capture/file_source.ts";
import { concat, ethernet } from "../src/capture/_test_batch.ts";
import { formatAddress } from "../src/decode/format.ts";
import { ipv4Fragment, ipv6Fragment, pattern } from "../src/decode/fragments/_test_fragments.ts";
import { FullDecoder, innerLevel } from "../src/decode/full_decoder.ts";
import { IpProtocol } from "../src/decode/summary.ts";

const CORPUS = "/work/shared/corpus/tcpdump/";
const TUNNEL_FILES = [
  "vxlan.pcap",
  "geneve.pcap",
  "geneve-gcp.pcap",
  "gso-ipv4-geneve-ipv4.pcap",
  "gso-ipv4-geneve-ipv6.pcap",
  "gso-ipv4-vxlan-ipv6.pcap",
  "gso-ipv6-geneve-ipv4.pcap",
  "gso-ipv6-vxlan-ipv4.pcap",
  "gso-ipv6-vxlan-ipv6.pcap",
  "erspan-type-i-1.pcap",
  "erspan-type-i-2.pcap",
  "erspan-type-i-4.pcap",
  "erspan-type-ii-1.pcap",
  "erspan-type-ii-3.pcap",
  "various_gre.pcap",
  "wccp_redirect_gre.pcap",
];
const FRAGMENT_FILES = [
  "babel_update_oobr.pcap",
  "icmpv6-rfc7112.pcap",
  "ip_printroute_asan.pcap",
  "isakmp-various-oobr.pcap",
  "vrrp-vrrp_print-oobr-2.pcap",
  "ip6_frag_asan.pcap",
  "ipv6_frag6_negative_len.pcap",
];
const FIELDS = ["frame.number", "ip.src", "ip.dst", "ipv6.src", "ipv6.dst", "tcp.srcport", "tcp.dstport"]
  .concat(["udp.srcport", "udp.dstport", "icmp.type", "ip.reassembled.length", "ipv6.reassembled.length"]);

async function tsharkFields(path: string, fields: string[]): Promise<Map<number, string[]>> {
  const args = ["-r", path, "-T", "fields", "-E", "occurrence=a", "-E", "aggregator=,"];
  for (const field of fields) args.push("-e", field);
  const output = await new Deno.Command("tshark", { args, stdout: "piped", stderr: "null" }).output();
  const rows = new Map<number, string[]>();
  for (const line of new TextDecoder().decode(output.stdout).split("\n")) {
    if (line === "") continue;
    const columns = line.split("\t");
    rows.set(Number(columns[0]), columns);
  }
  return rows;
}

function last(column: string | undefined): string {
  const values = (column ?? "").split(",").filter((value) => value !== "");
  return values.length === 0 ? "" : values[values.length - 1];
}

/** Decodes `path` and calls `visit(frameNumber, decoder)` after each packet. */
async function decodeFile(path: string, decoder: FullDecoder, visit: (frame: number) => void): Promise<void> {
  const source = await openFileSource(path);
  let frame = 0;
  try {
    for (let batch = await source.next(); batch !== null; batch = await source.next()) {
      for (let i = 0; i < batch.count; i++) {
        decoder.decode(batch, i);
        visit(++frame);
      }
      source.release(batch);
    }
  } finally {
    await source.close();
  }
}

async function compareTunnelFile(file: string): Promise<{ descended: number; compared: number; mismatches: string[] }> {
  const rows = await tsharkFields(CORPUS + file, FIELDS);
  const decoder = new FullDecoder();
  const mismatches: string[] = [];
  let compared = 0;
  let descended = 0;
  await decodeFile(CORPUS + file, decoder, (frame) => {
    const packet = decoder.packet;
    const inner = innerLevel(packet);
    const row = rows.get(frame);
    if (packet.depth >= 2) descended++;
    if (packet.depth < 2 || inner.ipVersion === 0 || row === undefined) return;
    // ICMP errors quote another IP header, which tshark lists after the inner one.
    if (inner.protocol === IpProtocol.ICMP && !["0", "8"].includes(last(row[9]))) return;
    const v6 = inner.ipVersion === 6;
    const ours = [
      formatAddress(inner.data, inner.srcAddressOffset, inner.addressBytes),
      formatAddress(inner.data, inner.dstAddressOffset, inner.addressBytes),
      inner.srcPort >= 0 ? String(inner.srcPort) : "",
      inner.dstPort >= 0 ? String(inner.dstPort) : "",
    ].join(" ");
    const portColumn = inner.protocol === IpProtocol.TCP ? 5 : inner.protocol === IpProtocol.UDP ? 7 : -1;
    const theirs = [
      last(row[v6 ? 3 : 1]),
      last(row[v6 ? 4 : 2]),
      portColumn < 0 ? "" : last(row[portColumn]),
      portColumn < 0 ? "" : last(row[portColumn + 1]),
    ].join(" ");
    compared++;
    if (ours !== theirs) mismatches.push(`${file} frame ${frame}: ours "${ours}", tshark "${theirs}"`);
  });
  return { descended, compared, mismatches };
}

Deno.test("inner addresses and ports of tunnelled corpus packets equal tshark's", async () => {
  const results = await Promise.all(TUNNEL_FILES.map(compareTunnelFile));
  const mismatches = results.flatMap((result) => result.mismatches);
  assert.deepEqual(mismatches, []);
  // erspan-type-ii-3 mirrors only STP, CDP and ARP: tunnels descended into, but no inner IP to compare.
  for (const [k, result] of results.entries()) assert.ok(result.descended > 0, `${TUNNEL_FILES[k]}: no tunnel`);
  const withoutIp = TUNNEL_FILES.filter((_, k) => results[k].compared === 0);
  assert.deepEqual(withoutIp, ["erspan-type-ii-3.pcap"]);
  assert.ok(results.reduce((sum, result) => sum + result.compared, 0) >= 150);
});

async function reassembledLengths(path: string): Promise<{ ours: number[]; theirs: number[] }> {
  const rows = await tsharkFields(path, FIELDS);
  const theirs = [...rows.values()].map((row) => Number(row[10] || row[11] || 0)).filter((length) => length > 0);
  const decoder = new FullDecoder();
  const ours: number[] = [];
  await decodeFile(path, decoder, () => {
    const packet = decoder.packet;
    if (packet.reassembledLevels === 0) return;
    const summary = packet.levels[0];
    ours.push(summary.data.length - (summary.l4Offset - summary.l3Offset));
  });
  return { ours, theirs };
}

Deno.test("fragment corpus captures give tshark's number of reassembled datagrams", async () => {
  const results = await Promise.all(FRAGMENT_FILES.map((file) => reassembledLengths(CORPUS + file)));
  for (const [k, result] of results.entries()) assert.deepEqual(result.ours, result.theirs, FRAGMENT_FILES[k]);
});

function pcapOf(frames: Uint8Array[]): Uint8Array {
  const header = new Uint8Array(24);
  const view = new DataView(header.buffer);
  view.setUint32(0, 0xa1b2c3d4, true);
  view.setUint16(4, 2, true);
  view.setUint16(6, 4, true);
  view.setUint32(16, 65535, true);
  view.setUint32(20, 1, true);
  const records = frames.map((frame, k) => {
    const record = new Uint8Array(16);
    const recordView = new DataView(record.buffer);
    recordView.setUint32(0, 1000 + k, true);
    recordView.setUint32(8, frame.length, true);
    recordView.setUint32(12, frame.length, true);
    return concat(record, frame);
  });
  return concat(header, ...records);
}

Deno.test("crafted IPv4 and IPv6 fragments reassemble to tshark's lengths", async () => {
  const v4 = pattern(3008);
  const v6 = pattern(2500, 5);
  const frames = [
    ipv4Fragment(v4, 2400, 608, false, { id: 1 }),
    ipv4Fragment(v4, 1200, 1200, true, { id: 1 }),
    ipv4Fragment(v4, 0, 1208, true, { id: 1 }),
    ipv4Fragment(v4, 0, 800, true, { id: 2 }),
    ipv4Fragment(v4, 800, 800, false, { id: 2 }),
    ipv6Fragment(v6, 0, 1232, true),
    ipv6Fragment(v6, 1232, 1268, false),
  ].map((packet) => ethernet(packet[0] >> 4 === 4 ? 0x0800 : 0x86dd, packet));
  const path = await Deno.makeTempFile({ suffix: ".pcap" });
  try {
    await Deno.writeFile(path, pcapOf(frames));
    const { ours, theirs } = await reassembledLengths(path);
    assert.deepEqual(theirs, [3008, 1600, 2500]);
    assert.deepEqual(ours, theirs);
  } finally {
    await Deno.remove(path);
  }
});
