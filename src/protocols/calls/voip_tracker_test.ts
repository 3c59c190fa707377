import assert from "node:assert/strict";
import { DOWN, sdp, sipBytes, UP } from "./_sip_fixture.ts";
import { parseSipMessage } from "../sip/mod.ts";
import { type RtpStreamRecord } from "./media_session.ts";
import { type UdpPacketView, type VoipRecord, VoipTracker } from "./voip_tracker.ts";

function send(tracker: VoipTracker, bytes: Uint8Array, timeMs: number, tuple = UP): void {
  const result = parseSipMessage(bytes);
  assert.equal(result.kind, "message");
  if (result.kind === "message") tracker.onSip(result.message, bytes, timeMs, tuple);
}

/** A UDP packet between two IPv4 endpoints carrying `payload`. */
function udp(src: string, dst: string, payload: Uint8Array): UdpPacketView {
  const [srcIp, srcPort] = src.split(":");
  const [dstIp, dstPort] = dst.split(":");
  const data = new Uint8Array([...srcIp!.split(".").map(Number), ...dstIp!.split(".").map(Number), ...payload]);
  return {
    data,
    addressBytes: 4,
    srcAddressOffset: 0,
    dstAddressOffset: 4,
    srcPort: Number(srcPort),
    dstPort: Number(dstPort),
    payloadOffset: 8,
    payloadBytes: payload.length,
  };
}

function rtp(seq: number, ssrc = 0x1234): Uint8Array {
  const ts = seq * 160;
  return new Uint8Array([
    0x80,
    0,
    seq >> 8,
    seq & 255,
    ts >>> 24,
    (ts >> 16) & 255,
    (ts >> 8) & 255,
    ts & 255,
    0,
    0,
    ssrc >> 8,
    ssrc & 255,
    1,
    2,
  ]);
}

Deno.test("VoipTracker binds early media, both directions, rtcp-mux and re-INVITE ports to the call", () => {
  const records: VoipRecord[] = [];
  const tracker = new VoipTracker((record) => records.push(record), { ttlMs: 1000, streamIdleMs: 600000 });
  send(tracker, sipBytes("INVITE sip:bob@b SIP/2.0", "1 INVITE", { sdp: sdp("10.0.0.1", 4000) }), 0);
  // Early media from the callee's 183 SDP (with rtcp-mux).
  send(
    tracker,
    sipBytes("SIP/2.0 183 Progress", "1 INVITE", { toTag: "bob", sdp: sdp("10.0.0.2", 6000, "a=rtcp-mux\r\n") }),
    10,
    DOWN,
  );
  assert.ok(tracker.onUdp(udp("10.0.0.2:6000", "10.0.0.1:4000", rtp(1, 7)), 20));
  assert.ok(tracker.onUdp(udp("10.0.0.1:4000", "10.0.0.2:6000", rtp(1, 8)), 20));
  // RTCP to the caller's default port (RTP + 1), and muxed RTCP to the callee's RTP port.
  const rr = new Uint8Array([0x80, 201, 0, 1, 0, 0, 0, 8]);
  assert.ok(tracker.onUdp(udp("10.0.0.2:6001", "10.0.0.1:4001", rr), 30));
  assert.ok(tracker.onUdp(udp("10.0.0.1:4000", "10.0.0.2:6000", rr), 30));
  assert.equal(tracker.stats.rtcpPackets, 2);
  assert.equal(tracker.stats.rtpPackets, 2);
  assert.ok(!tracker.onUdp(udp("10.0.0.9:1", "10.0.0.8:2", rtp(1)), 30));
  send(tracker, sipBytes("SIP/2.0 200 OK", "1 INVITE", { toTag: "bob" }), 40, DOWN);
  // A re-INVITE from the caller moves its media to port 4100; the old port expires after ttlMs.
  send(tracker, sipBytes("INVITE sip:bob@b SIP/2.0", "2 INVITE", { toTag: "bob", sdp: sdp("10.0.0.1", 4100) }), 100);
  assert.ok(tracker.onUdp(udp("10.0.0.2:6000", "10.0.0.1:4100", rtp(2, 7)), 110));
  tracker.expire(2000);
  assert.ok(tracker.bindings.get(0x0a000001 * 65536 + 4000) === undefined);
  assert.ok(tracker.bindings.get(0x0a000001 * 65536 + 4100) !== undefined);
  tracker.flush(3000);
  const streams = records.filter((r) => r.type === "rtp_stream").map((r) => r.stream as RtpStreamRecord);
  assert.deepEqual(streams.map((s) => [s.callId, s.ssrc, s.dstPort, s.packets]).sort(), [
    ["call-1", 7, 4000, 1],
    ["call-1", 7, 4100, 1],
    ["call-1", 8, 6000, 1],
  ]);
  assert.equal(records.filter((r) => r.type === "rtcp").length, 2);
  assert.equal(records.filter((r) => r.type === "call").length, 1);
});

Deno.test("VoipTracker keeps calls apart when their callee answers every call on one shared media endpoint", () => {
  const records: VoipRecord[] = [];
  const tracker = new VoipTracker((record) => records.push(record), { streamIdleMs: 600000 });
  for (const [callId, callerPort] of [["call-a", 4000], ["call-b", 4002]] as const) {
    send(tracker, sipBytes("INVITE sip:bob@b SIP/2.0", "1 INVITE", { callId, sdp: sdp("10.0.0.1", callerPort) }), 0);
    const answer = { callId, toTag: "bob", sdp: sdp("10.0.0.2", 6000) };
    send(tracker, sipBytes("SIP/2.0 200 OK", "1 INVITE", answer), 10, DOWN);
  }
  // Both callers send to the shared 10.0.0.2:6000; the echo comes back to each caller's own port.
  for (let seq = 1; seq <= 3; seq++) {
    assert.ok(tracker.onUdp(udp("10.0.0.1:4000", "10.0.0.2:6000", rtp(seq, 0xa)), 20 + seq));
    assert.ok(tracker.onUdp(udp("10.0.0.1:4002", "10.0.0.2:6000", rtp(seq, 0xb)), 20 + seq));
    assert.ok(tracker.onUdp(udp("10.0.0.2:6000", "10.0.0.1:4000", rtp(seq, 0xc)), 20 + seq));
  }
  tracker.flush(3000);
  const streams = records.filter((r) => r.type === "rtp_stream").map((r) => r.stream as RtpStreamRecord);
  assert.deepEqual(streams.map((s) => [s.ssrc, s.callId, s.packets]).sort(), [
    [0xa, "call-a", 3],
    [0xb, "call-b", 3],
    [0xc, "call-a", 3],
  ]);
});
