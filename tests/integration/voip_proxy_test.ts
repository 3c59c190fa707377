/**
 * Real VoIP traffic through a SIP proxy: sipp's UAC calls sipp's UAS through kamailio (stateless, record-routing)
 * across three namespaces, uac ⇄ proxy ⇄ uas. Both ends play 7 s of G.711 per call (sipp's g711a.pcap) from a
 * media port of their own per call; the proxy namespace routes the media. `capture-agent analyze -i` on the proxy's
 * uac-side veth sees all SIP and RTP. nftables in the proxy namespace drops every 50th RTP packet of the UAS as it
 * forwards it, before the capture point, so the UAS's streams must show ≈ 2 % loss and the UAC's none. Calls, final
 * codes and durations must match what sipp counted; every stream must be bound to the call whose SDP offer and answer
 * name its ports. Calls run one at a time (`-l 1`) so that the shared drop counter gives each stream 4 or 5 drops.
 */
import assert from "node:assert/strict";
import { AGENT } from "../helpers/agent.ts";
import { spawnBackground } from "../helpers/background.ts";
import { inNs, run, runOk } from "../helpers/netns.ts";
import type { CallRecordOut, PipelineRecord, RtpStreamRecordOut, SipRecord } from "../../src/pipeline/mod.ts";

const CALLS = 3;
/** The scenario's pause between ACK and BYE; g711a.pcap lasts 7.05 s. */
const CALL_PAUSE_MS = 7500;
const DROP_EVERY = 50;
const UAS_MEDIA_PORT = 6000;
const UAC_MEDIA_PORT = 16000;
const PCAP_CANDIDATES = ["/usr/share/sip-tester/g711a.pcap", "/usr/share/sipp/pcap/g711a.pcap"];
const KAMAILIO_DIR = new URL("./kamailio/", import.meta.url).pathname;

/** Addresses: uac 10.78.1.1 ⇄ 10.78.1.2 proxy 10.78.2.1 ⇄ 10.78.2.2 uas. */
const NET = {
  uac: "10.78.1.1",
  proxyUac: "10.78.1.2",
  proxyUas: "10.78.2.1",
  uas: "10.78.2.2",
  captureIf: "px-uac",
};

interface Bed {
  uac: string;
  proxy: string;
  uas: string;
}

let bedsMade = 0;

async function withBed<T>(fn: (bed: Bed) => Promise<T>): Promise<T> {
  bedsMade += 1;
  const tag = `${Deno.pid}-${bedsMade}`;
  const bed: Bed = { uac: `voip-uac-${tag}`, proxy: `voip-px-${tag}`, uas: `voip-uas-${tag}` };
  try {
    for (const ns of [bed.uac, bed.proxy, bed.uas]) {
      await runOk(["ip", "netns", "add", ns]);
      // IPv6 would add neighbour discovery and router solicitations to the capture.
      await runOk(inNs(ns, ["sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1"]));
      await runOk(inNs(ns, ["sysctl", "-qw", "net.ipv6.conf.default.disable_ipv6=1"]));
      await runOk(inNs(ns, ["ip", "link", "set", "lo", "up"]));
    }
    await link(bed.uac, "uac0", NET.uac, bed.proxy, NET.captureIf, NET.proxyUac);
    await link(bed.uas, "uas0", NET.uas, bed.proxy, "px-uas", NET.proxyUas);
    await runOk(inNs(bed.uac, ["ip", "route", "add", "default", "via", NET.proxyUac]));
    await runOk(inNs(bed.uas, ["ip", "route", "add", "default", "via", NET.proxyUas]));
    // SIP goes through kamailio; the media goes straight between the ends, routed by the proxy namespace.
    await runOk(inNs(bed.proxy, ["sysctl", "-qw", "net.ipv4.ip_forward=1"]));
    return await fn(bed);
  } finally {
    for (const ns of [bed.uac, bed.proxy, bed.uas]) await run(["ip", "netns", "del", ns]);
  }
}

