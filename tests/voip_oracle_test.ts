/**
 * tshark as oracle for call tracking and RTP/RTCP statistics on /work/shared/corpus/sip/rtp_rtcp_sip_ipv4_udp.pcap,
 * read through `openFileSource` and `decodeSummary`: per-stream SSRC, packets, lost, max delta and max/mean jitter
 * against `tshark -z rtp,streams`; RTCP report fields against `tshark -Y rtcp -T fields`; the call against
 * `tshark -Y sip` response times and `-z sip,stat`.
 */
import assert from "node:assert/strict";
import { openFileSource } from "../src/capture/file_source.ts";
import { decodeSummary } from "../src/decode/decode.ts";
import { createPacketSummary, IpProtocol } from "../src/decode/summary.ts";
import { formatAddressBytes } from "../src/protocols/calls/endpoint.ts";
import { type RtcpRecord, type VoipRecord, VoipTracker } from "../src/protocols/calls/voip_tracker.ts";
import type { CallRecord } from "../src/protocols/calls/types.ts";
import type { RtpStreamRecord } from "../src/protocols/calls/media_session.ts";
import { detectSip, parseSipMessage } from "../src/protocols/sip/mod.ts";

const FILE = "/work/shared/corpus/sip/rtp_rtcp_sip_ipv4_udp.pcap";
const CALL_ID = "12013223@200.57.7.195";

async function tshark(args: string[]): Promise<string> {
  const output = await new Deno.Command("tshark", { args: ["-r", FILE, ...args], stdout: "piped", stderr: "null" })
    .output();
  assert.equal(output.code, 0);
  return new TextDecoder().decode(output.stdout);
}

/** One row of `tshark -z rtp,streams`. */
interface TsharkStream {
  src: string;
  dst: string;
  ssrc: number;
  packets: number;
  lost: number;
  maxDeltaMs: number;
  meanJitterMs: number;
  maxJitterMs: number;
}

async function tsharkStreams(): Promise<TsharkStream[]> {
  const text = await tshark(["-q", "-o", "rtp.heuristic_rtp:TRUE", "-z", "rtp,streams"]);
  const rows: TsharkStream[] = [];
  for (const line of text.split("\n")) {
    const f = line.trim().split(/\s+/);
    if (f.length < 17 || !f[6]!.startsWith("0x")) continue;
    rows.push({
      src: `${f[2]}:${f[3]}`,
      dst: `${f[4]}:${f[5]}`,
      ssrc: parseInt(f[6]!, 16),
      packets: Number(f[8]),
      lost: Number(f[9]),
      maxDeltaMs: Number(f[13]),
      meanJitterMs: Number(f[15]),
      maxJitterMs: Number(f[16]),
    });
  }
  return rows;
}

/** Runs the capture through decode → SIP parse → VoipTracker; `staticEndpoints` ("ip:port:rtp|rtcp") are bound by hand. */
async function runTracker(staticEndpoints: string[]): Promise<VoipRecord[]> {
  const records: VoipRecord[] = [];
  const tracker = new VoipTracker((record) => records.push(record));
  const summary = createPacketSummary();
  const source = await openFileSource(FILE);
  let nowMs = 0;
  let lastExpireMs = 0;
  try {
    for (let batch = await source.next(); batch !== null; batch = await source.next()) {
      for (let i = 0; i < batch.count; i++) {
        if (!decodeSummary(batch, i, summary) || summary.protocol !== IpProtocol.UDP) continue;
        nowMs = summary.timestampSec * 1000 + summary.timestampNsec / 1e6;
        if (staticEndpoints.length > 0) {
          for (const endpoint of staticEndpoints.splice(0)) {
            const [ip, port, kind] = endpoint.split(":");
            tracker.bindStatic(ip!, Number(port), kind === "rtcp" ? "rtcp" : "rtp", "static", nowMs);
          }
        }
        const payload = summary.data.subarray(summary.payloadOffset, summary.payloadOffset + summary.payloadBytes);
        if (!tracker.onUdp(summary, nowMs) && detectSip(payload) !== undefined) {
          const result = parseSipMessage(payload);
          if (result.kind !== "message") continue;
          tracker.onSip(result.message, payload, nowMs, {
            srcIp: formatAddressBytes(summary.data, summary.srcAddressOffset, summary.addressBytes),
            srcPort: summary.srcPort,
            dstIp: formatAddressBytes(summary.data, summary.dstAddressOffset, summary.addressBytes),
            dstPort: summary.dstPort,
            transport: "udp",
          });
        }
        if (nowMs - lastExpireMs >= 1000) tracker.expire(lastExpireMs = nowMs);
      }
      source.release(batch);
    }
  } finally {
    await source.close();
  }
  tracker.flush(nowMs);
  return records;
}

const near = (actual: number, expected: number, tolerance: number, what: string) =>
  assert.ok(Math.abs(actual - expected) <= tolerance, `${what}: ours ${actual}, tshark ${expected}`);

