import assert from "node:assert/strict";
import { dnsFrameLength, parseDnsTcp } from "./framing.ts";
import { query, response } from "./_test_messages.ts";

function framed(...messages: Uint8Array[]): Uint8Array {
  const parts = messages.flatMap((m) => [m.length >> 8, m.length & 0xff, ...m]);
  return new Uint8Array(parts);
}

Deno.test("parseDnsTcp() cuts length-prefixed messages from a stream", () => {
  const stream = framed(query(1), response(1));
  const first = parseDnsTcp(stream);
  assert.equal(first.kind, "message");
  if (first.kind !== "message") return;
  assert.equal(first.consumedBytes, query(1).length + 2);
  const second = parseDnsTcp(stream.subarray(first.consumedBytes));
  assert.equal(second.kind === "message" && second.message.answers.length, 3);
});

Deno.test("parseDnsTcp() waits for a whole frame at every cut point", () => {
  const stream = framed(response(2));
  for (let length = 0; length < stream.length; length++) {
    assert.deepEqual(parseDnsTcp(stream.subarray(0, length)), { kind: "incomplete" }, `length ${length}`);
  }
});

Deno.test("dnsFrameLength() rejects prefixes too short for a header", () => {
  assert.equal(dnsFrameLength(new Uint8Array([0, 5, 1, 2, 3, 4, 5])), -1);
  assert.deepEqual(parseDnsTcp(new Uint8Array([0, 0])), { kind: "invalid", reason: "bad_length_prefix" });
  assert.equal(dnsFrameLength(new Uint8Array([0])), 0);
});
