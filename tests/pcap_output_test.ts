/**
 * Capture files checked with capinfos and tshark: rotation by size and by time loses no packet, gzipped files are
 * readable, and a per-call file holds exactly that call's SIP, RTP and RTCP packets (/work/shared/corpus).
 */
import assert from "node:assert/strict";
import { openFileSource } from "../src/capture/file_source.ts";
import { decodeSummary } from "../src/decode/decode.ts";
import { formatAddress } from "../src/decode/format.ts";
import { createPacketSummary } from "../src/decode/summary.ts";
import { CallPcapOutput } from "../src/output/call_pcap.ts";
import { PcapOutput, type PcapOutputOptions } from "../src/output/pcap_output.ts";
import { Pipeline } from "../src/pipeline/pipeline.ts";
import { parseSipMessage } from "../src/protocols/sip/message.ts";

const CALLS = "/work/shared/corpus/sip/rtp_rtcp_sip_ipv4_udp.pcap";
const CALL_ID = "12013223@200.57.7.195";

async function run(command: string, args: string[]): Promise<string> {
  const { code, stdout } = await new Deno.Command(command, { args, stdout: "piped", stderr: "null" }).output();
  assert.equal(code, 0, `${command} ${args.join(" ")} failed`);
  return new TextDecoder().decode(stdout);
}

/** Packets in `path` as capinfos counts them (reads .gz too). */
async function capinfosPackets(path: string): Promise<number> {
  const out = await run("capinfos", ["-c", "-M", path]);
  return Number(/Number of packets:\s+(\d+)/.exec(out)![1]);
}

