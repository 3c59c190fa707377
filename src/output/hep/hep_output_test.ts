import assert from "node:assert/strict";
import dgram from "node:dgram";
import net from "node:net";
import type { OutputRecord } from "../output.ts";
import { attachRawPayload } from "../raw_payload.ts";
import { decodeHep, HepChunk } from "./encoder.ts";
import { HepOutput } from "./hep_output.ts";

const text = new TextEncoder();
const decoder = new TextDecoder();

function sipRecord(callId: string, forward: boolean, seq: number): OutputRecord {
  const [a, b] = forward ? ["10.0.0.1", "10.0.0.2"] : ["10.0.0.2", "10.0.0.1"];
  const value = attachRawPayload({
    type: "sip",
    timestamp_ms: 1700000000000 + seq,
    transport: "udp",
    src_ip: a,
    src_port: forward ? 5060 : 5070,
    dst_ip: b,
    dst_port: forward ? 5070 : 5060,
    sip: { call_id: callId },
  }, text.encode(`MESSAGE sip:x SIP/2.0\r\nCall-ID: ${callId}\r\nX-Seq: ${seq}\r\n\r\n`));
  return { type: "sip", timestampMs: 1700000000000 + seq, value };
}

function correlationOf(frame: Uint8Array): string {
  const chunk = decodeHep(frame)?.find((c) => c.type === HepChunk.CORRELATION_ID);
  return decoder.decode(chunk?.value);
}

async function udpServer(): Promise<{ socket: dgram.Socket; port: number; frames: Uint8Array[] }> {
  const socket = dgram.createSocket("udp4");
  const frames: Uint8Array[] = [];
  socket.on("message", (message) => frames.push(new Uint8Array(message)));
  await new Promise<void>((resolve) => socket.bind(0, "127.0.0.1", resolve));
  return { socket, port: socket.address().port, frames };
}

async function waitFor(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("Timed out waiting for a condition");
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

Deno.test("HepOutput sends both directions of each call to one UDP collector", async () => {
  const servers = [await udpServer(), await udpServer(), await udpServer()];
  const output = new HepOutput({ collectors: servers.map((s) => `127.0.0.1:${s.port}`), captureId: 7 });
  try {
    const records: OutputRecord[] = [];
    for (let call = 0; call < 30; call++) {
      for (let k = 0; k < 4; k++) records.push(sipRecord(`call-${call}@test`, k % 2 === 0, call * 10 + k));
    }
    assert.deepEqual(output.write(records), { queued: 120, spooled: 0, dropped: 0 });
    await waitFor(() => servers.reduce((sum, s) => sum + s.frames.length, 0) === 120);
    const home = new Map<string, number>();
    servers.forEach((server, index) => {
      for (const frame of server.frames) {
        const callId = correlationOf(frame);
        assert.equal(home.get(callId) ?? index, index, `${callId} reached two collectors`);
        home.set(callId, index);
      }
    });
    assert.equal(home.size, 30);
    assert.ok(servers.every((s) => s.frames.length > 0), "30 calls should use all 3 collectors");
    await output.flush();
    const stats = output.stats();
    assert.equal(stats.sentRecords, 120);
    assert.equal(stats.droppedRecords, 0);
  } finally {
    await output.close();
    for (const server of servers) server.socket.close();
  }
});

Deno.test("HepOutput fails over from a refused TCP collector without losing frames", async () => {
  const received: Uint8Array[] = [];
  const server = net.createServer((socket) => socket.on("data", (data) => received.push(new Uint8Array(data))));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const closed = net.createServer();
  await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
  const closedPort = (closed.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => closed.close(() => resolve()));
  const livePort = (server.address() as net.AddressInfo).port;
  const output = new HepOutput({
    collectors: [`127.0.0.1:${closedPort}`, `127.0.0.1:${livePort}`],
    transport: "tcp",
    retryMs: 60_000,
  });
  try {
    const records = Array.from({ length: 50 }, (_, i) => sipRecord(`call-${i}@tcp`, i % 2 === 0, i));
    output.write(records.slice(0, 25)); // Some go to the refused collector while it is still connecting.
    await waitFor(() => output.collectorStates()[0] === "down");
    output.write(records.slice(25));
    await output.flush();
    const stats = output.stats();
    assert.equal(stats.sentRecords, 50);
    assert.ok(stats.failoverRecords > 0);
    assert.equal(stats.droppedRecords, 0);
    await waitFor(() => received.reduce((sum, chunk) => sum + chunk.length, 0) === stats.sentBytes);
    const stream = new Uint8Array(stats.sentBytes);
    let at = 0;
    for (const chunk of received) stream.set(chunk, (at += chunk.length) - chunk.length);
    const callIds = new Set<string>();
    for (let offset = 0; offset < stream.length;) {
      const length = (stream[offset + 4] << 8) | stream[offset + 5];
      callIds.add(correlationOf(stream.subarray(offset, offset + length)));
      offset += length;
    }
    assert.equal(callIds.size, 50);
  } finally {
    await output.close();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});

Deno.test("HepOutput refuses bad options with a clear error", () => {
  assert.throws(() => new HepOutput({ collectors: [] }), /without collectors/);
  assert.throws(() => new HepOutput({ collectors: ["nohost"] }), /HOST:PORT/);
  assert.throws(() => new HepOutput({ collectors: ["h:70000"] }), /port must be/);
  assert.throws(() => new HepOutput({ collectors: ["h:9060"], captureId: -2 }), /captureId/);
  assert.throws(() => new HepOutput({ collectors: ["h:9060"], transport: "sctp" as "udp" }), /transport/);
});