async function link(nsA: string, ifA: string, addrA: string, nsB: string, ifB: string, addrB: string) {
  await runOk(["ip", "link", "add", "name", ifA, "netns", nsA, "type", "veth", "peer", "name", ifB, "netns", nsB]);
  for (const [ns, ifname, addr] of [[nsA, ifA, addrA], [nsB, ifB, addrB]]) {
    await runOk(inNs(ns, ["ip", "addr", "add", `${addr}/24`, "dev", ifname]));
    await runOk(inNs(ns, ["ip", "link", "set", ifname, "up"]));
  }
}

/** Drops every DROP_EVERY-th RTP packet from the UAS (all its calls together) forwarded by `ns`, counting them. */
async function dropUasRtp(ns: string): Promise<void> {
  // In the forward hook, not in the UAS's output hook: a drop there fails the sender's sendto (EPERM), which stops
  // sipp's playback. `== DROP_EVERY - 1`, not 0: a stream's first packet lost cannot be seen as lost.
  const rules = `table inet voip_loss {
  chain forward {
    type filter hook forward priority 0; policy accept;
    ip saddr ${NET.uas} udp sport ${UAS_MEDIA_PORT}-${UAS_MEDIA_PORT + 999} numgen inc mod ${DROP_EVERY} == ${
    DROP_EVERY - 1
  } counter drop
  }
}
`;
  await runOk(inNs(ns, ["nft", "-f", "-"]), rules);
}

async function droppedCount(ns: string): Promise<number> {
  const ruleset = await runOk(inNs(ns, ["nft", "list", "table", "inet", "voip_loss"]));
  const match = ruleset.match(/counter packets (\d+)/);
  assert.ok(match, ruleset);
  return Number(match[1]);
}

/** What sipp's UAC counted (its -trace_stat CSV, last line). */
interface SippStats {
  successful: number;
  failed: number;
  callLengthMs: number;
}

function parseSippStats(csv: string): SippStats {
  const lines = csv.split("\n").filter((line) => line.trim() !== "");
  assert.ok(lines.length >= 2, `sipp stat file: ${csv}`);
  const names = lines[0].split(";");
  const values = lines[lines.length - 1].split(";");
  const field = (name: string) => {
    const index = names.indexOf(name);
    assert.ok(index >= 0, `no ${name} in ${lines[0]}`);
    return values[index];
  };
  // CallLength(C) is the mean call length, "hh:mm:ss:uuuuuu" (sipp 3.6) or "hh:mm:ss:mmm".
  const parts = field("CallLength(C)").split(":");
  const fraction = parts[3];
  const fractionMs = Number(fraction) / 10 ** (fraction.length - 3);
  const callLengthMs = (Number(parts[0]) * 3600 + Number(parts[1]) * 60 + Number(parts[2])) * 1000 + fractionMs;
  return { successful: Number(field("SuccessfulCall(C)")), failed: Number(field("FailedCall(C)")), callLengthMs };
}

async function findPcap(): Promise<string> {
  for (const path of PCAP_CANDIDATES) {
    try {
      await Deno.stat(path);
      return path;
    } catch { /* try the next */ }
  }
  throw new Error(`sipp's g711a.pcap not found in ${PCAP_CANDIDATES.join(", ")}`);
}

/** Waits until something in `ns` listens on UDP `addr:port`. */
async function waitUdpListening(ns: string, addr: string, port: number): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    const sockets = await runOk(inNs(ns, ["ss", "-Huln"]));
    if (sockets.includes(`${addr}:${port} `)) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`nothing listens on udp ${addr}:${port} in ${ns}`);
}

