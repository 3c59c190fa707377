import assert from "node:assert/strict";
import { concat } from "../../capture/_test_batch.ts";
import {
  detectWebSocketSip,
  SNIFF_COMPRESSED,
  SNIFF_MASKED,
  SNIFF_NONE,
  SNIFF_NOT_SIP,
  SNIFF_SIP,
  sniffWsSip,
} from "./sniff.ts";
import { createWebSocketStats, WsOpcode } from "./types.ts";
import { wsFrame } from "./_test_frames.ts";
import { deflateEach, sipRequest } from "./_test_deflate.ts";

const MASK = [0xa1, 0xb2, 0xc3, 0xd4];
const REQUEST = sipRequest("sniff@x", "REGISTER");
const RESPONSE = "SIP/2.0 200 OK\r\nCall-ID: sniff@x\r\nContent-Length: 0\r\n\r\n";

function sniff(frame: Uint8Array, options = {}): number {
  return sniffWsSip(frame, 0, frame.length, options);
}

Deno.test("sniffWsSip() finds SIP in masked and unmasked, text and binary frames, and says which", () => {
  assert.equal(sniff(wsFrame(REQUEST, { mask: MASK })), SNIFF_SIP | SNIFF_MASKED);
  assert.equal(sniff(wsFrame(RESPONSE)), SNIFF_SIP);
  assert.equal(sniff(wsFrame(RESPONSE, { opcode: WsOpcode.BINARY })), SNIFF_SIP);
  const long = REQUEST.replace("Content-Length: 0", "X: " + "y".repeat(300) + "\r\nContent-Length: 0");
  assert.equal(sniff(wsFrame(long, { mask: MASK })), SNIFF_SIP | SNIFF_MASKED, "16-bit length");
  const [compressed] = deflateEach([REQUEST]);
  assert.equal(sniff(wsFrame(compressed, { reserved: 0x40, mask: MASK })), SNIFF_SIP | SNIFF_MASKED | SNIFF_COMPRESSED);
  assert.equal(sniff(wsFrame(compressed, { reserved: 0x40 }), { compressed: false }), SNIFF_NONE);
});

Deno.test("sniffWsSip() accepts a frame cut by the segment end or followed by another frame", () => {
  const frame = wsFrame(REQUEST, { mask: MASK });
  assert.equal(sniffWsSip(frame, 0, 90), SNIFF_SIP | SNIFF_MASKED);
  assert.equal(sniff(concat(wsFrame(RESPONSE), wsFrame("", { opcode: WsOpcode.PING }))), SNIFF_SIP);
  assert.equal(sniff(concat(wsFrame(RESPONSE), wsFrame(RESPONSE))), SNIFF_SIP);
  assert.equal(sniff(concat(wsFrame(RESPONSE), Uint8Array.from([0x83, 0]))), SNIFF_NONE, "reserved opcode after");
});

Deno.test("sniffWsSip() finds SIP in the first fragment of a message when a continuation follows", () => {
  const [head, tail] = [RESPONSE.slice(0, 20), RESPONSE.slice(20)];
  const first = wsFrame(head, { fin: false, mask: MASK });
  assert.equal(sniff(first), SNIFF_SIP | SNIFF_MASKED, "cut by the segment end");
  const continued = concat(first, wsFrame(tail, { opcode: WsOpcode.CONTINUATION, mask: MASK }));
  assert.equal(sniff(continued), SNIFF_SIP | SNIFF_MASKED);
  const pinged = concat(wsFrame(head, { fin: false }), wsFrame("", { opcode: WsOpcode.PING }));
  assert.equal(sniff(pinged), SNIFF_SIP, "a control frame may come between fragments");
  assert.equal(sniff(concat(wsFrame(head, { fin: false }), wsFrame(tail))), SNIFF_NONE, "a new message must not");
});

Deno.test("sniffWsSip() refuses headers a message cannot start with", () => {
  const cases: [string, Uint8Array][] = [
    ["compressed first fragment", wsFrame(RESPONSE, { fin: false, reserved: 0x40 })],
    ["continuation", wsFrame(RESPONSE, { opcode: WsOpcode.CONTINUATION })],
    ["ping", wsFrame(RESPONSE, { opcode: WsOpcode.PING })],
    ["RSV2", wsFrame(RESPONSE, { reserved: 0x20 })],
    ["16-bit length under 126", wsFrame(RESPONSE, { lengthBits: 16 })],
    ["64-bit length under 65536", wsFrame(RESPONSE, { lengthBits: 64 })],
    ["empty", wsFrame("")],
    ["header only", wsFrame(RESPONSE).subarray(0, 2)],
    ["RSV1 payload that does not inflate", wsFrame(RESPONSE, { reserved: 0x40 })],
  ];
  for (const [name, frame] of cases) assert.ok(sniff(frame) <= SNIFF_NOT_SIP, name);
  assert.equal(sniff(wsFrame(RESPONSE), { messageBytesMax: 10 }), SNIFF_NONE, "over the bound");
});

Deno.test("sniffWsSip() tells a frame without SIP from no frame, and detectWebSocketSip() counts it", () => {
  const stats = createWebSocketStats();
  const chat = wsFrame('{"type":"hello"}', { mask: MASK });
  assert.equal(sniff(chat), SNIFF_NOT_SIP);
  assert.equal(detectWebSocketSip(chat, 0, chat.length, stats), false);
  const sip = wsFrame(RESPONSE);
  assert.equal(detectWebSocketSip(sip, 0, sip.length, stats), true);
  assert.equal(stats.midstreamMisses, 1);
});

Deno.test("sniffWsSip() finds no SIP in random bytes, HTTP or plain SIP", () => {
  let seed = 11;
  const random = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x80000000;
  for (let run = 0; run < 20000; run++) {
    const bytes = Uint8Array.from({ length: 2 + Math.floor(random() * 200) }, () => Math.floor(random() * 256));
    assert.ok(sniff(bytes) <= SNIFF_NOT_SIP);
  }
  for (const text of ["GET / HTTP/1.1\r\nHost: a\r\n\r\n", "HTTP/1.1 200 OK\r\n\r\n", REQUEST, RESPONSE]) {
    assert.equal(sniff(new TextEncoder().encode(text)), SNIFF_NONE, text);
  }
});
