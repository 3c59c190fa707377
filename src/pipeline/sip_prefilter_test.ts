import assert from "node:assert/strict";
import { detectSip } from "../protocols/sip/mod.ts";
import { mayStartSip } from "./sip_prefilter.ts";

const text = (s: string) => new TextEncoder().encode(s);

function check(payload: Uint8Array, at = 0): boolean {
  return mayStartSip(payload, at, payload.length - at);
}

Deno.test("mayStartSip() passes request and status lines, with CRLF or a bare LF", () => {
  assert.equal(check(text("INVITE sip:bob@example.com SIP/2.0\r\nVia: x\r\n")), true);
  assert.equal(check(text("SIP/2.0 200 OK\r\n")), true);
  assert.equal(check(text("OPTIONS sip:a sip/2.0\n")), true);
});

Deno.test("mayStartSip() reads at an offset inside a larger buffer", () => {
  const frame = new Uint8Array(64);
  frame.set(text("BYE sip:a@b SIP/2.0\r\n"), 20);
  assert.equal(mayStartSip(frame, 20, 44), true);
  assert.equal(mayStartSip(frame, 0, 64), false);
});

Deno.test("mayStartSip() rejects RTP, DNS, HTTP and lines without an end", () => {
  assert.equal(check(Uint8Array.from([0x80, 0x08, 0, 1, 0, 0, 0, 160, 1, 2, 3, 4, 0xd5, 0xd5])), false);
  assert.equal(check(Uint8Array.from([0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0])), false);
  assert.equal(check(text("GET / HTTP/1.1\r\n")), false);
  assert.equal(check(text("INVITE sip:bob@example.com SIP/2.0")), false);
});

Deno.test("mayStartSip() never rejects what detectSip() accepts", () => {
  const samples = [
    "MESSAGE sip:x SIP/2.0\r\n",
    "SIP/2.0 486 Busy Here\r\n",
    "FOO-BAR sip:y SIP/2.0\n",
    "SIP/2.0 100\r\n",
  ];
  for (const sample of samples) {
    const payload = text(sample);
    assert.equal(detectSip(payload) !== undefined, true, sample);
    assert.equal(check(payload), true, sample);
  }
});
