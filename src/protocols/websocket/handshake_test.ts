import assert from "node:assert/strict";
import { HANDSHAKE_BYTES_MAX, readHandshakeHead } from "./handshake.ts";
import { upgradeRequest, upgradeResponse } from "./_test_frames.ts";

const bytes = (text: string) => new TextEncoder().encode(text);

Deno.test("readHandshakeHead() reads an RFC 7118 upgrade request and its 101 answer", () => {
  const request = readHandshakeHead(bytes(upgradeRequest("sip, other") + "\x81\x05frame"));
  assert.equal(request.kind, "head");
  if (request.kind !== "head") return;
  assert.equal(request.head.kind, "request");
  assert.equal(request.head.method, "GET");
  assert.equal(request.head.websocket, true);
  assert.deepEqual(request.head.protocols, ["sip", "other"]);
  assert.equal(request.head.headBytes, upgradeRequest("sip, other").length);
  const response = readHandshakeHead(
    bytes(upgradeResponse(101, "SIP", "Sec-WebSocket-Extensions: permessage-deflate; server_no_context_takeover\r\n")),
  );
  assert.equal(response.kind, "head");
  if (response.kind !== "head") return;
  assert.equal(response.head.statusCode, 101);
  assert.deepEqual(response.head.protocols, ["sip"]);
  assert.equal(response.head.deflate?.serverNoContextTakeover, true);
  assert.equal(response.head.deflate?.clientNoContextTakeover, false);
  assert.equal(request.head.deflate, undefined);
});

Deno.test("readHandshakeHead() waits for a partial head and rejects what is not HTTP or too long", () => {
  const request = upgradeRequest();
  for (let length = 0; length < request.length; length++) {
    assert.equal(readHandshakeHead(bytes(request.slice(0, length))).kind, "incomplete", `prefix ${length}`);
  }
  assert.equal(readHandshakeHead(bytes("INVITE sip:a SIP/2.0\r\n\r\n")).kind, "invalid");
  assert.equal(
    readHandshakeHead(bytes("GET / HTTP/1.1\r\n" + "X: y\r\n".repeat(HANDSHAKE_BYTES_MAX / 6))).kind,
    "invalid",
  );
  const plain = readHandshakeHead(bytes("GET /index.html HTTP/1.1\r\nHost: h\r\n\r\n"));
  assert.ok(plain.kind === "head" && !plain.head.websocket && plain.head.protocols.length === 0);
});
