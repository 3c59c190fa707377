import assert from "node:assert/strict";
import { Pipeline } from "./pipeline.ts";
import type { ProtocolName } from "./protocols.ts";
import type { PipelineRecord, RtpPacketRecordOut } from "./records.ts";
import { recordKey } from "./output_record.ts";
import { FlowIds } from "./flow_id.ts";
import { RtpPacketJsonRecord } from "./rtp_packet_json_record.ts";
import { valueJson } from "../output/prebuilt_json.ts";
import { batchAt, callMessages, HOST_A, HOST_B, text, udpFrame, vxlanFrame } from "./_test_frames.ts";

/** RTP packet: PT 8 (PCMA, as in `callMessages()`'s SDP), `seq`, timestamp seq × 160, `ssrc`, 160 payload bytes. */
function rtp(seq: number, ssrc: number, marker = false): Uint8Array {
  const ts = seq * 160;
  const header = [0x80, (marker ? 0x80 : 0) | 8, seq >> 8, seq & 255, ts >>> 24, (ts >> 16) & 255, (ts >> 8) & 255];
  header.push(ts & 255, ssrc >>> 24, (ssrc >> 16) & 255, (ssrc >> 8) & 255, ssrc & 255);
  return Uint8Array.from([...header, ...new Uint8Array(160)]);
}

/**
 * The call of `callMessages()` with RTP both ways between 200 OK and ACK (caller 10.0.0.1:4000, callee :5000); with
 * `links`, the first packet in VLAN 7 and the second in VXLAN.
 */
function callWithMedia(links = false): Uint8Array[] {
  const sip = callMessages().map(([payload, up]) =>
    up ? udpFrame(HOST_A, 5060, HOST_B, 5060, text(payload)) : udpFrame(HOST_B, 5060, HOST_A, 5060, text(payload))
  );
  const back = udpFrame(HOST_B, 5000, HOST_A, 4000, rtp(7, 0xb2));
  const media = [
    udpFrame(HOST_A, 4000, HOST_B, 5000, rtp(1, 0xa1, true), links ? 7 : undefined),
    links ? vxlanFrame(back, 99) : back,
    udpFrame(HOST_A, 4000, HOST_B, 5000, rtp(2, 0xa1)),
  ];
  return [...sip.slice(0, 3), ...media, ...sip.slice(3)];
}

function run(protocols: ProtocolName[] | undefined, links = false): PipelineRecord[] {
  const pipeline = new Pipeline({ protocols, task: "media" });
  pipeline.process(batchAt(callWithMedia(links)));
  pipeline.finish();
  return pipeline.queue.drain();
}

Deno.test("Pipeline emits one rtp_packet record per RTP packet of a bound stream when asked for them", () => {
  const records = run(["rtp_packet"]);
  const packets = records.filter((r): r is RtpPacketRecordOut => r.type === "rtp_packet");
  assert.deepEqual(records.map((r) => r.type), ["rtp_packet", "rtp_packet", "rtp_packet"], "nothing else was asked");
  assert.deepEqual(packets.map((r) => [r.src_port, r.dst_port, r.rtp_packet.ssrc, r.rtp_packet.seq]), [
    [4000, 5000, 0xa1, 1],
    [5000, 4000, 0xb2, 7],
    [4000, 5000, 0xa1, 2],
  ]);
  const first = packets[0];
  assert.equal(first.rtp_packet.call_id, "call-1@a");
  assert.equal(first.rtp_packet.codec, "PCMA");
  assert.equal(first.rtp_packet.clock_rate, 8000);
  assert.equal(first.rtp_packet.payload_type, 8);
  assert.equal(first.rtp_packet.marker, true);
  assert.equal(packets[2].rtp_packet.marker, false);
  assert.equal(first.rtp_packet.timestamp, 160);
  assert.equal(first.rtp_packet.payload_bytes, 160);
  assert.equal(first.rtp_packet.media, "audio");
  assert.equal(first.transport, "udp");
  assert.equal(first.task, "media");
  assert.equal(first.timestamp_ms, 1_700_000_000_030, "the capture time of the packet itself");
  assert.equal(first.flow_id, packets[1].flow_id, "both directions of the media share a flow id");
  // The hash comes from the packet; the text of its tuple gives the same (what records made later use).
  const fromText = new FlowIds().idOfText(17, first.src_ip!, first.src_port!, first.dst_ip!, first.dst_port!);
  assert.equal(first.flow_id, fromText);
  assert.equal(recordKey(first, "call_id"), "call-1@a");
});

Deno.test("Pipeline emits no rtp_packet records unless they are asked for", () => {
  const records = run(undefined);
  assert.equal(records.filter((r) => r.type === "rtp_packet").length, 0);
  const streams = records.filter((r) => r.type === "rtp_stream");
  assert.equal(streams.length, 2, "the streams are there, as statistics");
});

Deno.test("Pipeline rtp_packet records write their own JSON, the plain record's, VLAN and tunnels included", () => {
  const packets = run(["rtp_packet"], true).filter((r): r is RtpPacketRecordOut => r.type === "rtp_packet");
  assert.equal(packets.length, 3);
  const common = ["type", "v", "timestamp_ms", "timestamp_ns", "task", "ip_version", "transport", "src_ip", "src_port"];
  const keys = [[...common, "dst_ip", "dst_port", "vlan", "flow_id", "rtp_packet"]];
  keys.push([...common, "dst_ip", "dst_port", "tunnels", "flow_id", "rtp_packet"]);
  keys.push([...common, "dst_ip", "dst_port", "flow_id", "rtp_packet"]);
  for (const [i, record] of packets.entries()) {
    assert.ok(record instanceof RtpPacketJsonRecord);
    assert.deepEqual(Object.keys(record), keys[i]);
    const plain = { ...record, rtp_packet: { ...record.rtp_packet } };
    assert.equal(Object.getPrototypeOf(plain), Object.prototype);
    assert.equal(valueJson(record), JSON.stringify(plain));
    assert.equal(JSON.stringify(record), JSON.stringify(plain));
  }
  assert.deepEqual(packets[0].vlan, [7]);
  assert.equal(packets[1].tunnels?.[0].id, 99);
});
