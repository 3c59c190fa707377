/**
 * HEPv3 end to end: SIP records of corpus captures (IPv4 and IPv6) go through HepOutput to a UDP collector socket on
 * 127.0.0.1; the datagrams it receives are written as UDP/9060 frames into a pcap with our writer, and tshark decodes
 * them. tshark 4.0 ships no HEP dissector, so tests/helpers/hep.lua splits the chunks and hands the payload to
 * tshark's SIP dissector; the Call-ID, method and addresses are checked against tshark on the original capture.
 */
import assert from "node:assert/strict";
import dgram from "node:dgram";
import tls from "node:tls";
import { createPcapWriter } from "../src/capture/pcap_writer.ts";
import { decodeHep } from "../src/output/hep/encoder.ts";
import { HepOutput } from "../src/output/hep/hep_output.ts";
import { sipRecordsOfPcap } from "../src/output/_test_corpus_records.ts";
import { batchAt } from "../src/pipeline/_test_frames.ts";
import { buildUdpFrame } from "./helpers/frames.ts";
import { makeTestPki } from "./helpers/test_certs.ts";

const CORPUS = "/work/shared/corpus/sip";
const LUA = new URL("./helpers/hep.lua", import.meta.url).pathname;

async function tshark(args: string[]): Promise<string[][]> {
  const command = new Deno.Command("tshark", {
    args: [...args, "-E", "separator=/t"],
    stdout: "piped",
    stderr: "null",
  });
  const { code, stdout } = await command.output();
  assert.equal(code, 0, `tshark ${args.join(" ")} failed`);
  return new TextDecoder().decode(stdout).split("\n").filter((line) => line !== "").map((line) => line.split("\t"));
}

