/**
 * Decode and record-pipeline benchmark (`make bench-decode`), on this machine, one core:
 *
 * - workloads: the SIP corpus call (/work/shared/corpus/sip/rtp_rtcp_sip_ipv4_udp.pcap: SIP, RTP, RTCP) looped in
 *   memory (each loop shifted in time past the last, so calls end and streams close as in a long capture), and a
 *   synthetic batch of 64-byte Ethernet/IPv4/UDP frames (no protocol matches: the per-packet floor);
 * - stages: (a) the L2–L4 summary decode, (b) the full decoder (fragments, tunnels), (c) the full pipeline with every
 *   default protocol, records serialised (`valueJson`, what the outputs use) into a null sink, and (corpus only) (d)
 *   the pipeline with `--protocol rtp`: L2–L4 decode plus RTP stream statistics, issue 3's first target;
 * - SIP: messages parsed per second from the corpus' SIP payloads: TypeScript (parse only, and parse → `sip` record →
 *   JSON) and native, the pipeline's path (`cap_sip_parse_record` → `SipJsonRecord` → `valueJson`, also with call tracking's
 *   fields);
 * - memory: heap retained after a forced GC per million packets that produce no record, and bytes allocated per
 *   packet (heap growth over windows too short for a collection: an estimate).
 *
 * Time is CPU time of this process (process.cpuUsage) and wall time; the machine is shared, so expect ±30 %.
 * No assertions: the numbers are reported, not judged. Prints a table and writes JSON under bench/results/.
 *
 * Usage: deno run -A --v8-flags=--expose-gc bench/decode.ts [--seconds S] [--corpus FILE] [--no-results]
 * (`--no-results`: print only, write no JSON; bench/baseline.ts runs it that way)
 * @module
 */
import process from "node:process";
import type { PacketBatch } from "../src/capture/batch.ts";
import { type Frame, packFrames, readFrames } from "./_frames.ts";
import { decodeSummary } from "../src/decode/decode.ts";
import { FullDecoder } from "../src/decode/full_decoder.ts";
import { createPacketSummary, IpProtocol } from "../src/decode/summary.ts";
import { Pipeline, type ProtocolName } from "../src/pipeline/mod.ts";
import { NativeSip } from "../src/pipeline/native_sip.ts";
import { sipRecord } from "../src/pipeline/records.ts";
import { SipJsonRecord } from "../src/pipeline/sip_json_record.ts";
import { valueJson } from "../src/output/prebuilt_json.ts";
import { recordBase } from "../src/pipeline/record_base.ts";
import { detectSip, parseSipMessage } from "../src/protocols/sip/mod.ts";

const args = Deno.args;
const option = (name: string, fallback: string) => {
  const at = args.indexOf(name);
  return at >= 0 && at + 1 < args.length ? args[at + 1] : fallback;
};
const SECONDS = Number(option("--seconds", "2"));
const CORPUS = option("--corpus", "/work/shared/corpus/sip/rtp_rtcp_sip_ipv4_udp.pcap");
const SAVE_RESULTS = !args.includes("--no-results");
const BATCH_PACKETS = 1024;
const gc = (globalThis as { gc?: () => void }).gc;

/** A workload: batches in memory and how to advance capture time between loops. */
interface Workload {
  name: string;
  batches: PacketBatch[];
  packets: number;
  /** Base seconds of each packet, per batch (loop k adds k × periodSec). */
  baseSec: Float64Array[];
  periodSec: number;
}

async function loadCorpus(path: string): Promise<Workload> {
  const frames = await readFrames(path);
  const periodSec = Math.ceil(frames.at(-1)!.sec - frames[0].sec) + 60;
  return toWorkload(`corpus ${path.split("/").at(-1)}`, frames, periodSec);
}

function toWorkload(name: string, frames: Frame[], periodSec: number): Workload {
  const { batches, baseSec } = packFrames(frames, BATCH_PACKETS);
  return { name, batches, packets: frames.length, baseSec, periodSec };
}

/** 1024 frames of 64 bytes: Ethernet, IPv4 10.1.x.y → 10.2.0.1, UDP ports varying, destination port 9 (discard). */
function synthetic64(): Workload {
  const frames = [];
  for (let k = 0; k < BATCH_PACKETS; k++) {
    const frame = new Uint8Array(64);
    frame.set([2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 0x08, 0x00], 0);
    frame.set([0x45, 0, 0, 46, 0, 1, 0, 0, 64, 17, 0, 0, 10, 1, k >> 8, k & 255, 10, 2, 0, 1], 14);
    const srcPort = 1024 + k;
    frame.set([srcPort >> 8, srcPort & 255, 0, 9, 0, 26, 0, 0], 34);
    frames.push({ bytes: frame, sec: 1_700_000_000 + Math.floor(k / 1000), nsec: (k % 1000) * 1e6 });
  }
  return toWorkload("synthetic 64-byte UDP", frames, 2);
}

