import assert from "node:assert/strict";
import { LinkType } from "../capture/batch.ts";
import { rawPayloadOf } from "../output/raw_payload.ts";
import { Pipeline } from "./pipeline.ts";
import type { CallRecordOut, DnsRecordOut, HttpRecordOut, PipelineRecord, SipRecord } from "./records.ts";
import {
  batchAt,
  callMessages,
  concat,
  HOST_A,
  HOST_B,
  sipText,
  tcpFrame,
  text,
  udpFrame,
  vxlanFrame,
} from "./_test_frames.ts";

const SYN = 2;
const ACK = 16;
const PSH_ACK = 24;
const FIN_ACK = 17;

function run(pipeline: Pipeline, frames: Uint8Array[], startMs?: number): PipelineRecord[] {
  pipeline.process(batchAt(frames, startMs));
  pipeline.finish();
  return pipeline.queue.drain();
}

function udpCall(vlanId?: number): Uint8Array[] {
  return callMessages().map(([payload, up]) =>
    up
      ? udpFrame(HOST_A, 5060, HOST_B, 5060, text(payload), vlanId)
      : udpFrame(HOST_B, 5060, HOST_A, 5060, text(payload), vlanId)
  );
}

Deno.test("Pipeline turns a SIP call over UDP into six sip records and one call record", () => {
  const pipeline = new Pipeline({ interfaces: ["eth0"], task: "t1", protocols: ["sip"] });
  const records = run(pipeline, udpCall(100));
  const sip = records.filter((r): r is SipRecord => r.type === "sip");
  assert.deepEqual(sip.map((r) => r.sip.method ?? r.sip.status_code), ["INVITE", 180, 200, "ACK", "BYE", 200]);
  const call = records.find((r): r is CallRecordOut => r.type === "call")!;
  assert.equal(records.at(-1), call, "the call record follows its last message");
  assert.equal(call.call.final_status, 200);
  assert.equal(call.call.end_reason, "bye");
  assert.equal(call.call.answer_delay_ms, 20);
  for (const record of records) {
    assert.equal(record.interface, "eth0");
    assert.equal(record.task, "t1");
    assert.deepEqual(record.vlan, [100]);
    assert.equal(record.flow_id, sip[0].flow_id, "both directions share the flow id");
  }
  assert.equal(sip[1].src_ip, "10.0.0.2");
  assert.equal(sip[1].dst_ip, "10.0.0.1");
  assert.equal(sip[0].sip.sdp, true);
  const stats = pipeline.stats();
  assert.equal(stats.records.sip, 6);
  assert.equal(stats.records.call, 1);
  assert.equal(stats.protocols.sip.messages_udp, 6);
});

Deno.test("Pipeline frames SIP over TCP: a message split over segments and two messages in one segment", () => {
  const [invite, ringing, ok] = callMessages().map(([payload]) => text(payload));
  const server = 5060;
  const client = 40000;
  const frames = [
    tcpFrame(HOST_A, client, HOST_B, server, 100, SYN),
    tcpFrame(HOST_B, server, HOST_A, client, 500, SYN | ACK),
    tcpFrame(HOST_A, client, HOST_B, server, 101, PSH_ACK, invite.subarray(0, 100)),
    tcpFrame(HOST_A, client, HOST_B, server, 201, PSH_ACK, invite.subarray(100)),
    tcpFrame(HOST_B, server, HOST_A, client, 501, PSH_ACK, concat(ringing, ok)),
  ];
  const pipeline = new Pipeline({ protocols: ["sip"] });
  const sip = run(pipeline, frames).filter((r): r is SipRecord => r.type === "sip");
  assert.deepEqual(sip.map((r) => r.sip.method ?? r.sip.status_code), ["INVITE", 180, 200]);
  assert.deepEqual(sip.map((r) => `${r.transport} ${r.src_port}>${r.dst_port}`), [
    "tcp 40000>5060",
    "tcp 5060>40000",
    "tcp 5060>40000",
  ]);
  assert.equal(pipeline.stats().protocols.tcp_apps.sip, 1);
});

Deno.test("Pipeline reports the inner 5-tuple and the outer VXLAN endpoints of a tunnelled SIP message", () => {
  const inner = udpFrame(HOST_A, 5060, HOST_B, 5062, text(sipText("OPTIONS sip:b SIP/2.0", "1 OPTIONS")));
  const [record] = run(new Pipeline({ protocols: ["sip"] }), [vxlanFrame(inner, 42)]);
  assert.equal(record.type, "sip");
  assert.equal(
    `${record.src_ip}:${record.src_port} > ${record.dst_ip}:${record.dst_port}`,
    "10.0.0.1:5060 > 10.0.0.2:5062",
  );
  assert.deepEqual(record.tunnels, [{
    type: "vxlan",
    id: 42,
    src_ip: "192.168.0.1",
    dst_ip: "192.168.0.2",
    protocol: 17,
    src_port: 40000,
    dst_port: 4789,
  }]);
});

