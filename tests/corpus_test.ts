/**
 * Reads every capture in /work/shared/corpus through the file source and the summary decoder (robustness), checks
 * packet counts against capinfos, and compares timestamps, addresses and ports with tshark on a fixed subset.
 */
import assert from "node:assert/strict";
import { openFileSource } from "../src/capture/file_source.ts";
import { decodeSummary } from "../src/decode/decode.ts";
import { formatAddress } from "../src/decode/format.ts";
import { createPacketSummary, IpProtocol, Malformed, type PacketSummary } from "../src/decode/summary.ts";

const CORPUS = "/work/shared/corpus";
/** Largest corpus file is < 300 KiB: reading one should take milliseconds, a second means a hang or a loop. */
const FILE_TIME_MS_MAX = 2000;

/** Files compared with tshark: every link type we decode, both byte orders, pcapng, VLAN, IPv6 extensions. */
const SUBSET = [
  "sip/rtp_rtcp_sip_ipv4_udp.pcap",
  "sip/sip_ipv4_tcp.pcap",
  "sip/sip_ipv4_tcp_fragmented.pcap",
  "sip/sip_ipv6_udp.pcap",
  "sip/sip_sctp.pcap",
  ...[
    "bgp-ovs.pcapng",
    "of13_ericsson.pcapng",
    "ospf3_auth.pcapng",
    "nhrp.pcapng",
    "vsock-1.pcapng",
    "time_2107.pcapng",
    "isis_sr.pcapng",
    "icmp-length-zero.pcapng",
    "LINKTYPE_IPV4.pcap",
    "LINKTYPE_IPV6.pcap",
    "LINKTYPE_RAW_ipv6.pcap",
    "babel.pcap",
    "forces1.pcap",
    "mptcp-tcprst.pcap",
    "quic_handshake.pcap",
    "ikev2four.pcap",
    "icmpv6-RFC2894-RR.pcap",
    "802.1ad_QinQ.pcap",
    "various_gre.pcap",
    "NHRP_registration.pcap",
    "ipv4_tcp_http_xml.pcap",
    "ipv6-srh-ext-header.pcap",
    "ipv6_mobility_1.pcap",
    "ipv6_jumbogram_1.pcap",
    "ipv6_no_next_header.pcap",
    "gso-ipv6.pcap",
    "bigtcp-ipv6-hbh.pcap",
    "EIGRP_ipv6.pcap",
    "lisp_ipv6.pcap",
    "dns_tcp_8053.pcap",
    "dns_udp_8053.pcap",
    "edns-opts.pcap",
    "ppp_ip_udp_dns.pcap",
    "ptp_corrections.pcap",
    "tcp_rst_diag_payload-trunc.pcap",
    "isup.pcap",
    "slow-ossp.pcap",
  ].map((name) => `tcpdump/${name}`),
];

const TSHARK_FIELDS = [
  "frame.time_epoch",
  "ip.src",
  "ip.dst",
  "ipv6.src",
  "ipv6.dst",
  "udp.srcport",
  "udp.dstport",
  "tcp.srcport",
  "tcp.dstport",
];

function corpusFiles(): string[] {
  const files: string[] = [];
  for (const dir of ["tcpdump", "sip"]) {
    for (const entry of Deno.readDirSync(`${CORPUS}/${dir}`)) if (entry.isFile) files.push(`${dir}/${entry.name}`);
  }
  return files.sort();
}

async function run(command: string, args: string[]): Promise<{ ok: boolean; stdout: string }> {
  const output = await new Deno.Command(command, { args, stdout: "piped", stderr: "null" }).output();
  return { ok: output.success, stdout: new TextDecoder().decode(output.stdout) };
}

/** Runs `work` over `items` with at most `parallelMax` at a time (the machine has 2 cores). */
async function pool<T, R>(items: T[], parallelMax: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const k = next++;
      results[k] = await work(items[k]);
    }
  };
  await Promise.all(Array.from({ length: parallelMax }, worker));
  return results;
}

/** Calls `visit` with each decoded packet of a file; returns the packet count and read errors. */
async function decodeFile(path: string, visit: (summary: PacketSummary, index: number) => void) {
  const source = await openFileSource(path);
  const summary = createPacketSummary();
  let packets = 0;
  try {
    for (let batch = await source.next(); batch !== null; batch = await source.next()) {
      for (let i = 0; i < batch.count; i++) {
        decodeSummary(batch, i, summary);
        visit(summary, packets++);
      }
    }
  } finally {
    await source.close();
  }
  return { packets, readErrors: source.stats().readErrors };
}

