import assert from "node:assert/strict";
import { WebSocketConnection } from "./connection.ts";
import { createWebSocketStats } from "./types.ts";
import { upgradeRequest, upgradeResponse, wsFrame } from "./_test_frames.ts";

const MASK = [1, 2, 3, 4];
const encoder = new TextEncoder();
const decoder = new TextDecoder();

function setup() {
  const stats = createWebSocketStats();
  const connection = new WebSocketConnection({ protocol: "sip", stats });
  const messages: string[] = [];
  const sink = {
    message: (direction: number, payload: Uint8Array) => messages.push(`${direction}:${decoder.decode(payload)}`),
  };
  const feed = (direction: number, data: Uint8Array | string) => {
    const chunk = typeof data === "string" ? encoder.encode(data) : data;
    connection.push(direction, chunk, 0, chunk.length, sink);
  };
  return { stats, connection, messages, feed };
}

function join(...parts: (Uint8Array | string)[]): Uint8Array {
  const chunks = parts.map((part) => typeof part === "string" ? encoder.encode(part) : part);
  const out = new Uint8Array(chunks.reduce((sum, chunk) => sum + chunk.length, 0));
  chunks.reduce((at, chunk) => (out.set(chunk, at), at + chunk.length), 0);
  return out;
}

Deno.test("WebSocketConnection follows the handshake and delivers the messages of both directions", () => {
  const { stats, connection, messages, feed } = setup();
  feed(0, upgradeRequest());
  assert.equal(connection.state, "response");
  feed(1, join(upgradeResponse(), wsFrame("server hello")));
  assert.equal(connection.state, "open");
  feed(0, wsFrame("client hello", { mask: MASK }));
  assert.deepEqual(messages, ["1:server hello", "0:client hello"]);
  assert.equal(stats.upgrades, 1);
  assert.equal(stats.established, 1);
});

Deno.test("WebSocketConnection gathers heads split over deliveries, at every split point", () => {
  const request = join(upgradeRequest(), wsFrame("early", { mask: MASK }));
  const response = join(upgradeResponse(), wsFrame("reply"));
  for (let cut = 1; cut < response.length; cut += 7) {
    const { connection, messages, feed } = setup();
    const requestCut = Math.min(cut, request.length - 1);
    feed(0, request.subarray(0, requestCut));
    feed(0, request.subarray(requestCut));
    feed(1, response.subarray(0, cut));
    feed(1, response.subarray(cut));
    assert.equal(connection.state, "open", `cut ${cut}`);
    assert.deepEqual(messages, ["0:early", "1:reply"], `cut ${cut}`);
  }
});

Deno.test("WebSocketConnection leaves plain HTTP and other subprotocols alone, with their bytes for HTTP", () => {
  const plain = setup();
  plain.feed(0, "GET /index.html HTTP/1.1\r\n");
  plain.feed(0, "Host: h\r\n\r\n");
  assert.equal(plain.connection.state, "not_websocket");
  assert.equal(decoder.decode(plain.connection.earlierBytes()), "GET /index.html HTTP/1.1\r\n");
  const other = setup();
  other.feed(0, upgradeRequest("chat"));
  assert.equal(other.connection.state, "not_websocket");
  assert.equal(other.stats.upgrades, 0);
});

Deno.test("WebSocketConnection gives up when the server refuses the upgrade or picks another subprotocol", () => {
  for (const response of [upgradeResponse(403), upgradeResponse(101, "chat"), "garbage\r\n\r\n"]) {
    const { stats, connection, messages, feed } = setup();
    feed(0, upgradeRequest());
    feed(1, join(response, wsFrame("ignored")));
    feed(0, wsFrame("ignored too", { mask: MASK }));
    assert.equal(connection.state, "rejected", response);
    assert.deepEqual(messages, []);
    assert.equal(stats.established, 0);
  }
});

Deno.test("WebSocketConnection takes the direction of the upgrade request as the client's", () => {
  const { connection, messages, feed, stats } = setup();
  feed(1, upgradeRequest());
  feed(0, join(upgradeResponse(), wsFrame("from server")));
  feed(1, wsFrame("from client", { mask: MASK }));
  assert.equal(connection.clientDirection, 1);
  assert.deepEqual(messages, ["0:from server", "1:from client"]);
  assert.equal(stats.invalid.mask_mismatch, 0);
});
