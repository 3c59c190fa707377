import assert from "node:assert/strict";
import { decodeHep, HEP_FRAME_BYTES_MAX, HepChunk, HepEncoder, type HepMessage } from "./encoder.ts";

const text = new TextEncoder();

function message(overrides: Partial<HepMessage> = {}): HepMessage {
  return {
    ipVersion: 4,
    ipProtocol: 17,
    srcIp: "10.1.2.3",
    dstIp: "10.9.8.7",
    srcPort: 5060,
    dstPort: 5080,
    timeSec: 1700000000,
    timeUsec: 123456,
    protocolType: 1,
    payload: text.encode("OPTIONS sip:x SIP/2.0\r\n\r\n"),
    correlationId: text.encode("call-1@host"),
    ...overrides,
  };
}

function chunkMap(frame: Uint8Array): Map<number, Uint8Array> {
  const chunks = decodeHep(frame);
  assert.ok(chunks !== null);
  for (const chunk of chunks) assert.equal(chunk.vendor, 0);
  return new Map(chunks.map((chunk) => [chunk.type, chunk.value]));
}

Deno.test("HepEncoder.encode() writes every chunk of an IPv4 message", () => {
  const encoder = new HepEncoder({ captureId: 2001, authKey: text.encode("secret"), nodeName: text.encode("node-a") });
  const frame = encoder.encode(message());
  assert.ok(frame instanceof Uint8Array);
  assert.equal(new TextDecoder().decode(frame.subarray(0, 4)), "HEP3");
  const chunks = chunkMap(frame);
  const u = (type: number) => chunks.get(type)!.reduce((value, byte) => value * 256 + byte, 0);
  assert.equal(u(HepChunk.IP_FAMILY), 2);
  assert.equal(u(HepChunk.IP_PROTOCOL), 17);
  assert.deepEqual([...chunks.get(HepChunk.IPV4_SRC)!], [10, 1, 2, 3]);
  assert.deepEqual([...chunks.get(HepChunk.IPV4_DST)!], [10, 9, 8, 7]);
  assert.equal(u(HepChunk.SRC_PORT), 5060);
  assert.equal(u(HepChunk.DST_PORT), 5080);
  assert.equal(u(HepChunk.TIME_SEC), 1700000000);
  assert.equal(u(HepChunk.TIME_USEC), 123456);
  assert.equal(u(HepChunk.PROTOCOL_TYPE), 1);
  assert.equal(u(HepChunk.CAPTURE_ID), 2001);
  const string = (type: number) => new TextDecoder().decode(chunks.get(type));
  assert.equal(string(HepChunk.AUTH_KEY), "secret");
  assert.equal(string(HepChunk.PAYLOAD), "OPTIONS sip:x SIP/2.0\r\n\r\n");
  assert.equal(string(HepChunk.CORRELATION_ID), "call-1@host");
  assert.equal(string(HepChunk.NODE_NAME), "node-a");
});

Deno.test("HepEncoder.encode() writes IPv6 chunks and leaves out unset optional ones", () => {
  const encoder = new HepEncoder({ captureId: 0 });
  const frame = encoder.encode(message({ ipVersion: 6, srcIp: "2001:db8::1", dstIp: "::1", correlationId: undefined }));
  assert.ok(frame instanceof Uint8Array);
  const chunks = chunkMap(frame);
  assert.equal(chunks.get(HepChunk.IP_FAMILY)![0], 10);
  assert.equal(chunks.get(HepChunk.IPV6_SRC)!.length, 16);
  assert.equal(chunks.get(HepChunk.IPV6_DST)![15], 1);
  for (const absent of [HepChunk.IPV4_SRC, HepChunk.AUTH_KEY, HepChunk.CORRELATION_ID, HepChunk.NODE_NAME]) {
    assert.equal(chunks.has(absent), false, String(absent));
  }
});

Deno.test("HepEncoder.encode() refuses oversize payloads and bad addresses", () => {
  const encoder = new HepEncoder({ captureId: 1 });
  assert.equal(encoder.encode(message({ payload: new Uint8Array(HEP_FRAME_BYTES_MAX) })), "oversize");
  assert.equal(encoder.encode(message({ srcIp: "not-an-ip" })), "address");
  assert.equal(encoder.encode(message({ ipVersion: 6 })), "address");
  const big = encoder.encode(message({ payload: new Uint8Array(65000) }));
  assert.ok(big instanceof Uint8Array && big.length <= HEP_FRAME_BYTES_MAX);
  assert.throws(() => new HepEncoder({ captureId: -1 }), RangeError);
});

Deno.test("decodeHep() refuses frames with a wrong length or a cut chunk", () => {
  const frame = new HepEncoder({ captureId: 1 }).encode(message()) as Uint8Array;
  assert.equal(decodeHep(frame.subarray(0, frame.length - 1)), null);
  const bad = frame.slice();
  bad[0] = 0x58;
  assert.equal(decodeHep(bad), null);
});
