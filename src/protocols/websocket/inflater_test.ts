import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import zlib from "node:zlib";
import { WsInflater, type WsInflaterOptions } from "./inflater.ts";
import { deflateEach, deflateStream, sipRequest } from "./_test_deflate.ts";

const decoder = new TextDecoder();

function inflater(options: Partial<WsInflaterOptions> = {}): WsInflater {
  return new WsInflater({ windowBits: 15, noContextTakeover: false, inflatedBytesMax: 65536, ...options });
}

Deno.test("WsInflater inflates messages compressed with context takeover, each against the earlier ones", async () => {
  const messages = ["a", "b", "c", "b"].map((id) => sipRequest(`call-${id}@x`));
  const compressed = await deflateStream(messages);
  assert.ok(compressed[3].length < compressed[0].length / 4, "later messages refer to earlier ones");
  const stream = inflater();
  for (const [k, message] of messages.entries()) {
    assert.equal(stream.inflate(compressed[k]), "ok", `message ${k}`);
    assert.equal(decoder.decode(stream.output), message);
  }
});

Deno.test("WsInflater inflates messages compressed on their own, resetting its window each time", () => {
  const messages = ["INVITE", "BYE", "OPTIONS"].map((method) => sipRequest("one@x", method));
  const stream = inflater({ noContextTakeover: true, windowBits: 10 });
  for (const [k, payload] of deflateEach(messages).entries()) {
    assert.equal(stream.inflate(payload), "ok");
    assert.equal(decoder.decode(stream.output), messages[k]);
  }
});

Deno.test("WsInflater reads a message that ends its DEFLATE stream with a final block", () => {
  const whole = zlib.deflateRawSync(Buffer.from("SIP/2.0 200 OK\r\n\r\n"));
  const stream = inflater();
  assert.equal(stream.inflate(new Uint8Array(whole)), "ok");
  assert.equal(decoder.decode(stream.output), "SIP/2.0 200 OK\r\n\r\n");
  const [next] = deflateEach(["SIP/2.0 180 Ringing\r\n\r\n"]);
  assert.equal(stream.inflate(next), "ok");
  assert.equal(decoder.decode(stream.output), "SIP/2.0 180 Ringing\r\n\r\n");
});

Deno.test("WsInflater refuses corrupt input, output past its bound, and references to a window it lost", async () => {
  const stream = inflater({ inflatedBytesMax: 100 });
  assert.equal(stream.inflate(Uint8Array.from([0xff, 0xff, 0xff, 0xff])), "error");
  assert.equal(stream.output.length, 0);
  const [big] = deflateEach(["x".repeat(5000)]);
  assert.equal(stream.inflate(big), "too_large");
  const compressed = await deflateStream([sipRequest("a@x"), sipRequest("b@x")]);
  const fresh = inflater();
  assert.equal(fresh.contextKnown, true);
  fresh.loseContext();
  assert.equal(fresh.contextKnown, false);
  assert.equal(fresh.inflate(compressed[1]), "error", "the second message needs the first as its dictionary");
  const [bounded] = deflateEach(["y".repeat(4096)]);
  const exact = inflater({ inflatedBytesMax: 4096 });
  assert.equal(exact.inflate(bounded), "ok");
  assert.equal(exact.output.length, 4096);
});
