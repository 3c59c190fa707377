/**
 * The built `capture-agent` launcher: bad input gives one line and exit 1, `-r` reads corpus files through the
 * same path as live capture (one line per packet, as many as tshark counts), `version` names every component.
 */
import assert from "node:assert/strict";
import { AGENT, exitCounts, runAgent } from "../helpers/agent.ts";
import { run } from "../helpers/netns.ts";

const CORPUS = "/work/shared/corpus";

function assertOneErrorLine(result: { code: number; stdout: string; stderr: string }, message: RegExp): void {
  assert.equal(result.code, 1, result.stderr);
  assert.equal(result.stdout, "");
  const lines = result.stderr.trimEnd().split("\n");
  assert.equal(lines.length, 1, `expected one line, got:\n${result.stderr}`);
  assert.match(lines[0], /^capture-agent: /);
  assert.match(lines[0], message);
}

Deno.test("capture rejects bad input with one line and exit code 1", async () => {
  const directory = await Deno.makeTempDir({ prefix: "capture-cli-" });
  try {
    const notPcap = `${directory}/notes.txt`;
    await Deno.writeTextFile(notPcap, "not a capture file\n");
    const cases: [string[], RegExp][] = [
      [["capture", "-i", "nosuchif9", "-c", "1"], /nosuchif9/],
      [["capture", "-i", "lo", "-f", "udp port banana"], /banana/],
      [["capture", "-r", `${directory}/missing.pcap`], /missing\.pcap.*No such file/],
      [["capture", "-r", directory], /Is a directory/],
      [["capture", "-r", notPcap], /not a pcap or pcapng file/],
      [["capture", "-i", "lo", "--frobnicate"], /unknown option/],
      [["capture", "-i", "lo", "-c", "zero"], /positive integer/],
      [["capture"], /-i IFACE or -r FILE/],
      [["capture", "-i", "lo", "-w", `${directory}/no/such/dir/out.pcap`], /Cannot create capture file/],
    ];
    for (const [args, message] of cases) assertOneErrorLine(await runAgent(args), message);
  } finally {
    await Deno.remove(directory, { recursive: true });
  }
});

Deno.test("capture without CAP_NET_RAW says which capability is missing", async () => {
  const result = await run([
    ...["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--inh-caps=-all", "--bounding-set=-all"],
    ...["env", "HOME=/tmp", AGENT, "capture", "-i", "lo", "-c", "1"],
  ]);
  assertOneErrorLine(result, /EPERM.*CAP_NET_RAW/);
});

async function tsharkCount(path: string): Promise<number> {
  const result = await run(["tshark", "-r", path, "-T", "fields", "-e", "frame.number"]);
  assert.equal(result.code, 0, result.stderr);
  return result.stdout.split("\n").filter((line) => line.length > 0).length;
}

Deno.test("capture -r prints one line per packet, as many as tshark reads", async () => {
  const files = [
    "sip/rtp_rtcp_sip_ipv4_udp.pcap",
    "sip/sip_ipv6_udp.pcap",
    "tcpdump/802.1ad_QinQ.pcap",
    "tcpdump/LINKTYPE_IPV4.pcap",
    "tcpdump/HDLC.pcap",
    "tcpdump/bgp-enhanced-route-refresh-subtype.pcapng",
  ];
  for (const file of files) {
    const path = `${CORPUS}/${file}`;
    const expected = await tsharkCount(path);
    const text = await runAgent(["capture", "-r", path]);
    assert.equal(text.code, 0, text.stderr);
    assert.equal(text.stdout.split("\n").filter((line) => line.length > 0).length, expected, file);
    assert.equal(exitCounts(text.stderr).captured, expected, file);
    const json = await runAgent(["capture", "-r", path, "--format", "json", "-c", "3"]);
    const records = json.stdout.trim().split("\n").map((line) => JSON.parse(line));
    assert.equal(records.length, Math.min(3, expected), file);
  }
});

Deno.test("capture -r FILE -w copies a corpus file that tshark reads back with the same timestamps", async () => {
  const source = `${CORPUS}/sip/rtp_rtcp_sip_ipv4_udp.pcap`;
  const target = await Deno.makeTempFile({ prefix: "capture-copy-", suffix: ".pcapng" });
  try {
    const result = await runAgent(["capture", "-r", source, "-w", target]);
    assert.equal(result.code, 0, result.stderr);
    const fields = ["-T", "fields", "-e", "frame.time_epoch", "-e", "frame.len"];
    const original = await run(["tshark", "-r", source, ...fields]);
    const copy = await run(["tshark", "-r", target, ...fields]);
    assert.ok(original.stdout.length > 0);
    assert.equal(copy.stdout, original.stdout);
  } finally {
    await Deno.remove(target);
  }
});

Deno.test("version prints the agent, commit, deno and library versions and the architecture", async () => {
  const result = await runAgent(["version"]);
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /^capture-agent \d+\.\d+\.\d+$/m);
  assert.match(result.stdout, /^commit +([0-9a-f]{12}|unknown)$/m);
  assert.match(result.stdout, /^deno +\d+\.\d+\.\d+/m);
  assert.match(result.stdout, /^library +libcapture \d+\.\d+\.\d+ zig \d+\.\d+\.\d+ .*libpcap/m);
  assert.match(result.stdout, /^arch +(x86_64|aarch64) linux$/m);
});
