import assert from "node:assert/strict";
import { HANDSHAKE_BYTES_MAX, indexOfWebsocket, readHandshakeHead } from "./handshake.ts";
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

Deno.test("indexOfWebsocket() finds the word in any case, up to the end given, and nothing else", () => {
  assert.equal(indexOfWebsocket(bytes("Upgrade: WebSocket"), 18), 9);
  assert.equal(indexOfWebsocket(bytes("websocket"), 9), 0);
  assert.equal(indexOfWebsocket(bytes("websocket"), 8), -1);
  assert.equal(indexOfWebsocket(bytes("wwwEBSOCKETx"), 12), 2);
  assert.equal(indexOfWebsocket(bytes("websocke"), 8), -1);
  assert.equal(indexOfWebsocket(bytes("web-socket websock\x97t w\x05bsocket"), 34), -1);
  assert.equal(indexOfWebsocket(new Uint8Array(0), 0), -1);
});

Deno.test("readHandshakeHead() reads a head without 'websocket' as the full parse does", () => {
  const heads = [
    "GET /index.html HTTP/1.1\r\nHost: h\r\nUpgrade: h2c\r\n\r\n",
    "GET / HTTP/1.0\n\n",
    "POST /form HTTP/1.1\r\nContent-Length: 0\r\n\r\n",
    "HTTP/1.1 200 OK\r\nServer: x\r\n\r\n",
    "HTTP/1.1 404\r\n\r\n",
    "HTTP/1.1 101 Switching Protocols\r\nUpgrade: h2c\r\n\r\n",
    "get / HTTP/1.1\r\n\r\n",
    "GET /\r\n\r\n",
    "HTTP/2 200\r\n\r\n",
  ];
  for (const head of heads) {
    const fast = readHandshakeHead(bytes(head + "body"));
    // The same head with a header naming WebSocket takes the full parse; only headBytes may differ.
    const probe = "X-Probe: WebSocket\r\n";
    const lineEnd = head.indexOf("\n") + 1;
    const full = readHandshakeHead(bytes(head.slice(0, lineEnd) + probe + head.slice(lineEnd) + "body"));
    assert.equal(fast.kind, full.kind, head);
    if (fast.kind !== "head" || full.kind !== "head") continue;
    assert.equal(fast.head.headBytes, head.length, head);
    assert.deepEqual({ ...fast.head, headBytes: 0 }, { ...full.head, headBytes: 0 }, head);
    assert.equal(fast.head.websocket, false);
  }
});