Deno.test("every corpus file reads and decodes without throwing, within a bounded time", async () => {
  const files = corpusFiles();
  assert.ok(files.length >= 550, `corpus has ${files.length} files`);
  const malformed = new Array<number>(Object.keys(Malformed).length).fill(0);
  let packets = 0;
  let ipPackets = 0;
  for (const file of files) {
    const startMs = performance.now();
    const result = await decodeFile(`${CORPUS}/${file}`, (summary) => {
      malformed[summary.malformed]++;
      if (summary.ipVersion !== 0) ipPackets++;
    });
    packets += result.packets;
    const elapsedMs = performance.now() - startMs;
    assert.ok(elapsedMs < FILE_TIME_MS_MAX, `${file} took ${elapsedMs.toFixed(0)} ms`);
  }
  assert.ok(packets > 10_000, `${packets} packets`);
  assert.ok(ipPackets > packets / 2, `${ipPackets} IP packets of ${packets}`);
  // The corpus holds crafted broken packets: some must be reported, far fewer than the good ones.
  const broken = malformed.reduce((sum, count) => sum + count, 0) - malformed[Malformed.NONE];
  assert.ok(broken > 10 && broken < packets / 20, `${broken} malformed`);
});

Deno.test("packet counts of every corpus file match capinfos", async () => {
  const files = corpusFiles();
  const capinfos = await run("capinfos", ["-c", "-M", "-T", ...files.map((file) => `${CORPUS}/${file}`)]);
  const expected = new Map<string, number>();
  for (const line of capinfos.stdout.split("\n").slice(1)) {
    const [path, count] = line.split("\t");
    if (path && count !== undefined) expected.set(path, Number(count));
  }
  // capinfos refuses link types it does not know; those files are still read above.
  assert.ok(expected.size > 500, `capinfos read ${expected.size} files`);
  const mismatches: string[] = [];
  for (const [path, count] of expected) {
    const result = await decodeFile(path, () => {});
    if (result.packets !== count) mismatches.push(`${path}: ${result.packets} != ${count}`);
  }
  assert.deepEqual(mismatches, []);
});

interface Compared {
  files: number;
  packets: number;
  addresses: number;
  ports: number;
  ipv6: number;
  vlan: number;
}

/** The first value of a tshark field (tunnels and ICMP errors list outer then inner). */
function first(field: string | undefined): string {
  return (field ?? "").split(",")[0];
}

function compareWithTshark(summary: PacketSummary, line: string, where: string, compared: Compared): string[] {
  const fields = line.split("|");
  const problems: string[] = [];
  const time = `${summary.timestampSec}.${String(summary.timestampNsec).padStart(9, "0")}`;
  if (fields[0] !== time) problems.push(`${where}: time ${time} != ${fields[0]}`);
  if (summary.ipVersion === 0 || summary.malformed !== Malformed.NONE) return problems;
  const src = formatAddress(summary.data, summary.srcAddressOffset, summary.addressBytes);
  const dst = formatAddress(summary.data, summary.dstAddressOffset, summary.addressBytes);
  const [tsharkSrc, tsharkDst] = summary.ipVersion === 4 ? [fields[1], fields[2]] : [fields[3], fields[4]];
  if (first(tsharkSrc) !== src || first(tsharkDst) !== dst) problems.push(`${where}: ${src} > ${dst}`);
  compared.addresses++;
  if (summary.ipVersion === 6) compared.ipv6++;
  if (summary.vlanCount > 0) compared.vlan++;
  if (summary.srcPort < 0 || (summary.protocol !== IpProtocol.UDP && summary.protocol !== IpProtocol.TCP)) {
    return problems;
  }
  const [srcPort, dstPort] = summary.protocol === IpProtocol.UDP ? [fields[5], fields[6]] : [fields[7], fields[8]];
  if (first(srcPort) !== String(summary.srcPort) || first(dstPort) !== String(summary.dstPort)) {
    problems.push(`${where}: ports ${summary.srcPort} > ${summary.dstPort} != ${srcPort} > ${dstPort}`);
  }
  compared.ports++;
  return problems;
}

Deno.test("timestamps, addresses and ports of a fixed subset match tshark", async () => {
  const args = ["-T", "fields", "-E", "separator=|", ...TSHARK_FIELDS.flatMap((field) => ["-e", field])];
  const outputs = await pool(SUBSET, 2, (file) => run("tshark", ["-r", `${CORPUS}/${file}`, ...args]));
  const compared: Compared = { files: 0, packets: 0, addresses: 0, ports: 0, ipv6: 0, vlan: 0 };
  const problems: string[] = [];
  for (let k = 0; k < SUBSET.length; k++) {
    if (!outputs[k].ok) continue; // Only files tshark itself rejects are skipped.
    const lines = outputs[k].stdout.split("\n").filter((line) => line !== "");
    const result = await decodeFile(`${CORPUS}/${SUBSET[k]}`, (summary, index) => {
      problems.push(...compareWithTshark(summary, lines[index] ?? "", `${SUBSET[k]}#${index}`, compared));
    });
    if (result.packets !== lines.length) problems.push(`${SUBSET[k]}: ${result.packets} != ${lines.length} packets`);
    compared.files++;
    compared.packets += result.packets;
  }
  assert.deepEqual(problems.slice(0, 20), []);
  assert.ok(compared.files >= 40, `${compared.files} files compared`);
  assert.ok(compared.addresses > 5000 && compared.ports > 5000, JSON.stringify(compared));
  assert.ok(compared.ipv6 > 50 && compared.vlan > 20, JSON.stringify(compared));
});
