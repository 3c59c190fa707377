import assert from "node:assert/strict";
import { detectSip } from "./detect.ts";

const encode = (text: string) => new TextEncoder().encode(text);

Deno.test("detectSip() recognises request lines of any method, with CRLF or bare LF", () => {
  for (const method of ["INVITE", "PRACK", "UPDATE", "INFO", "MESSAGE", "REFER", "PUBLISH", "NOTIFY", "X-EXT"]) {
    assert.equal(detectSip(encode(`${method} sip:a@b.example SIP/2.0\r\n`)), "request", method);
  }
  assert.equal(detectSip(encode("SUBSCRIBE sips:a@[2001:db8::1]:5061;transport=tls SIP/2.0\n")), "request");
  assert.equal(detectSip(encode("invite sip:a@b sip/2.0\r\n")), "request");
});

Deno.test("detectSip() recognises status lines, with or without a reason phrase", () => {
  assert.equal(detectSip(encode("SIP/2.0 200 OK\r\n")), "response");
  assert.equal(detectSip(encode("SIP/2.0 100\r\n")), "response");
  assert.equal(detectSip(encode("SIP/2.0 603 Decline")), undefined, "line not ended yet");
});

Deno.test("detectSip() rejects look-alikes", () => {
  const negatives = [
    "",
    "SIP/2.0",
    "GET / HTTP/1.1\r\n",
    "INVITE sip:a@b SIP/2.1\r\n",
    "INVITE  sip:a@b SIP/2.0\r\n",
    "INVITE sip:a@b SIP/2.0 extra\r\n",
    "SIP/2.0 20 OK\r\n",
    "SIP/2.0 099 Low\r\n",
    "SIP/2.0 2000 OK\r\n",
    "HTTP/1.1 200 OK\r\n",
    "\r\n\r\n",
  ];
  for (const text of negatives) assert.equal(detectSip(encode(text)), undefined, JSON.stringify(text));
  assert.equal(detectSip(new Uint8Array(2000).fill(0x41)), undefined);
  assert.equal(detectSip(Uint8Array.from([0x80, 0x08, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3])), undefined);
});
