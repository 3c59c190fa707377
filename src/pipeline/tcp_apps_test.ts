import assert from "node:assert/strict";
import { Pipeline } from "./pipeline.ts";
import type { CallRecordOut, HttpRecordOut, PipelineRecord, RtpPacketRecordOut, SipRecord } from "./records.ts";
import { batchAt, HOST_A, HOST_B, sipText, tcpFrame, text, udpFrame } from "./_test_frames.ts";
import { wsSipCallFrames } from "./_test_ws_call.ts";
import { upgradeRequest, upgradeResponse, wsFrame } from "../protocols/websocket/_test_frames.ts";
import { deflateEach, deflateStream } from "../protocols/websocket/_test_deflate.ts";

function run(pipeline: Pipeline, frames: Uint8Array[]): PipelineRecord[] {
  pipeline.process(batchAt(frames));
  pipeline.finish();
  return pipeline.queue.drain();
}

Deno.test("TcpApps turns a SIP call over WebSocket into sip records with transport ws and a call record", () => {
  const { frames, messages } = wsSipCallFrames();
  const pipeline = new Pipeline({ protocols: ["sip"] });
  const records = run(pipeline, frames);
  const sip = records.filter((r): r is SipRecord => r.type === "sip");
  assert.deepEqual(sip.map((r) => r.sip.method ?? r.sip.status_code), ["INVITE", 180, 200, "ACK", "BYE", 200]);
  assert.deepEqual(
    sip.map((r) => `${r.transport} ${r.src_port}>${r.dst_port}`),
    messages.map(([, up]) => up ? "ws 40000>8080" : "ws 8080>40000"),
  );
  assert.ok(sip.every((r) => r.sip.call_id === "ws-call-1@a" && r.flow_id === sip[0].flow_id));
  assert.equal(sip[0].sip.vias[0].transport, "WS");
  assert.equal(sip[0].sip.sdp, true);
  const call = records.find((r): r is CallRecordOut => r.type === "call")!;
  assert.equal(call.call.call_id, "ws-call-1@a");
  assert.equal(call.call.transport, "ws");
  assert.equal(call.call.end_reason, "bye");
  assert.equal(call.transport, "ws");
  const stats = pipeline.stats();
  assert.equal(stats.protocols.sip.messages_ws, 6);
  assert.equal(stats.protocols.tcp_apps.ws, 1);
  assert.equal(stats.protocols.websocket.established, 1);
  assert.equal(stats.protocols.websocket.fragmentedMessages, 1);
  assert.equal(stats.protocols.websocket.pings, 1);
  assert.equal(stats.protocols.websocket.closes, 2);
  assert.deepEqual(stats.parserInvalid.websocket, {});
});

Deno.test("TcpApps binds the RTP of a WebSocket call from its SDP", () => {
  const { frames } = wsSipCallFrames();
  const rtp = Uint8Array.from([0x80, 8, 0, 1, 0, 0, 0, 160, 0, 0, 0, 5, 0xd5, 0xd5]);
  const records = run(new Pipeline({ protocols: ["rtp_packet"] }), [
    ...frames,
    udpFrame(HOST_A, 4000, HOST_B, 5000, rtp),
  ]);
  assert.equal(records.length, 1);
  const packet = records[0] as RtpPacketRecordOut;
  assert.equal(packet.rtp_packet.call_id, "ws-call-1@a");
  assert.equal(packet.rtp_packet.codec, "PCMA");
});