Deno.test("Pipeline pairs a DNS query and response and counts non-DNS bytes on port 53", () => {
  const query = Uint8Array.from([0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, 1, 0x61, 0, 0, 1, 0, 1]);
  const response = concat(
    Uint8Array.from([0x12, 0x34, 0x81, 0x80, 0, 1, 0, 1, 0, 0, 0, 0, 1, 0x61, 0, 0, 1, 0, 1]),
    Uint8Array.from([0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 10, 9, 8, 7]),
  );
  const pipeline = new Pipeline({ protocols: ["dns"] });
  const records = run(pipeline, [
    udpFrame(HOST_A, 33000, HOST_B, 53, query),
    udpFrame(HOST_B, 53, HOST_A, 33000, response),
    udpFrame(HOST_A, 33001, HOST_B, 53, Uint8Array.from([1, 2, 3])),
  ]);
  assert.equal(records.length, 1);
  const dns = records[0] as DnsRecordOut;
  assert.equal(dns.dns.latency_ms, 10);
  assert.equal(dns.dns.response_code, "NOERROR");
  assert.deepEqual((dns.dns.answers as { data: string }[]).map((a) => a.data), ["10.9.8.7"]);
  assert.equal(dns.src_ip, "10.0.0.1");
  assert.equal(pipeline.stats().parserInvalid.dns.truncated_header, 1);
});

Deno.test("Pipeline pairs an HTTP request and response on any port", () => {
  const request = text("GET /index.html HTTP/1.1\r\nHost: example.com\r\n\r\n");
  const response = text("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 5\r\n\r\nhello");
  const records = run(new Pipeline({ protocols: ["http"] }), [
    tcpFrame(HOST_A, 41000, HOST_B, 8081, 10, SYN),
    tcpFrame(HOST_B, 8081, HOST_A, 41000, 90, SYN | ACK),
    tcpFrame(HOST_A, 41000, HOST_B, 8081, 11, PSH_ACK, request),
    tcpFrame(HOST_B, 8081, HOST_A, 41000, 91, PSH_ACK, response),
    tcpFrame(HOST_A, 41000, HOST_B, 8081, 11 + request.length, FIN_ACK),
    tcpFrame(HOST_B, 8081, HOST_A, 41000, 91 + response.length, FIN_ACK),
  ]);
  assert.equal(records.length, 1);
  const http = records[0] as HttpRecordOut;
  assert.equal((http.http.request as { path: string }).path, "/index.html");
  assert.equal((http.http.response as { status_code: number }).status_code, 200);
  assert.equal(http.http.latency_ms, 10);
  assert.equal(`${http.src_port}>${http.dst_port}`, "41000>8081");
});

Deno.test("Pipeline counts undecodable packets by reason and emits nothing for them", () => {
  const pipeline = new Pipeline();
  const truncated = udpFrame(HOST_A, 1, HOST_B, 2, text("x")).subarray(0, 30);
  const batch = batchAt([truncated, udpFrame(HOST_A, 1000, HOST_B, 2000, Uint8Array.from([0x80, 0, 0, 1]))]);
  pipeline.process(batch);
  const unknownLink = batchAt([Uint8Array.from([1, 2, 3])]);
  unknownLink.linkType = 9999;
  pipeline.process(unknownLink);
  assert.equal(pipeline.queue.depth, 0);
  const stats = pipeline.stats();
  assert.equal(stats.packets, 3);
  assert.equal(stats.decodeErrors.ipv4_truncated, 1);
  assert.equal(stats.decodeErrors.link_unsupported, 1);
  assert.equal(LinkType.EN10MB, batch.linkType);
});

Deno.test("Pipeline drops records past its queue bound and counts them", () => {
  const pipeline = new Pipeline({ protocols: ["sip"], recordsMax: 2 });
  pipeline.process(batchAt(udpCall()));
  assert.equal(pipeline.queue.depth, 2);
  assert.equal(pipeline.stats().queueDrops, 5, "four sip records and the call");
  assert.equal(pipeline.stats().records.sip, 2);
});

Deno.test("Pipeline leaves SIP alone when only DNS is asked for", () => {
  const pipeline = new Pipeline({ protocols: ["dns"] });
  assert.deepEqual(run(pipeline, udpCall()), []);
  assert.equal(pipeline.dispatcher.voip, undefined);
  assert.equal(pipeline.stats().protocols.sip.messages_udp, undefined);
});

Deno.test("Pipeline.tick() ends an unanswered call on wall-clock time without packets", () => {
  const pipeline = new Pipeline({ protocols: ["sip"], voip: { setupTimeoutMs: 5000 } });
  const startMs = 1_700_000_000_000;
  pipeline.process(batchAt(udpCall().slice(0, 1), startMs));
  pipeline.queue.drain();
  pipeline.tick(startMs + 2000);
  assert.equal(pipeline.queue.depth, 0);
  pipeline.tick(startMs + 6000);
  const [call] = pipeline.queue.drain() as CallRecordOut[];
  assert.equal(call.type, "call");
  assert.equal(call.call.end_reason, "timeout");
  assert.equal(call.interface, undefined);
});

Deno.test("Pipeline attaches each SIP message's bytes to its record, outside the JSON schema", () => {
  const pipeline = new Pipeline({ interfaces: ["eth0"], task: "t1", protocols: ["sip"] });
  const records = run(pipeline, udpCall());
  const sip = records.filter((r): r is SipRecord => r.type === "sip");
  const sent = callMessages().map(([payload]) => payload);
  assert.equal(sip.length, sent.length);
  sip.forEach((record, i) => {
    assert.equal(new TextDecoder().decode(rawPayloadOf(record)), sent[i]);
    assert.equal(JSON.stringify(record).includes("raw_payload"), false);
  });
});
