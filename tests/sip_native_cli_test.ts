/**
 * tshark as oracle for the native SIP parser as a user runs it: `capture -r FILE --protocol sip --format json` (the
 * pipeline's path, `cap_sip_parse`) must give, message for message, the Call-ID and CSeq tshark decodes from every
 * SIP message of /work/shared/corpus/sip/*.pcap, and the same methods and status codes; `analyze --stats` must show that
 * the native parser took every message (none handed back to TypeScript).
 */
import assert from "node:assert/strict";

const CORPUS = "/work/shared/corpus/sip/";
/** tshark joins the values of several messages in one frame (TCP) with this; no corpus Call-ID holds it. */
const AGGREGATOR = "|";

const CAPTURES: { file: string; tsharkOptions: string[]; messages: number }[] = [
  { file: "rtp_rtcp_sip_ipv4_udp.pcap", tsharkOptions: [], messages: 14 },
  { file: "sip_ipv6_udp.pcap", tsharkOptions: [], messages: 6 },
  { file: "sip_sctp.pcap", tsharkOptions: [], messages: 4 },
  { file: "sip_ipv4_tcp.pcap", tsharkOptions: [], messages: 7 },
  { file: "sip_ipv4_tcp_fragmented.pcap", tsharkOptions: ["-d", "tcp.port==6060,sip"], messages: 406 },
];

async function run(command: string, args: string[]): Promise<{ stdout: string; stderr: string }> {
  const output = await new Deno.Command(command, { args, stdout: "piped", stderr: "piped" }).output();
  const decoder = new TextDecoder();
  const stderr = decoder.decode(output.stderr);
  assert.equal(output.code, 0, `${command} ${args.join(" ")}: ${stderr}`);
  return { stdout: decoder.decode(output.stdout), stderr };
}

function agent(args: string[]): Promise<{ stdout: string; stderr: string }> {
  return run(Deno.execPath(), ["run", "-A", "src/main.ts", ...args]);
}

/** One value per SIP message of field `field`, in capture order. */
async function tsharkField(path: string, options: string[], field: string): Promise<string[]> {
  const args = ["-r", path, ...options, "-Y", "sip", "-T", "fields", "-E", "occurrence=a"];
  const { stdout } = await run("tshark", [...args, "-E", `aggregator=${AGGREGATOR}`, "-e", field]);
  return stdout.split("\n").filter((line) => line !== "").flatMap((line) => line.split(AGGREGATOR));
}

function counts(values: string[]): Map<string, number> {
  const map = new Map<string, number>();
  for (const value of values) map.set(value, (map.get(value) ?? 0) + 1);
  return map;
}

for (const capture of CAPTURES) {
  Deno.test(`capture --protocol sip (native parser) agrees with tshark on ${capture.file}`, async () => {
    const path = CORPUS + capture.file;
    const { stdout } = await agent(["capture", "-r", path, "--protocol", "sip", "--format", "json"]);
    const records = stdout.split("\n").filter((line) => line !== "").map((line) => JSON.parse(line));
    const sip = records.filter((record) => record.type === "sip").map((record) => record.sip);
    assert.equal(sip.length, capture.messages);

    const options = capture.tsharkOptions;
    assert.deepEqual(sip.map((s) => s.call_id), await tsharkField(path, options, "sip.Call-ID"));
    assert.deepEqual(sip.map((s) => String(s.cseq.seq)), await tsharkField(path, options, "sip.CSeq.seq"));
    assert.deepEqual(sip.map((s) => s.cseq.method), await tsharkField(path, options, "sip.CSeq.method"));
    // A frame with several messages lists requests' methods and responses' codes apart: compare them as counts.
    const ours = sip.map((s) => s.kind === "request" ? s.method : String(s.status_code));
    const theirs = [
      ...await tsharkField(path, options, "sip.Method"),
      ...await tsharkField(path, options, "sip.Status-Code"),
    ];
    assert.deepEqual(counts(ours), counts(theirs));

    const { stderr } = await agent(["analyze", "-r", path, "--protocol", "sip", "--stats", "-w", "/dev/null"]);
    const stats = JSON.parse(stderr.trim().split("\n").at(-1)!);
    assert.equal(stats.pipeline.protocols.sip.parser_native, capture.messages, "every message parsed natively");
    assert.equal(stats.pipeline.protocols.sip.parser_fallback, undefined, "none handed back to TypeScript");
  });
}
