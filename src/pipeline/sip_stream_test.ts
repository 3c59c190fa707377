import assert from "node:assert/strict";
import type { SipInvalidReason } from "../protocols/sip/mod.ts";
import { SipStream } from "./sip_stream.ts";
import { concat, sipText, text } from "./_test_frames.ts";

function collector() {
  const messages: string[] = [];
  const invalid: SipInvalidReason[] = [];
  const sink = {
    message: (payload: Uint8Array) => messages.push(new TextDecoder().decode(payload).split("\r\n")[0]),
    invalid: (reason: SipInvalidReason) => invalid.push(reason),
  };
  return { messages, invalid, sink };
}

Deno.test("SipStream joins a message delivered byte by byte", () => {
  const stream = new SipStream();
  const { messages, sink } = collector();
  const bytes = text(sipText("OPTIONS sip:b SIP/2.0", "1 OPTIONS", "c", "hello"));
  for (let k = 0; k < bytes.length; k++) stream.push(bytes, k, 1, sink);
  assert.deepEqual(messages, ["OPTIONS sip:b SIP/2.0"]);
  assert.equal(stream.bufferedBytes, 0);
});

Deno.test("SipStream cuts several messages and keep-alives out of one delivery", () => {
  const stream = new SipStream();
  const { messages, sink } = collector();
  const bytes = concat(
    text(sipText("SIP/2.0 100 Trying", "1 INVITE")),
    text("\r\n\r\n"),
    text(sipText("BYE sip:b SIP/2.0", "2 BYE")),
  );
  stream.push(bytes, 0, bytes.length, sink);
  assert.deepEqual(messages, ["SIP/2.0 100 Trying", "BYE sip:b SIP/2.0"]);
});

Deno.test("SipStream resynchronises on the next start line after a gap", () => {
  const stream = new SipStream();
  const { messages, sink } = collector();
  const first = text(sipText("INVITE sip:b SIP/2.0", "1 INVITE", "c", "x".repeat(50)));
  stream.push(first, 0, 40, sink);
  stream.gap();
  // The lost body's tail ends its line, as SDP does; the line after it starts the next message.
  const rest = concat(first.subarray(first.length - 20), text("\r\n"), text(sipText("ACK sip:b SIP/2.0", "1 ACK")));
  stream.push(rest, 0, rest.length, sink);
  assert.deepEqual(messages, ["ACK sip:b SIP/2.0"]);
  assert.equal(stream.skippedBytes, 62);
});

Deno.test("SipStream reports a message without Content-Length and finds the next one", () => {
  const stream = new SipStream();
  const { messages, invalid, sink } = collector();
  const bad = "OPTIONS sip:b SIP/2.0\r\nCall-ID: x\r\nCSeq: 1 OPTIONS\r\n\r\n";
  const bytes = text(bad + sipText("BYE sip:b SIP/2.0", "2 BYE"));
  stream.push(bytes, 0, bytes.length, sink);
  assert.deepEqual(invalid, ["missing_content_length"]);
  assert.deepEqual(messages, ["BYE sip:b SIP/2.0"]);
});
