import assert from "node:assert/strict";
import { parseSipMessage } from "../sip/mod.ts";
import { DOWN, sdp, sipBytes, UP } from "./_sip_fixture.ts";
import type { RtpPacketRecord } from "./rtp_packet.ts";
import { type VoipRecord, VoipTracker } from "./voip_tracker.ts";

function packet(payloadType: number, seq: number): Uint8Array {
  // 10.0.0.2:6000 → 10.0.0.1:4000, then RTP with SSRC 9 and 3 payload bytes.
  return Uint8Array.from([10, 0, 0, 2, 10, 0, 0, 1, 0x80, payloadType, 0, seq, 0, 0, 1, 0, 0, 0, 0, 9, 1, 2, 3]);
}

function tracker(packetRecords: boolean): { tracker: VoipTracker; records: VoipRecord[] } {
  const records: VoipRecord[] = [];
  const voip = new VoipTracker((record) => records.push(record), { packetRecords });
  for (
    const [bytes, tuple] of [
      [sipBytes("INVITE sip:bob@b SIP/2.0", "1 INVITE", { sdp: sdp("10.0.0.1", 4000) }), UP],
      [sipBytes("SIP/2.0 200 OK", "1 INVITE", { toTag: "bob", sdp: sdp("10.0.0.2", 6000) }), DOWN],
    ] as const
  ) {
    const result = parseSipMessage(bytes);
    if (result.kind === "message") voip.onSip(result.message, bytes, 0, tuple);
  }
  return { tracker: voip, records };
}

const view = (data: Uint8Array) => ({
  data,
  addressBytes: 4,
  srcAddressOffset: 0,
  dstAddressOffset: 4,
  srcPort: 6000,
  dstPort: 4000,
  payloadOffset: 8,
  payloadBytes: data.length - 8,
});

Deno.test("rtpPacketRecord() describes each RTP packet with the codec of its own payload type", () => {
  const { tracker: voip, records } = tracker(true);
  voip.onUdp(view(packet(0, 1)), 10);
  voip.onUdp(view(packet(101, 2)), 20);
  const packets = records.filter((r) => r.type === "rtp_packet").map((r) => (r as { packet: RtpPacketRecord }).packet);
  assert.deepEqual(packets.map((p) => [p.seq, p.payloadType, p.codec, p.clockRate]), [
    [1, 0, "PCMU", 8000],
    [2, 101, "telephone-event", 8000],
  ]);
  assert.equal(packets[0].callId, "call-1");
  assert.equal(packets[0].ssrc, 9);
  assert.equal(packets[0].timestamp, 256);
  assert.equal(packets[0].payloadBytes, 3);
  assert.equal(packets[0].srcIp, "10.0.0.2");
  assert.equal(packets[1].timeMs, 20);
});

Deno.test("VoipTracker makes no per-packet records by default", () => {
  const { tracker: voip, records } = tracker(false);
  voip.onUdp(view(packet(0, 1)), 10);
  assert.equal(voip.stats.rtpPackets, 1);
  assert.equal(records.filter((r) => r.type === "rtp_packet").length, 0);
});