Deno.test("VoipTracker stream statistics, RTCP reports and the call equal tshark's", async () => {
  const expected = await tsharkStreams();
  assert.ok(expected.length >= 3, "tshark finds RTP streams");
  // The SIP call's SDP binds 200.57.7.196:40376 and 200.57.7.204:8000; the other streams were set up by MGCP.
  const records = await runTracker([
    "200.57.7.196:40378:rtp",
    "200.57.7.196:40379:rtcp",
    "200.57.7.196:40362:rtp",
  ]);
  const streams = records.filter((r) => r.type === "rtp_stream").map((r) => r.stream as RtpStreamRecord);
  let compared = 0;
  for (const want of expected) {
    const ours = streams.filter((s) =>
      s.ssrc === want.ssrc && `${s.srcIp}:${s.srcPort}` === want.src && `${s.dstIp}:${s.dstPort}` === want.dst
    );
    assert.equal(ours.length, 1, `stream ${want.src} → ${want.dst} 0x${want.ssrc.toString(16)}`);
    const got = ours[0]!;
    assert.equal(got.packets, want.packets);
    assert.equal(got.lost, want.lost);
    near(got.maxDeltaMs, want.maxDeltaMs, 0.002, "max delta");
    near(got.maxJitterMs, want.maxJitterMs, 0.002, "max jitter");
    near(got.meanJitterMs, want.meanJitterMs, Math.max(0.002, want.meanJitterMs * 0.02), "mean jitter");
    assert.equal(got.codec.toUpperCase(), "PCMA");
    if (want.src.endsWith(":40376") || want.src.endsWith(":8000")) assert.equal(got.callId, CALL_ID);
    compared++;
  }
  assert.ok(compared >= 5);
  assert.equal(streams.length, expected.length);

  // RTCP: every report block tshark shows, in order.
  // The MGCP-set-up RTCP port is forced: tshark learns it from MGCP only after two of its packets went by.
  const names = [
    "senderssrc",
    "ssrc.identifier",
    "ssrc.fraction",
    "ssrc.cum_nr",
    "ssrc.high_cycles",
    "ssrc.high_seq",
    "ssrc.jitter",
  ];
  const fields = await tshark([
    "-d",
    "udp.port==40379,rtcp",
    "-Y",
    "rtcp",
    "-T",
    "fields",
    ...names.flatMap((n) => ["-e", `rtcp.${n}`]),
  ]);
  const wantBlocks = fields.trim().split("\n").filter((l) => l.trim() !== "");
  const rtcp = records.filter((r) => r.type === "rtcp").map((r) => r.rtcp as RtcpRecord);
  assert.equal(rtcp.length, wantBlocks.length);
  let blocks = 0;
  rtcp.forEach((record, i) => {
    const [senders, ssrcs, fractions, cumulative, cycles, highest, jitter] = wantBlocks[i]!.split("\t").map((f) =>
      f === "" ? [] : f.split(",").map(Number)
    );
    const reporters = record.packets.flatMap((p) => p.type === "sr" || p.type === "rr" ? [p] : []);
    assert.deepEqual(reporters.map((p) => p.ssrc), senders);
    const reports = reporters.flatMap((p) => p.reports);
    // tshark names report block and SDES chunk SSRCs alike `rtcp.ssrc.identifier`, in packet order.
    const identifiers = record.packets.flatMap((p) =>
      p.type === "sr" || p.type === "rr"
        ? p.reports.map((b) => b.ssrc)
        : p.type === "sdes"
        ? p.chunks.map((c) => c.ssrc)
        : []
    );
    assert.deepEqual(identifiers, ssrcs, `RTCP packet ${i}`);
    assert.deepEqual(reports.map((b) => b.fractionLost), fractions);
    assert.deepEqual(reports.map((b) => b.cumulativeLost), cumulative);
    assert.deepEqual(reports.map((b) => b.highestSequence >>> 16), cycles);
    assert.deepEqual(reports.map((b) => b.highestSequence & 0xffff), highest);
    assert.deepEqual(reports.map((b) => b.jitter), jitter);
    blocks += reports.length;
  });
  assert.ok(rtcp.length > 0 && blocks > 0);

  // The call: response times of 180 and 200, ACK (tshark's setup time), final status; flushed at the capture end.
  const sip = await tshark([
    "-Y",
    `sip.Call-ID == "${CALL_ID}"`,
    "-T",
    "fields",
    "-e",
    "sip.Status-Code",
    "-e",
    "sip.Method",
    "-e",
    "sip.response-time",
  ]);
  const times = new Map(
    sip.trim().split("\n").map((l) => l.split("\t")).map(([code, method, t]) => [code || method, Number(t)]),
  );
  const stat = await tshark(["-q", "-z", "sip,stat"]);
  const setupMs = Number(/Average setup time (\d+) ms/.exec(stat)![1]);
  const calls = records.filter((r) => r.type === "call").map((r) => r.call as CallRecord);
  const call = calls.find((c) => c.callId === CALL_ID)!;
  assert.ok(call !== undefined);
  near(call.ringingDelayMs!, times.get("180")!, 1, "INVITE → 180");
  near(call.answerDelayMs!, times.get("200")!, 1, "INVITE → 200");
  near(call.ackDelayMs!, setupMs, 1, "setup time (INVITE → ACK)");
  assert.equal(call.finalStatus, 200);
  assert.equal(call.state, "confirmed");
  assert.equal(call.endReason, "flushed");
  // No BYE in the capture: the call lasts from the 200 to its last media packet (tshark's stream end times).
  const lastMedia = Math.max(...streams.filter((s) => s.callId === CALL_ID).map((s) => s.lastSeenMs));
  near(call.durationMs, lastMedia - (call.inviteTimeMs + call.answerDelayMs!), 0.001, "duration");
  const other = calls.find((c) => c.callId === "12015624@200.57.7.195")!;
  assert.equal(other.finalStatus, undefined);
  assert.equal(other.state, "early");
  assert.equal(calls.length, 2); // The REGISTER transactions are not calls.
});