/** Runs kamailio and the sipp UAS, then the sipp UAC to completion; returns the UAC's statistics. */
async function runCalls(bed: Bed, tmpDir: string): Promise<SippStats> {
  const kamailio = await spawnBackground(bed.proxy, [
    ..."kamailio -DD -E -m 32 -M 8 -f".split(" "),
    `${KAMAILIO_DIR}kamailio.cfg`,
    ..."-w -P -Y".split(" ").flatMap((flag) => [flag, flag === "-P" ? `${tmpDir}/kamailio.pid` : tmpDir]),
    ...["-A", `PROXY_UAC_ADDR=${NET.proxyUac}`, "-A", `PROXY_UAS_ADDR=${NET.proxyUas}`],
    ...["-A", `UAS_HOSTPORT="${NET.uas}:5060"`],
  ]);
  const pcap = await findPcap();
  for (const side of ["uac", "uas"]) {
    const scenario = await Deno.readTextFile(`${KAMAILIO_DIR}${side}_g711a.xml`);
    await Deno.writeTextFile(`${tmpDir}/${side}.xml`, scenario.replace("PCAP_PATH", pcap));
  }
  const uas = await spawnBackground(bed.uas, [
    ...["sipp", "-sf", `${tmpDir}/uas.xml`, "-p", "5060", "-nostdin", "-i", NET.uas],
    ...["-mi", NET.uas, "-mp", String(UAS_MEDIA_PORT)],
  ]);
  try {
    await waitUdpListening(bed.proxy, NET.proxyUac, 5060);
    await waitUdpListening(bed.uas, NET.uas, 5060);
    const uac = await new Deno.Command("ip", {
      args: inNs(bed.uac, [
        ...["sipp", "-sf", `${tmpDir}/uac.xml`, `${NET.proxyUac}:5060`, "-i", NET.uac, "-p", "5061"],
        ...["-mi", NET.uac, "-mp", String(UAC_MEDIA_PORT), "-m", String(CALLS), "-r", "10", "-nostdin"],
        ...["-trace_stat", "-stf", `${tmpDir}/uac.csv`, "-timeout", "40s", "-timeout_error", "-l", "1"],
        ...["-trace_msg", "-message_file", `${tmpDir}/uac_messages.log`],
      ]).slice(1),
      cwd: tmpDir,
      stdin: "null",
      stdout: "null",
      stderr: "piped",
    }).output();
    assert.equal(uac.code, 0, `sipp uac failed: ${new TextDecoder().decode(uac.stderr)}`);
    return parseSippStats(await Deno.readTextFile(`${tmpDir}/uac.csv`));
  } finally {
    await uas.stop();
    const proxy = await kamailio.stop();
    assert.doesNotMatch(proxy.stderr, /ERROR/, proxy.stderr);
  }
}

/** Media ports each call's SDP named, from sipp's own message log: the UAC's offer and the UAS's answer. */
function sdpPortsByCall(messageLog: string): Map<string, { uacPort: number; uasPort: number }> {
  const offers = new Map<string, number>();
  const answers = new Map<string, number>();
  for (const block of messageLog.split(/^-{20,}.*$/m)) {
    const callId = block.match(/^Call-ID: *(\S+)/m)?.[1];
    const port = block.match(/^m=audio (\d+)/m)?.[1];
    if (callId === undefined || port === undefined) continue;
    if (/^INVITE /m.test(block)) offers.set(callId, Number(port));
    if (/^SIP\/2\.0 200/m.test(block) && /^CSeq: *\d+ INVITE/m.test(block)) answers.set(callId, Number(port));
  }
  const ports = new Map<string, { uacPort: number; uasPort: number }>();
  for (const [callId, uacPort] of offers) {
    const uasPort = answers.get(callId);
    if (uasPort !== undefined) ports.set(callId, { uacPort, uasPort });
  }
  return ports;
}

function assertCallsMatchSipp(calls: CallRecordOut[], stats: SippStats): void {
  assert.equal(stats.successful, CALLS, "sipp made every call");
  assert.equal(stats.failed, 0);
  assert.ok(stats.callLengthMs >= CALL_PAUSE_MS && stats.callLengthMs < CALL_PAUSE_MS + 1000, `${stats.callLengthMs}`);
  assert.equal(calls.length, stats.successful);
  assert.equal(new Set(calls.map((c) => c.call.call_id)).size, calls.length);
  for (const { call } of calls) {
    assert.equal(call.final_status, 200);
    assert.equal(call.end_reason, "bye");
    // sipp measures INVITE → 200 to BYE; the call record ACK → BYE (setup here is ~1 ms).
    const durationMs = call.duration_ms as number;
    assert.ok(Math.abs(durationMs - stats.callLengthMs) <= 1000, `duration ${durationMs} vs ${stats.callLengthMs}`);
  }
}

