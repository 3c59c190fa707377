/**
 * `-f` filters through the built launcher, with tcpdump as the oracle (same filter language, same libpcap):
 * live, VLAN tests see tags the kernel moved into metadata, exactly as tcpdump on Linux does; on files
 * (`capture -r` and `analyze -r`) the expression keeps exactly the packets `tcpdump -r` keeps.
 */
import assert from "node:assert/strict";
import { exitCounts, runAgent, startCapture, tsharkFrames } from "../helpers/agent.ts";
import { buildUdpFrame, sendFrames, sequencePayload, toHex } from "../helpers/frames.ts";
import { type CommandResult, run, spawnInNs, type VethPair, withVethPair } from "../helpers/netns.ts";

const CORPUS = "/work/shared/corpus";

/** A UDP frame A → B, with an 802.1Q tag (priority 0) when `vlanId` is given. */
function frameTo(pair: VethPair, dstPort: number, sequence: number, vlanId?: number): Uint8Array {
  const frame = buildUdpFrame({
    srcMac: pair.macA,
    dstMac: pair.macB,
    srcIp: pair.addrA,
    dstIp: pair.addrB,
    srcPort: 40000 + sequence,
    dstPort,
    payload: sequencePayload(sequence, 24),
  });
  if (vlanId === undefined) return frame;
  const tagged = new Uint8Array(frame.length + 4);
  tagged.set(frame.subarray(0, 12));
  tagged.set([0x81, 0x00, vlanId >> 8, vlanId & 0xff], 12);
  tagged.set(frame.subarray(12), 16);
  return tagged;
}

/** Starts `tcpdump -i ifname -c count -w path filter` in `ns`; resolves once it listens. */
async function startTcpdump(
  ns: string,
  ifname: string,
  filter: string,
  count: number,
  path: string,
): Promise<() => Promise<CommandResult>> {
  const child = spawnInNs(ns, ["tcpdump", "-i", ifname, "-p", "-U", "-c", String(count), "-w", path, filter]);
  const stdout = new Response(child.stdout).text();
  let stderr = "";
  const decoder = new TextDecoder();
  const reader = child.stderr.getReader();
  const deadline = Date.now() + 15_000;
  while (!stderr.includes("listening on") && Date.now() < deadline) {
    const { value, done } = await reader.read();
    if (done) break;
    stderr += decoder.decode(value, { stream: true });
  }
  const rest = (async () => {
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
      stderr += decoder.decode(chunk.value, { stream: true });
    }
  })();
  if (!stderr.includes("listening on")) {
    child.kill("SIGKILL");
    throw new Error(`tcpdump did not start: ${stderr}`);
  }
  return async () => {
    const killer = setTimeout(() => child.kill("SIGKILL"), 20_000);
    try {
      const status = await child.status;
      await rest;
      return { code: status.code, stdout: await stdout, stderr };
    } finally {
      clearTimeout(killer);
    }
  };
}

