import assert from "node:assert/strict";
import { sipFrameLength } from "./framing.ts";

const encode = (text: string) => new TextEncoder().encode(text);

const FIRST = "INVITE sip:b@h SIP/2.0\r\nCall-ID: 1\r\nCSeq: 1 INVITE\r\nContent-Length: 3\r\n\r\nabc";
const SECOND = "SIP/2.0 200 OK\nCall-ID: 1\nCSeq: 1 INVITE\nl: 0\n\n";

Deno.test("sipFrameLength() finds consecutive messages by Content-Length, long or compact", () => {
  const stream = encode(FIRST + SECOND + "\r\n\r\n" + FIRST);
  assert.deepEqual(sipFrameLength(stream), { kind: "message", length: FIRST.length });
  assert.deepEqual(sipFrameLength(stream.subarray(FIRST.length)), { kind: "message", length: SECOND.length });
  assert.deepEqual(sipFrameLength(stream.subarray(FIRST.length + SECOND.length)), { kind: "keepalive", length: 4 });
});

Deno.test("sipFrameLength() says incomplete for every strict prefix of a message", () => {
  const bytes = encode(FIRST);
  for (let length = 1; length < bytes.length; length++) {
    assert.deepEqual(sipFrameLength(bytes.subarray(0, length)), { kind: "incomplete" }, `length ${length}`);
  }
  assert.deepEqual(sipFrameLength(new Uint8Array(0)), { kind: "incomplete" });
});

Deno.test("sipFrameLength() rejects streams that are not SIP or lack a usable Content-Length", () => {
  const invalid = (reason: string) => ({ kind: "invalid", reason });
  assert.deepEqual(sipFrameLength(encode("GET / HTTP/1.1\r\n\r\n")), invalid("not_sip"));
  assert.deepEqual(
    sipFrameLength(encode("BYE sip:h SIP/2.0\r\nCall-ID: 1\r\n\r\n")),
    invalid("missing_content_length"),
  );
  assert.deepEqual(sipFrameLength(encode("BYE sip:h SIP/2.0\r\nl: -1\r\n\r\n")), invalid("bad_content_length"));
  assert.deepEqual(sipFrameLength(encode("BYE sip:h SIP/2.0\r\nl: 1\r\nl: 2\r\n\r\n")), invalid("bad_content_length"));
  assert.deepEqual(sipFrameLength(encode("BYE sip:h SIP/2.0\r\nl: 99999999\r\n\r\n")), invalid("bad_content_length"));
  const endless = encode("BYE sip:h SIP/2.0\r\n" + "X-Pad: 0123456789\r\n".repeat(4000));
  assert.deepEqual(sipFrameLength(endless), invalid("too_many_headers"));
});
