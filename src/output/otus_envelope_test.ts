import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { ConsoleOutput, type LineSink } from "./console.ts";
import type { OutputRecord } from "./output.ts";
import { toOtusRecord, withOtusEnvelope } from "./otus_envelope.ts";
import { attachRawPayload } from "./raw_payload.ts";

const ids = { taskId: "task-1", agentId: "host-a" };
const raw = new TextEncoder().encode("INVITE sip:bob@b SIP/2.0\r\n\r\n");
const sip: OutputRecord = {
  type: "sip",
  key: "c@d",
  timestampMs: 1700000000123,
  value: attachRawPayload({
    type: "sip",
    transport: "udp",
    src_ip: "10.0.0.1",
    src_port: 5060,
    dst_ip: "10.0.0.2",
    dst_port: 5070,
    sip: {
      kind: "request",
      method: "INVITE",
      call_id: "c@d",
      from: { uri: "sip:alice@a", tag: "1" },
      to: { uri: "sip:bob@b" },
      vias: [{ transport: "UDP", host: "10.0.0.1", port: 5060, branch: "z9hG4bK1" }, { transport: "TCP", host: "p" }],
    },
  }, raw),
};

Deno.test("toOtusRecord() maps a SIP record to the Otus value, key and headers", () => {
  const out = toOtusRecord(sip, ids);
  assert.equal(out.type, "sip");
  assert.equal(out.key, "10.0.0.1:5060-10.0.0.2:5070");
  assert.deepEqual(out.value, {
    task_id: "task-1",
    agent_id: "host-a",
    pipeline_id: 0,
    timestamp: 1700000000123,
    src_ip: "10.0.0.1",
    dst_ip: "10.0.0.2",
    src_port: 5060,
    dst_port: 5070,
    protocol: 17,
    payload_type: "sip",
    labels: {
      "sip.method": "INVITE",
      "sip.call_id": "c@d",
      "sip.from_uri": "sip:alice@a",
      "sip.to_uri": "sip:bob@b",
      "sip.via": "SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK1,SIP/2.0/TCP p",
    },
    raw_payload: Buffer.from(raw).toString("base64"),
    raw_payload_len: raw.length,
  });
  assert.equal(out.headers?.["l.sip.method"], "INVITE");
  assert.equal(out.headers?.timestamp, "1700000000123");
});

Deno.test("toOtusRecord() labels RTP streams and RTCP as payload type rtp", () => {
  const stream = toOtusRecord({
    type: "rtp_stream",
    timestampMs: 5,
    value: {
      type: "rtp_stream",
      src_ip: "::1",
      src_port: 4000,
      dst_ip: "::2",
      dst_port: 4002,
      transport: "udp",
      rtp_stream: { ssrc: 0xabc, payload_type: 0, codec: "PCMU", call_id: "c@d", packets: 10, lost: 1 },
    },
  }, ids); // deno-fmt-ignore
  assert.equal(stream.type, "rtp");
  const labels = (stream.value as { labels: Record<string, string> }).labels;
  assert.equal(labels["rtp.ssrc"], "0x00000ABC");
  assert.equal(labels["rtp.codec"], "PCMU");
  assert.equal(labels["rtp.lost"], "1");
  assert.equal((stream.value as { raw_payload_len: number }).raw_payload_len, 0);
  const rtcp = toOtusRecord({
    type: "rtcp",
    timestampMs: 5,
    value: { type: "rtcp", src_ip: "1.1.1.1", rtcp: { call_id: "x", packets: [{ type: "sr", ssrc: 1 }] } },
  }, ids);
  assert.equal((rtcp.value as { labels: Record<string, string> }).labels["rtcp.payload_type"], "200");
});

Deno.test("withOtusEnvelope() feeds the wrapped output with envelopes", () => {
  let text = "";
  const sink: LineSink = { writeSync: (bytes) => (text += new TextDecoder().decode(bytes), bytes.length) };
  const output = withOtusEnvelope(new ConsoleOutput({ sink }), ids);
  assert.equal(output.write([sip]).queued, 1);
  assert.equal(JSON.parse(text).payload_type, "sip");
  assert.equal(output.stats().sentRecords, 1);
});