/** Shifts every batch of `workload` to loop `loop` (the time of the first loop plus loop × period). */
function shiftTo(workload: Workload, loop: number): void {
  const offset = loop * workload.periodSec;
  for (let b = 0; b < workload.batches.length; b++) {
    const batch = workload.batches[b];
    const base = workload.baseSec[b];
    for (let i = 0; i < batch.count; i++) batch.timestampSec[i] = base[i] + offset;
  }
}

/** A stage: processes one loop of a workload's batches and returns the records serialised (0 for decoders). */
type Stage = (workload: Workload) => number;

function summaryStage(): Stage {
  const summary = createPacketSummary();
  let udp = 0;
  return (workload) => {
    for (const batch of workload.batches) {
      for (let i = 0; i < batch.count; i++) {
        decodeSummary(batch, i, summary);
        if (summary.protocol === IpProtocol.UDP) udp++;
      }
    }
    return udp & 0;
  };
}

function fullDecoderStage(): Stage {
  const decoder = new FullDecoder();
  let depth = 0;
  return (workload) => {
    for (const batch of workload.batches) {
      for (let i = 0; i < batch.count; i++) depth += decoder.decode(batch, i).depth;
    }
    return depth & 0;
  };
}

/**
 * The pipeline with `protocols` (default: every default protocol), records to JSON into a null sink; `pipeline` is
 * kept for its stats.
 */
function pipelineStage(holder: { pipeline?: Pipeline; jsonBytes: number }, protocols?: ProtocolName[]): Stage {
  const pipeline = new Pipeline({ task: "bench", protocols });
  holder.pipeline = pipeline;
  let loop = 0;
  return (workload) => {
    shiftTo(workload, loop++);
    let records = 0;
    for (const batch of workload.batches) {
      pipeline.process(batch);
      for (const record of pipeline.queue.drain()) {
        holder.jsonBytes += valueJson(record)!.length;
        records++;
      }
    }
    return records;
  };
}

/** Result of timing one stage on one workload. */
interface Measurement {
  workload: string;
  stage: string;
  packets: number;
  records: number;
  cpuNsPerPacket: number;
  wallNsPerPacket: number;
  packetsPerSecondCpu: number;
  allocatedBytesPerPacket: number | null;
}

function cpuNs(): number {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) * 1000;
}

function heapUsed(): number {
  return Deno.memoryUsage().heapUsed;
}

/** Runs `stage` over `workload` for about SECONDS after a warm-up; loops are whole passes over the workload. */
function measure(workload: Workload, stageName: string, stage: Stage): Measurement {
  const warmUntil = performance.now() + Math.min(500, SECONDS * 250);
  while (performance.now() < warmUntil) stage(workload);
  gc?.();
  const allocations: number[] = [];
  let loops = 0;
  let records = 0;
  const cpuStart = cpuNs();
  const wallStart = performance.now();
  const wallEnd = wallStart + SECONDS * 1000;
  while (performance.now() < wallEnd) {
    const before = heapUsed();
    records += stage(workload);
    const grown = heapUsed() - before;
    // A negative growth means a collection ran inside the loop: that sample says nothing.
    if (grown >= 0) allocations.push(grown / workload.packets);
    loops++;
  }
  const wallNs = (performance.now() - wallStart) * 1e6;
  const cpu = cpuNs() - cpuStart;
  const packets = loops * workload.packets;
  allocations.sort((a, b) => a - b);
  return {
    workload: workload.name,
    stage: stageName,
    packets,
    records,
    cpuNsPerPacket: cpu / packets,
    wallNsPerPacket: wallNs / packets,
    packetsPerSecondCpu: packets / (cpu / 1e9),
    allocatedBytesPerPacket: allocations.length > 0 ? allocations[Math.floor(allocations.length / 2)] : null,
  };
}