Deno.test("TcpApps hands a GET that is no SIP upgrade to HTTP with all its bytes, split or not", () => {
  const request = text("GET /index.html HTTP/1.1\r\nHost: example.com\r\n\r\n");
  const response = text("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
  for (const cut of [request.length, 10]) {
    const pipeline = new Pipeline({ protocols: ["sip", "http"] });
    const records = run(pipeline, [
      tcpFrame(HOST_A, 41000, HOST_B, 8080, 10, 2),
      tcpFrame(HOST_B, 8080, HOST_A, 41000, 90, 18),
      tcpFrame(HOST_A, 41000, HOST_B, 8080, 11, 24, request.subarray(0, cut)),
      tcpFrame(HOST_A, 41000, HOST_B, 8080, 11 + cut, 24, request.subarray(cut)),
      tcpFrame(HOST_B, 8080, HOST_A, 41000, 91, 24, response),
    ]);
    const http = records.filter((r): r is HttpRecordOut => r.type === "http");
    assert.equal(http.length, 1, `cut ${cut}`);
    assert.equal((http[0].http.request as { path: string }).path, "/index.html");
    assert.equal((http[0].http.response as { status_code: number }).status_code, 200);
    assert.equal(pipeline.stats().protocols.tcp_apps.http, 1);
  }
});

Deno.test("TcpApps reads no SIP from a WebSocket whose upgrade the server refused", () => {
  const request = text(upgradeRequest());
  const refusal = text(upgradeResponse(403));
  const invite = wsFrame("OPTIONS sip:a SIP/2.0\r\nCall-ID: x\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n");
  const pipeline = new Pipeline({ protocols: ["sip"] });
  const records = run(pipeline, [
    tcpFrame(HOST_A, 41000, HOST_B, 8080, 10, 2),
    tcpFrame(HOST_B, 8080, HOST_A, 41000, 90, 18),
    tcpFrame(HOST_A, 41000, HOST_B, 8080, 11, 24, request),
    tcpFrame(HOST_B, 8080, HOST_A, 41000, 91, 24, refusal),
    tcpFrame(HOST_B, 8080, HOST_A, 41000, 91 + refusal.length, 24, invite),
  ]);
  assert.deepEqual(records, []);
  assert.equal(pipeline.stats().protocols.websocket.rejected, 1);
});

Deno.test("TcpApps picks up SIP over WebSocket when the capture starts after the handshake", () => {
  const { frames } = wsSipCallFrames({ callId: "late-pickup@a" });
  // SYN, SYN-ACK, ACK, the upgrade request and its 101 answer came before the capture.
  const pipeline = new Pipeline({ protocols: ["sip"] });
  const records = run(pipeline, frames.slice(5));
  const sip = records.filter((r): r is SipRecord => r.type === "sip");
  // The INVITE comes in two fragments: its first frame is a boundary too.
  assert.deepEqual(sip.map((r) => r.sip.method ?? r.sip.status_code), ["INVITE", 180, 200, "ACK", "BYE", 200]);
  assert.ok(sip.every((r) => r.sip.call_id === "late-pickup@a" && r.transport === "ws"));
  assert.deepEqual(
    sip.map((r) => `${r.src_port}>${r.dst_port}`),
    ["40000>8080", "8080>40000", "8080>40000", "40000>8080", "40000>8080", "8080>40000"],
  );
  const stats = pipeline.stats();
  assert.equal(stats.protocols.tcp_apps.ws, 1);
  assert.equal(stats.protocols.websocket.midstreamAdopted, 1);
  assert.equal(stats.protocols.websocket.resyncs, 2);
  assert.equal(stats.protocols.websocket.established, undefined, "zero counters are left out");
});

Deno.test("TcpApps inflates permessage-deflate SIP over WebSocket", async () => {
  const invite = sipText("INVITE sip:bob@b SIP/2.0", "1 INVITE", "deflated@a");
  const ok = sipText("SIP/2.0 200 OK", "1 INVITE", "deflated@a", "", "t2");
  const bye = sipText("BYE sip:bob@b SIP/2.0", "2 BYE", "deflated@a", "", "t2");
  const client = await deflateStream([invite, bye]);
  const [server] = deflateEach([ok]);
  const extension = "Sec-WebSocket-Extensions: permessage-deflate; server_no_context_takeover\r\n";
  const request = text(upgradeRequest("sip", "Sec-WebSocket-Extensions: permessage-deflate\r\n"));
  const response = text(upgradeResponse(101, "sip", extension));
  const mask = [9, 8, 7, 6];
  const inviteFrame = wsFrame(client[0], { reserved: 0x40, mask });
  const pipeline = new Pipeline({ protocols: ["sip"] });
  const records = run(pipeline, [
    tcpFrame(HOST_A, 41000, HOST_B, 443, 10, 2),
    tcpFrame(HOST_B, 443, HOST_A, 41000, 90, 18),
    tcpFrame(HOST_A, 41000, HOST_B, 443, 11, 24, request),
    tcpFrame(HOST_B, 443, HOST_A, 41000, 91, 24, response),
    tcpFrame(HOST_A, 41000, HOST_B, 443, 11 + request.length, 24, inviteFrame),
    tcpFrame(HOST_B, 443, HOST_A, 41000, 91 + response.length, 24, wsFrame(server, { reserved: 0x40 })),
    tcpFrame(
      HOST_A,
      41000,
      HOST_B,
      443,
      11 + request.length + inviteFrame.length,
      24,
      wsFrame(client[1], {
        reserved: 0x40,
        mask,
      }),
    ),
  ]);
  const sip = records.filter((r): r is SipRecord => r.type === "sip");
  assert.deepEqual(sip.map((r) => r.sip.method ?? r.sip.status_code), ["INVITE", 200, "BYE"]);
  assert.ok(sip.every((r) => r.sip.call_id === "deflated@a" && r.transport === "ws"));
  assert.ok(client[1].length < bye.length / 2, "the BYE was compressed against the INVITE");
  assert.equal(pipeline.stats().protocols.websocket.inflatedMessages, 3);
  assert.deepEqual(pipeline.stats().parserInvalid.websocket, {});
});

Deno.test("TcpApps adopts no random binary TCP traffic or mid-stream HTTP as WebSocket", () => {
  let seed = 5;
  const random = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x80000000;
  const frames: Uint8Array[] = [];
  for (let connection = 0; connection < 40; connection++) {
    const port = 30000 + connection;
    for (let k = 0; k < 10; k++) {
      const payload = Uint8Array.from({ length: 20 + Math.floor(random() * 400) }, () => Math.floor(random() * 256));
      // Every other segment starts like a WebSocket text frame: header plausible, payload not SIP.
      if (k % 2 === 1) payload.set(wsFrame(payload.subarray(2, 2 + Math.min(125, payload.length - 2))).subarray(0, 2));
      frames.push(tcpFrame(HOST_A, port, HOST_B, 9000, 1000 + k * 1000, 24, payload));
    }
  }
  const body = text("x".repeat(300));
  frames.push(tcpFrame(HOST_B, 80, HOST_A, 50000, 7, 24, text("HTTP/1.1 200 OK\r\nContent-Length: 300\r\n\r\n")));
  frames.push(tcpFrame(HOST_B, 80, HOST_A, 50000, 45, 24, body));
  frames.push(tcpFrame(HOST_A, 50000, HOST_B, 80, 3, 24, text("GET /next HTTP/1.1\r\nHost: h\r\n\r\n")));
  const pipeline = new Pipeline({ protocols: ["sip"] });
  const records = run(pipeline, frames);
  assert.deepEqual(records, []);
  const stats = pipeline.stats();
  assert.equal(stats.protocols.tcp_apps.ws, undefined, "zero counters are left out");
  assert.equal(stats.protocols.websocket.midstreamAdopted, undefined);
  assert.ok(stats.protocols.websocket.midstreamMisses > 0, "frame-like segments were looked at and refused");
});