Deno.test("live VLAN and port filters keep exactly the frames tcpdump keeps, offloaded tags included", async () => {
  const directory = await Deno.makeTempDir({ prefix: "capture-filter-" });
  try {
    await withVethPair(async (pair) => {
      const vlan100 = [1, 2, 3].map((k) => frameTo(pair, 7777, k, 100));
      const vlan200 = frameTo(pair, 7777, 4, 200);
      const plain7777 = frameTo(pair, 7777, 5);
      const plain8888 = frameTo(pair, 8888, 6);
      const vlan100other = frameTo(pair, 8888, 7, 100);
      // [filter, frames sent in this order, frames it must keep]. The last kept frame comes last, so
      // `-c` ends both captures only after every frame the filter must refuse went by.
      const cases: [string, Uint8Array[], Uint8Array[]][] = [
        ["vlan 100 and udp", [plain7777, vlan100[0], vlan200, vlan100[1], plain8888, vlan100[2]], vlan100],
        ["vlan 200", [...vlan100, plain7777, vlan100other, vlan200], [vlan200]],
        ["udp port 7777", [vlan100[0], plain8888, vlan100other, plain7777], [vlan100[0], plain7777]],
      ];
      for (const [filter, sent, kept] of cases) {
        const oursPath = `${directory}/ours.pcap`;
        const theirsPath = `${directory}/tcpdump.pcap`;
        const count = String(kept.length);
        const ours = await startCapture(pair.nsB, ["-i", pair.ifB, "-f", filter, "-c", count, "-w", oursPath]);
        const tcpdump = await startTcpdump(pair.nsB, pair.ifB, filter, kept.length, theirsPath);
        assert.equal(await sendFrames(pair.nsA, pair.ifA, sent), sent.length);
        const result = await ours.result();
        assert.equal(result.code, 0, result.stderr);
        const oracle = await tcpdump();
        assert.equal(oracle.code, 0, oracle.stderr);
        const oursHex = (await tsharkFrames(oursPath)).map((frame) => frame.hex);
        const theirsHex = (await tsharkFrames(theirsPath)).map((frame) => frame.hex);
        assert.deepEqual(theirsHex, kept.map(toHex), `tcpdump with "${filter}"`);
        assert.deepEqual(oursHex, theirsHex, `capture-agent with "${filter}"`);
      }
    });
  } finally {
    await Deno.remove(directory, { recursive: true });
  }
});

async function tcpdumpLines(path: string, filter: string): Promise<number> {
  const result = await run(["tcpdump", "-nn", "-r", path, filter]);
  assert.equal(result.code, 0, result.stderr);
  return result.stdout.split("\n").filter((line) => line.length > 0).length;
}

Deno.test("capture -r FILE -f prints exactly the packets tcpdump -r prints for the same filter", async () => {
  const cases: [string, string][] = [
    ["sip/rtp_rtcp_sip_ipv4_udp.pcap", "udp port 5060"],
    ["sip/sip_ipv6_udp.pcap", "udp port 5060"],
    ["tcpdump/802.1ad_QinQ.pcap", "vlan"],
    ["tcpdump/bgp-enhanced-route-refresh-subtype.pcapng", "tcp port 179"],
  ];
  for (const [file, filter] of cases) {
    const path = `${CORPUS}/${file}`;
    const expected = await tcpdumpLines(path, filter);
    assert.ok(expected > 0, `${file}: the filter matches something`);
    const result = await runAgent(["capture", "-r", path, "-f", filter]);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout.split("\n").filter((line) => line.length > 0).length, expected, file);
    assert.equal(exitCounts(result.stderr).captured, expected, file);
  }
  const all = await runAgent(["capture", "-r", `${CORPUS}/sip/rtp_rtcp_sip_ipv4_udp.pcap`, "-q"]);
  assert.ok(exitCounts(all.stderr).captured > 1000, "unfiltered, the file has far more packets");
  const bad = await runAgent(["capture", "-r", `${CORPUS}/sip/sip_ipv6_udp.pcap`, "-f", "udp port banana"]);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /^capture-agent: .*banana/m);
});

Deno.test("analyze -r FILE -f decodes only the packets the filter keeps", async () => {
  const path = `${CORPUS}/sip/rtp_rtcp_sip_ipv4_udp.pcap`;
  const stats = async (args: string[]) => {
    const result = await runAgent(["analyze", "-r", path, "--stats", "-w", "/dev/null", ...args]);
    assert.equal(result.code, 0, result.stderr);
    return JSON.parse(result.stderr.trim().split("\n").at(-1)!);
  };
  const all = await stats([]);
  const sipOnly = await stats(["-f", "udp port 5060"]);
  assert.equal(sipOnly.pipeline.packets, await tcpdumpLines(path, "udp port 5060"));
  assert.equal(sipOnly.pipeline.records.sip, all.pipeline.records.sip);
  assert.ok(all.pipeline.records.http > 0);
  assert.equal(sipOnly.pipeline.records.http, 0);
});