/** Heap retained (after forced GCs) per million packets through a pipeline, for packets that make no record. */
function retainedPerMillion(workload: Workload): { packets: number; retainedBytes: number; perMillion: number } | null {
  if (gc === undefined) return null;
  const stage = pipelineStage({ jsonBytes: 0 });
  for (let k = 0; k < 200; k++) stage(workload);
  gc();
  gc();
  const before = heapUsed();
  let packets = 0;
  while (packets < 2_000_000) packets += (stage(workload), workload.packets);
  gc();
  gc();
  const retainedBytes = heapUsed() - before;
  return { packets, retainedBytes, perMillion: retainedBytes / (packets / 1e6) };
}

/** SIP payloads (UDP, detected) of a workload, copied. */
function sipPayloads(workload: Workload): Uint8Array[] {
  const summary = createPacketSummary();
  const payloads: Uint8Array[] = [];
  for (const batch of workload.batches) {
    for (let i = 0; i < batch.count; i++) {
      if (!decodeSummary(batch, i, summary) || summary.protocol !== IpProtocol.UDP) continue;
      const payload = summary.data.subarray(summary.payloadOffset, summary.payloadOffset + summary.payloadBytes);
      if (detectSip(payload) !== undefined) payloads.push(payload.slice());
    }
  }
  return payloads;
}

/** SIP messages per CPU second. */
interface SipRates {
  messages: number;
  /** TypeScript: `parseSipMessage` only. */
  parsePerSecond: number;
  /** TypeScript: `parseSipMessage` → `sipRecord` → `JSON.stringify`. */
  recordPerSecond: number;
  /** Native (the pipeline's path): `cap_sip_parse_record` → `SipJsonRecord` → `valueJson`; null without the library. */
  nativeRecordPerSecond: number | null;
  /** The same plus what call tracking reads (`dialogMessage`), as with `call`/`rtp` protocols on. */
  nativeRecordDialogPerSecond: number | null;
  /** Payloads the native parser handed back to TypeScript (each is parsed twice in the native rows). */
  nativeFallbacks: number;
}

/** SIP messages per CPU second: parse only, and parse → record → JSON (TypeScript, then native). */
function sipRates(payloads: Uint8Array[]): SipRates {
  const time = { sec: 1_700_000_000, nsec: 0 };
  const tuple = {
    ipVersion: 4,
    transport: "udp",
    srcIp: "10.0.0.1",
    srcPort: 5060,
    dstIp: "10.0.0.2",
    dstPort: 5060,
    flowHash: 1,
  };
  const base = recordBase("sip", time, tuple, undefined, "bench");
  const rate = (work: (payload: Uint8Array) => void) => {
    const until = performance.now() + 300;
    while (performance.now() < until) for (const payload of payloads) work(payload);
    let messages = 0;
    const start = cpuNs();
    const end = performance.now() + SECONDS * 1000;
    while (performance.now() < end) {
      for (const payload of payloads) work(payload);
      messages += payloads.length;
    }
    return messages / ((cpuNs() - start) / 1e9);
  };
  let sink = 0;
  const parsePerSecond = rate((payload) => {
    if (parseSipMessage(payload).kind === "message") sink++;
  });
  const typescriptRecord = (payload: Uint8Array) => {
    const result = parseSipMessage(payload);
    if (result.kind === "message") sink += JSON.stringify(sipRecord(base, result.message)).length;
  };
  const recordPerSecond = rate(typescriptRecord);
  const native = NativeSip.open();
  if (native === undefined) {
    return {
      messages: payloads.length,
      parsePerSecond,
      recordPerSecond,
      nativeRecordPerSecond: null,
      nativeRecordDialogPerSecond: null,
      nativeFallbacks: 0,
    };
  }
  const nativeRecord = (payload: Uint8Array, dialog: boolean) => {
    // As the pipeline does: the common fields go to the parser, which writes the whole record's JSON.
    const outcome = native.parse(payload, native.head.fill(time, tuple, undefined, "bench"));
    if (outcome === "message") {
      const text = native.jsonText();
      const callId = native.callId();
      sink += valueJson(new SipJsonRecord(base, text, callId, native.recordJson))!.length;
      if (dialog) sink += native.dialogMessage(callId).cseq.seq;
    } else if (outcome === "fallback") typescriptRecord(payload);
  };
  const nativeFallbacks = payloads.filter((payload) => native.parse(payload) === "fallback").length;
  const nativeRecordPerSecond = rate((payload) => nativeRecord(payload, false));
  const nativeRecordDialogPerSecond = rate((payload) => nativeRecord(payload, true));
  return {
    messages: payloads.length + (sink & 0),
    parsePerSecond,
    recordPerSecond,
    nativeRecordPerSecond,
    nativeRecordDialogPerSecond,
    nativeFallbacks,
  };
}