/** One stream per call and direction, on the call's SDP ports; the UAS's lose ≈ 1/DROP_EVERY, the UAC's nothing. */
function assertStreamsBoundAndLossy(
  streams: RtpStreamRecordOut[],
  sdpPorts: Map<string, { uacPort: number; uasPort: number }>,
  dropped: number,
): void {
  assert.equal(streams.length, 2 * CALLS, "one final stream record per call and direction");
  let lostTotal = 0;
  for (const record of streams) {
    const stream = record.rtp_stream;
    const ports = sdpPorts.get(stream.call_id as string);
    assert.ok(ports, `stream bound to an unknown call ${stream.call_id}`);
    const fromUas = record.src_ip === NET.uas;
    const [uacPort, uasPort] = fromUas ? [record.dst_port, record.src_port] : [record.src_port, record.dst_port];
    assert.deepEqual({ uacPort, uasPort }, ports, `stream ${record.src_ip}:${record.src_port} bound to its call`);
    const lost = stream.lost as number;
    const expected = stream.expected as number;
    assert.ok(expected > 200, `a whole 7 s stream: ${expected} packets expected`);
    if (!fromUas) {
      assert.equal(lost, 0, `no loss from the UAC on ${record.src_port}`);
      continue;
    }
    const ratio = lost / expected;
    assert.ok(Math.abs(ratio - 1 / DROP_EVERY) <= 0.007, `loss ${lost}/${expected} on ${record.src_port}`);
    lostTotal += lost;
  }
  // Calls run one at a time, so no drop falls on a stream's first or last packet (236 packets per stream).
  assert.equal(lostTotal, dropped, "every packet nftables dropped counted as lost");
}

function readRecords(jsonl: string): PipelineRecord[] {
  return jsonl.split("\n").filter((line) => line !== "").map((line) => JSON.parse(line));
}

Deno.test("analyze -i sees calls through kamailio as sipp made them, with their RTP bound and 2 % loss", async () => {
  const tmpDir = await Deno.makeTempDir({ prefix: "voip-proxy-" });
  try {
    const { stats, dropped } = await withBed(async (bed) => {
      await dropUasRtp(bed.proxy);
      const agent = await spawnBackground(bed.proxy, [
        ...[AGENT, "analyze", "-i", NET.captureIf, "--protocol", "sip,call,rtp"],
        ...["-w", `${tmpDir}/out.jsonl`, "--stats"],
      ], { readyText: "listening on" });
      let stats: SippStats;
      try {
        stats = await runCalls(bed, tmpDir);
        // Let the last block retire (the ring hands out blocks on a timeout) before stopping.
        await new Promise((resolve) => setTimeout(resolve, 1500));
      } finally {
        const result = await agent.stop();
        assert.equal(result.code, 0, result.stderr);
      }
      return { stats, dropped: await droppedCount(bed.proxy) };
    });
    const records = readRecords(await Deno.readTextFile(`${tmpDir}/out.jsonl`));
    assertCallsMatchSipp(records.filter((r): r is CallRecordOut => r.type === "call"), stats);
    const messageLog = await Deno.readTextFile(`${tmpDir}/uac_messages.log`);
    // ACK and BYE followed the route set kamailio recorded (one entry per side), not just the UAC's next hop.
    assert.match(messageLog, new RegExp(`^Route: <sip:${NET.proxyUac};r2=on;lr.*<sip:${NET.proxyUas};r2=on;lr`, "m"));
    const sdpPorts = sdpPortsByCall(messageLog);
    assert.equal(sdpPorts.size, CALLS, "sipp logged an offer and an answer per call");
    const streams = records.filter((r): r is RtpStreamRecordOut =>
      r.type === "rtp_stream" && r.rtp_stream.final === true
    );
    assertStreamsBoundAndLossy(streams, sdpPorts, dropped);
    assert.ok(records.some((r): r is SipRecord => r.type === "sip" && r.sip.method === "BYE"));
  } finally {
    await Deno.remove(tmpDir, { recursive: true });
  }
});