async function receiveHep(path: string): Promise<{ datagrams: Uint8Array[]; expected: number }> {
  const records = await sipRecordsOfPcap(path);
  const socket = dgram.createSocket("udp4");
  const datagrams: Uint8Array[] = [];
  socket.on("message", (message) => datagrams.push(new Uint8Array(message)));
  await new Promise<void>((resolve) => socket.bind(0, "127.0.0.1", resolve));
  const output = new HepOutput({ collectors: [`127.0.0.1:${socket.address().port}`], captureId: 2001, nodeName: "n1" });
  try {
    assert.equal(output.write(records).queued, records.length);
    await output.flush();
    const deadline = Date.now() + 5000;
    while (datagrams.length < records.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  } finally {
    await output.close();
    socket.close();
  }
  return { datagrams, expected: records.length };
}

function writeHepPcap(datagrams: Uint8Array[], path: string): void {
  const frames = datagrams.map((payload) =>
    buildUdpFrame({
      srcMac: "02:00:00:00:00:01",
      dstMac: "02:00:00:00:00:02",
      srcIp: "127.0.0.1",
      dstIp: "127.0.0.1",
      srcPort: 40000,
      dstPort: 9060,
      payload,
    })
  );
  const writer = createPcapWriter(path);
  writer.write(batchAt(frames));
  writer.close();
}

async function checkCapture(name: string, ipFields: [string, string], hepIpFields: [string, string]): Promise<void> {
  const original = `${CORPUS}/${name}`;
  const { datagrams, expected } = await receiveHep(original);
  assert.ok(expected > 0, `${name} should have SIP messages`);
  assert.equal(datagrams.length, expected, "every record should reach the collector");
  const dir = await Deno.makeTempDir({ prefix: "hep-test-" });
  try {
    const pcap = `${dir}/hep.pcap`;
    writeHepPcap(datagrams, pcap);
    const want = await tshark([
      "-r",
      original,
      "-Y",
      "sip && udp",
      "-T",
      "fields",
      "-e",
      ipFields[0],
      "-e",
      "udp.srcport",
      "-e",
      ipFields[1],
      "-e",
      "udp.dstport",
      "-e",
      "sip.Call-ID",
      "-e",
      "sip.Method",
      "-e",
      "sip.Status-Code",
      "-e",
      "frame.time_epoch",
    ]); // deno-fmt-ignore
    const got = await tshark([
      "-X", `lua_script:${LUA}`, "-d", "udp.port==9060,hep", "-r", pcap, "-T", "fields",
      "-e", hepIpFields[0], "-e", "hep.src_port", "-e", hepIpFields[1], "-e", "hep.dst_port", "-e", "sip.Call-ID",
      "-e", "sip.Method", "-e", "sip.Status-Code", "-e", "hep.correlation_id", "-e", "hep.proto_type",
      "-e", "hep.capture_id", "-e", "hep.node_name", "-e", "hep.ip_proto", "-e", "hep.time_sec", "-e", "hep.time_usec",
    ]); // deno-fmt-ignore
    // UDP datagrams may arrive in another order: compare sorted rows, each keyed by its capture time.
    const wantRows = want.map((row) => [...row.slice(0, 7), row[7].slice(0, row[7].indexOf(".") + 7)].join("|")).sort();
    const gotRows = got.map((row) => [...row.slice(0, 7), `${row[12]}.${row[13].padStart(6, "0")}`].join("|")).sort();
    assert.equal(got.length, want.length);
    assert.deepEqual(gotRows, wantRows);
    for (const row of got) {
      assert.equal(row[7], row[4], "correlation id is the Call-ID");
      assert.deepEqual(row.slice(8, 12), ["1", "2001", "n1", "17"]);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("tshark decodes our HEP datagrams and the SIP inside them (IPv4)", () =>
  checkCapture("rtp_rtcp_sip_ipv4_udp.pcap", ["ip.src", "ip.dst"], ["hep.src_ip", "hep.dst_ip"]));

Deno.test("tshark decodes our HEP datagrams and the SIP inside them (IPv6)", () =>
  checkCapture("sip_ipv6_udp.pcap", ["ipv6.src", "ipv6.dst"], ["hep.src_ip6", "hep.dst_ip6"]));

Deno.test("HepOutput delivers frames over TLS to a collector whose certificate it verifies", async () => {
  const pki = await makeTestPki();
  const chunks: Uint8Array[] = [];
  const server = tls.createServer({ cert: pki.serverCert, key: pki.serverKey }, (socket) => {
    socket.on("data", (data: Uint8Array) => chunks.push(new Uint8Array(data)));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;
  const records = await sipRecordsOfPcap(`${CORPUS}/sip_ipv6_udp.pcap`);
  const output = new HepOutput({ collectors: [`127.0.0.1:${port}`], transport: "tls", tlsCa: pki.caCert });
  try {
    output.write(records);
    await output.flush();
    const stats = output.stats();
    assert.equal(stats.sentRecords, records.length);
    const deadline = Date.now() + 5000;
    const received = () => chunks.reduce((sum, chunk) => sum + chunk.length, 0);
    while (received() < stats.sentBytes && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    assert.equal(received(), stats.sentBytes);
    const stream = new Uint8Array(received());
    let at = 0;
    for (const chunk of chunks) stream.set(chunk, (at += chunk.length) - chunk.length);
    let frames = 0;
    for (let offset = 0; offset < stream.length; frames++) {
      const frame = decodeHep(stream.subarray(offset, offset + ((stream[offset + 4] << 8) | stream[offset + 5])));
      assert.ok(frame !== null, `frame ${frames} should decode`);
      offset += (stream[offset + 4] << 8) | stream[offset + 5];
    }
    assert.equal(frames, records.length);
  } finally {
    await output.close();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});

Deno.test("HepOutput refuses a TLS collector with an untrusted certificate and counts the frames failed", async () => {
  const pki = await makeTestPki();
  const server = tls.createServer({ cert: pki.serverCert, key: pki.serverKey }, () => {});
  server.on("tlsClientError", () => {});
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;
  const records = await sipRecordsOfPcap(`${CORPUS}/sip_ipv6_udp.pcap`);
  const output = new HepOutput({ collectors: [`127.0.0.1:${port}`], transport: "tls", retryMs: 60_000 });
  try {
    // Written before the handshake fails: accepted, then failed when the connection is refused.
    assert.equal(output.write(records).queued, records.length);
    const deadline = Date.now() + 5000;
    while (output.collectorStates()[0] !== "down" && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    assert.deepEqual(output.collectorStates(), ["down"]);
    const stats = output.stats();
    assert.equal(stats.sentRecords, 0);
    assert.equal(stats.failedRecords, records.length);
    assert.equal(stats.droppedRecords, 0, "accepted frames count as failed, not also as dropped");
  } finally {
    await output.close();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});