function format(value: number, digits = 0): string {
  return value.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

async function main(): Promise<void> {
  const corpus = await loadCorpus(CORPUS);
  const synthetic = synthetic64();
  const measurements: Measurement[] = [];
  const pipelineStats: Record<string, unknown> = {};
  for (const workload of [corpus, synthetic]) {
    measurements.push(measure(workload, "summary decode (L2-L4)", summaryStage()));
    measurements.push(measure(workload, "full decoder", fullDecoderStage()));
    const holder: { pipeline?: Pipeline; jsonBytes: number } = { jsonBytes: 0 };
    const rtp: { pipeline?: Pipeline; jsonBytes: number } = { jsonBytes: 0 };
    measurements.push(measure(workload, "pipeline, all protocols, JSON", pipelineStage(holder)));
    const stats = holder.pipeline!.stats();
    pipelineStats[workload.name] = { records: stats.records, protocols: stats.protocols, jsonBytes: holder.jsonBytes };
    if (workload !== corpus) continue;
    // Issue 3's first target names exactly this: L2–L4 decode plus RTP stream statistics (`--protocol rtp`: SIP is
    // parsed only to bind the streams; `rtp_stream` records to JSON).
    measurements.push(
      measure(workload, "pipeline, rtp (L2-L4 + RTP stream statistics), JSON", pipelineStage(rtp, ["rtp"])),
    );
  }
  const sip = sipRates(sipPayloads(corpus));
  const retained = retainedPerMillion(synthetic);

  console.log(`bench-decode: ${Deno.build.target}, deno ${Deno.version.deno}, ${SECONDS}s per run, one core`);
  console.log(
    "| workload | stage | ns/pkt (cpu) | ns/pkt (wall) | pkts/s (cpu) | records | alloc B/pkt (est.) |\n|---|---|---|---|---|---|---|",
  );
  for (const m of measurements) {
    const alloc = m.allocatedBytesPerPacket === null ? "n/a" : format(m.allocatedBytesPerPacket, 1);
    console.log(
      `| ${m.workload} | ${m.stage} | ${format(m.cpuNsPerPacket, 1)} | ${format(m.wallNsPerPacket, 1)} | ` +
        `${format(m.packetsPerSecondCpu)} | ${format(m.records)} | ${alloc} |`,
    );
  }
  console.log(
    `SIP: ${sip.messages} messages from the corpus; TypeScript: parse ${format(sip.parsePerSecond)} msgs/s/core, ` +
      `parse → sip record → JSON ${format(sip.recordPerSecond)} msgs/s/core`,
  );
  if (sip.nativeRecordPerSecond === null) console.log("SIP native: the capture library is not built (make build)");
  else {
    console.log(
      `SIP native (the pipeline's path): parse → sip record → JSON ${format(sip.nativeRecordPerSecond)} msgs/s/core ` +
        `(issue target ≥ 200,000); with call tracking's fields ${
          format(sip.nativeRecordDialogPerSecond!)
        } msgs/s/core; ` +
        `${sip.nativeFallbacks} of ${sip.messages} handed back to TypeScript`,
    );
  }
  if (retained === null) console.log("heap retained: run with --v8-flags=--expose-gc to measure");
  else {
    console.log(
      `heap retained by the pipeline over ${format(retained.packets)} packets making no record: ` +
        `${format(retained.retainedBytes)} B (${format(retained.perMillion)} B per million packets)`,
    );
  }
  if (!SAVE_RESULTS) return;
  const stamp = new Date().toISOString().replace(/[-:]/g, "").replace("T", "-").slice(0, 15);
  const path = new URL(`./results/decode-${stamp}.json`, import.meta.url).pathname;
  await Deno.mkdir(new URL("./results/", import.meta.url).pathname, { recursive: true });
  const result = {
    bench: "decode",
    date: new Date().toISOString(),
    machine: { target: Deno.build.target, deno: Deno.version.deno, cpus: navigator.hardwareConcurrency },
    secondsPerRun: SECONDS,
    corpus: CORPUS,
    corpusPackets: corpus.packets,
    measurements,
    sip,
    heapRetained: retained,
    pipelineStats,
  };
  await Deno.writeTextFile(path, JSON.stringify(result, null, 2) + "\n");
  console.log(`results: ${path}`);
}

await main();
