/**
 * tshark as oracle for the DNS parser: every DNS-over-UDP packet tshark finds in the chosen corpus captures is parsed
 * by us from tshark's own `udp.payload`, and id, QR, question, rcode, answer count, A/AAAA/CNAME data and TTLs must
 * equal tshark's. Packets tshark marks malformed must come back invalid (or at least not throw). DNS over TCP is
 * re-framed from `tshark -z follow,tcp,raw` and must yield tshark's messages.
 */
import assert from "node:assert/strict";
import { type DnsMessage, DnsType, parseDnsMessage, parseDnsTcp } from "../src/protocols/dns/mod.ts";

const CORPUS = "/work/shared/corpus/tcpdump/";

/** Captures in which tshark finds DNS over UDP (found by running `-Y "dns && udp"` over the whole corpus). */
const UDP_CAPTURES = [
  "LINKTYPE_IPV4.pcap",
  "LINKTYPE_IPV6.pcap",
  "LINKTYPE_PKTAP.pcap",
  "LINKTYPE_RAW_ipv6.pcap",
  "LINKTYPE_USER2_PKTAP.pcap",
  "arcnet-rfc1051-arp-icmp-http.pcap",
  "arcnet-rfc1201-arp-icmp-http.pcap",
  "dns-badcookie.pcap",
  "dns-badlabel.pcap",
  "dns-badvers.pcap",
  "dns_udp_2.pcap",
  "dns_udp_8053.pcap",
  "edns-opts.pcap",
  "ipv4_invalid_total_length.pcap",
  "ipv6_invalid_length_2.pcap",
  "mptcp-aa-v1.pcap",
  "someip1.pcap",
  "time_2038_max.pcap",
  "rtp-seg-fault-1.pcapng",
];

const FIELDS = [
  "frame.len",
  "frame.cap_len",
  "udp.payload",
  "_ws.malformed",
  "dns.id",
  "dns.flags.response",
  "dns.qry.name",
  "dns.qry.type",
  "dns.flags.rcode",
  "dns.count.answers",
  "dns.a",
  "dns.aaaa",
  "dns.cname",
  "dns.resp.ttl",
];

async function run(command: string, args: string[]): Promise<string> {
  const output = await new Deno.Command(command, { args, stdout: "piped", stderr: "piped" }).output();
  assert.equal(output.code, 0, new TextDecoder().decode(output.stderr));
  return new TextDecoder().decode(output.stdout);
}

function fromHex(hex: string): Uint8Array {
  const bytes = new Uint8Array(hex.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return bytes;
}

/** What tshark shows for the fields we compare, rebuilt from our message. */
function ourFields(message: DnsMessage): string[] {
  const records = [...message.answers, ...message.authorities, ...message.additionals];
  const data = (type: number) => records.filter((r) => r.type === type).map((r) => r.data).join(",");
  return [
    `0x${message.id.toString(16).padStart(4, "0")}`,
    message.flags.qr ? "1" : "0",
    message.questions.map((q) => (q.name === "." ? "<Root>" : q.name)).join(","),
    message.questions.map((q) => q.type).join(","),
    message.flags.qr ? String(message.rcode) : "",
    String(message.answers.length),
    data(DnsType.A),
    data(DnsType.AAAA),
    data(DnsType.CNAME),
    records.filter((r) => r.type !== DnsType.OPT).map((r) => r.ttl).join(","),
  ];
}

Deno.test("parseDnsMessage() agrees with tshark on every DNS-over-UDP packet of the corpus", async () => {
  const merged = await Deno.makeTempFile({ suffix: ".pcapng" });
  try {
    await run("mergecap", ["-w", merged, ...UDP_CAPTURES.map((file) => CORPUS + file)]);
    const args = ["-r", merged, "-d", "udp.port==8053,dns", "-Y", "dns && udp", "-T", "fields"];
    args.push("-E", "occurrence=a", "-E", "aggregator=,", ...FIELDS.flatMap((field) => ["-e", field]));
    const rows = (await run("tshark", args)).split("\n").filter((line) => line !== "");
    let compared = 0;
    let malformed = 0;
    const mismatches: string[] = [];
    for (const row of rows) {
      const [frameBytes, capturedBytes, payloadHex, malformedMark, ...expected] = row.split("\t");
      // Nested UDP (tunnels) lists every layer's payload; DNS is in the innermost.
      const payload = fromHex(payloadHex!.split(",").at(-1)!);
      const result = parseDnsMessage(payload);
      if (malformedMark !== "" || capturedBytes !== frameBytes) {
        malformed++;
        // tshark gives up on these (or shows what the snap length left); we must not throw, and a message we do return must at least have tshark's id.
        if (result.kind === "message") assert.equal(ourFields(result.message)[0], expected[0]);
        continue;
      }
      assert.equal(result.kind, "message", `tshark parsed ${expected.join(" ")} but we said ${JSON.stringify(result)}`);
      if (result.kind !== "message") continue;
      const ours = ourFields(result.message);
      if (JSON.stringify(ours) !== JSON.stringify(expected)) mismatches.push(`tshark ${expected} ours ${ours}`);
      compared++;
    }
    assert.deepEqual(mismatches, []);
    assert.ok(compared >= 70, `only ${compared} packets compared`);
    assert.ok(malformed >= 4, `only ${malformed} malformed or cut packets seen`);
  } finally {
    await Deno.remove(merged);
  }
});

Deno.test("parseDnsTcp() frames tshark's DNS-over-TCP stream into tshark's messages", async () => {
  const file = CORPUS + "dns_tcp_8053.pcap";
  const decode = ["-d", "tcp.port==8053,dns"];
  const fields = await run("tshark", [
    "-r",
    file,
    ...decode,
    "-Y",
    "dns",
    "-T",
    "fields",
    "-e",
    "dns.id",
    "-e",
    "dns.count.answers",
  ]);
  const expected = fields.split("\n").filter((line) => line !== "");
  assert.equal(expected.length, 2);
  const follow = await run("tshark", ["-r", file, ...decode, "-q", "-z", "follow,tcp,raw,0"]);
  const directions: [string, string] = ["", ""];
  for (const line of follow.split("\n")) {
    if (/^\t?[0-9a-f]+$/.test(line)) directions[line.startsWith("\t") ? 1 : 0] += line.trim();
  }
  const ours: string[] = [];
  for (const hex of directions) {
    let stream = fromHex(hex);
    for (;;) {
      const result = parseDnsTcp(stream);
      if (result.kind !== "message") {
        assert.equal(result.kind, "incomplete");
        assert.equal(stream.length, 0, "bytes left after the last frame");
        break;
      }
      ours.push(`0x${result.message.id.toString(16).padStart(4, "0")}\t${result.message.answers.length}`);
      stream = stream.subarray(result.consumedBytes);
    }
  }
  assert.deepEqual(ours, expected);
});