async function withDir(body: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "pcap-output-it-" });
  try {
    await body(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** Feeds the corpus file to a PcapOutput in small batches while a fake clock advances 1 s per batch. */
async function writeCorpus(options: PcapOutputOptions & { clock: { now: number } }): Promise<number> {
  const output = new PcapOutput(options);
  const source = await openFileSource(CALLS, { packetsMax: 64 });
  let packets = 0;
  for (let batch = await source.next(); batch !== null; batch = await source.next()) {
    output.writePackets(batch);
    packets += batch.count;
    options.clock.now += 1000;
    source.release(batch);
  }
  await source.close();
  await output.close();
  assert.equal(output.stats().sentRecords, packets);
  return packets;
}

for (
  const [label, extra] of [
    ["size", { rotateBytes: 100_000 }],
    ["time, pcapng, gzip", { rotateSeconds: 10, format: "pcapng", gzip: true }],
  ] as const
) {
  Deno.test(`PcapOutput rotation by ${label} loses no packet (capinfos)`, () =>
    withDir(async (dir) => {
      const clock = { now: 1_700_000_000_000 };
      const total = await writeCorpus({ dir, task: "calls", ...extra, clock, nowMs: () => clock.now });
      const names = [...Deno.readDirSync(dir)].map((entry) => entry.name).sort();
      assert.ok(names.length >= 5, `expected rotation, got ${names.join(", ")}`);
      if ("gzip" in extra) assert.ok(names.every((name) => name.endsWith(".pcapng.gz")), names.join(", "));
      let counted = 0;
      for (const name of names) counted += await capinfosPackets(`${dir}/${name}`);
      assert.equal(counted, total);
      assert.equal(total, await capinfosPackets(CALLS));
      const tsharkLines = (await run("tshark", ["-r", `${dir}/${names[1]}`, "-T", "fields", "-e", "frame.number"]))
        .trim().split("\n");
      assert.equal(tsharkLines.length, await capinfosPackets(`${dir}/${names[1]}`));
    }));
}

/** Media tuples of the call, from the pipeline's rtp_stream and rtcp records. */
async function mediaTuplesOf(callId: string): Promise<Set<string>> {
  const pipeline = new Pipeline({ protocols: ["sip", "rtp", "rtcp"] });
  const source = await openFileSource(CALLS);
  const tuples = new Set<string>();
  const take = () => {
    for (const record of pipeline.queue.drain()) {
      const inner = record.type === "rtp_stream" ? record.rtp_stream : record.type === "rtcp" ? record.rtcp : null;
      if (inner?.call_id === callId) {
        tuples.add(`${record.src_ip}|${record.src_port}|${record.dst_ip}|${record.dst_port}`);
      }
    }
  };
  for (let batch = await source.next(); batch !== null; batch = await source.next()) {
    pipeline.process(batch);
    source.release(batch);
    take();
  }
  pipeline.finish();
  take();
  await source.close();
  return tuples;
}

/** Feeds each packet of the corpus that belongs to a call (SIP Call-ID, or a media tuple) to `output`. */
async function feedCalls(output: CallPcapOutput, media: Map<string, string>): Promise<void> {
  const source = await openFileSource(CALLS);
  const summary = createPacketSummary();
  for (let batch = await source.next(); batch !== null; batch = await source.next()) {
    for (let i = 0; i < batch.count; i++) {
      if (!decodeSummary(batch, i, summary) || summary.protocol !== 17) continue;
      const src = formatAddress(summary.data, summary.srcAddressOffset, summary.addressBytes);
      const dst = formatAddress(summary.data, summary.dstAddressOffset, summary.addressBytes);
      let callId = media.get(`${src}|${summary.srcPort}|${dst}|${summary.dstPort}`);
      if (callId === undefined) {
        const payload = summary.data.subarray(summary.payloadOffset, summary.payloadOffset + summary.payloadBytes);
        const parsed = parseSipMessage(payload);
        if (parsed.kind === "message") callId = parsed.message.callId;
      }
      if (callId === undefined) continue;
      const frame = batch.data.subarray(batch.offsets[i], batch.offsets[i] + batch.capturedBytes[i]);
      output.callPacket(callId, { frame, timeSec: batch.timestampSec[i], timeNsec: batch.timestampNsec[i] });
    }
    source.release(batch);
  }
  await source.close();
}

/** tshark's view of the call in the original file: frame times of its SIP and of RTP/RTCP between its SDP ports. */
async function tsharkCallTimes(): Promise<string[]> {
  const sdp = await run("tshark", [
    "-r",
    CALLS,
    "-Y",
    `sip.Call-ID == "${CALL_ID}" && sdp`,
    "-T",
    "fields",
    "-e",
    "sdp.connection_info.address",
    "-e",
    "sdp.media.port",
  ]); // deno-fmt-ignore
  const ends = sdp.trim().split("\n").map((line) => line.split("\t"));
  assert.equal(ends.length, 2, "offer and answer");
  const side = ([ip, port]: string[]) => `(ip.addr == ${ip} && udp.port in {${port}, ${Number(port) + 1}})`;
  const filter = `sip.Call-ID == "${CALL_ID}" || ((rtp || rtcp) && ${side(ends[0])} && ${side(ends[1])})`;
  const out = await run("tshark", ["-r", CALLS, "-Y", filter, "-T", "fields", "-e", "frame.time_epoch"]);
  return out.trim().split("\n");
}

Deno.test("CallPcapOutput file holds exactly the call's SIP, RTP and RTCP packets (tshark)", () =>
  withDir(async (dir) => {
    const tuples = await mediaTuplesOf(CALL_ID);
    assert.ok(tuples.size >= 2, `the pipeline should bind the call's media, got ${[...tuples].join(", ")}`);
    const media = new Map([...tuples].map((tuple) => [tuple, CALL_ID]));
    const output = new CallPcapOutput({ dir, template: "{call_id}" });
    await feedCalls(output, media);
    output.callEnded(CALL_ID, Date.now());
    output.expire(Date.now() + 10_000);
    await output.close();
    const file = `${dir}/${CALL_ID}.pcap`;
    const got = (await run("tshark", ["-r", file, "-T", "fields", "-e", "frame.time_epoch"])).trim().split("\n");
    const want = await tsharkCallTimes();
    assert.ok(want.length > 1000, `expected the call's RTP too, got ${want.length}`);
    assert.deepEqual(got, want);
    const kinds = await run("tshark", [
      "-r",
      file,
      "-d",
      "udp.port==8000,rtp",
      "-d",
      "udp.port==8001,rtcp",
      "-T",
      "fields",
      "-e",
      "_ws.col.Protocol",
    ]); // deno-fmt-ignore
    const protocols = new Set(kinds.trim().split("\n"));
    for (const protocol of ["SIP/SDP", "RTP", "RTCP"]) assert.ok(protocols.has(protocol), [...protocols].join(","));
  }));

Deno.test("Pipeline with a call sink writes the call's SIP, RTP and RTCP packets to its file (tshark)", () =>
  withDir(async (dir) => {
    const output = new CallPcapOutput({ dir, template: "{call_id}" });
    const pipeline = new Pipeline({ protocols: ["sip", "rtp", "rtcp", "call"], callSink: output });
    const source = await openFileSource(CALLS);
    for (let batch = await source.next(); batch !== null; batch = await source.next()) {
      pipeline.process(batch);
      source.release(batch);
    }
    await source.close();
    pipeline.finish();
    output.expire(Date.now() + 10_000);
    await output.close();
    const got = (await run("tshark", ["-r", `${dir}/${CALL_ID}.pcap`, "-T", "fields", "-e", "frame.time_epoch"]))
      .trim().split("\n");
    const want = await tsharkCallTimes();
    assert.ok(want.length > 1000, `expected the call's RTP too, got ${want.length}`);
    assert.deepEqual(got, want);
  }));
