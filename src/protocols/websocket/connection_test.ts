import assert from "node:assert/strict";
import { WebSocketConnection } from "./connection.ts";
import { createWebSocketStats } from "./types.ts";
import { WS_RESYNC_ATTEMPTS_MAX } from "./limits.ts";
import { upgradeRequest, upgradeResponse, wsFrame } from "./_test_frames.ts";
import { deflateEach, deflateStream, sipRequest } from "./_test_deflate.ts";

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

Deno.test("WebSocketConnection inflates both directions with the parameters of the 101 answer", async () => {
  const { stats, connection, messages, feed } = setup();
  const clientTexts = ["a", "b"].map((id) => sipRequest(`deflate-${id}@x`));
  const serverTexts = [
    "SIP/2.0 200 OK\r\nCall-ID: deflate-a@x\r\n\r\n",
    "SIP/2.0 200 OK\r\nCall-ID: deflate-b@x\r\n\r\n",
  ];
  const client = await deflateStream(clientTexts, 10);
  const server = deflateEach(serverTexts);
  const extensions = "Sec-WebSocket-Extensions: permessage-deflate; server_no_context_takeover; " +
    "client_max_window_bits=10\r\n";
  feed(0, upgradeRequest("sip", "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n"));
  feed(1, upgradeResponse(101, "sip", extensions));
  assert.equal(connection.state, "open");
  for (let k = 0; k < 2; k++) {
    feed(0, wsFrame(client[k], { reserved: 0x40, mask: MASK }));
    feed(1, wsFrame(server[k], { reserved: 0x40 }));
  }
  assert.deepEqual(
    messages,
    [0, 1, 2, 3].map((k) => k % 2 === 0 ? `0:${clientTexts[k / 2]}` : `1:${serverTexts[(k - 1) / 2]}`),
  );
  assert.equal(stats.inflatedMessages, 4);
  assert.equal(connection.reader(0)!.inflater!.contextKnown, true);
});

Deno.test("WebSocketConnection adopted mid-stream finds the first frame boundary of each direction", () => {
  const { stats, connection, messages, feed } = setup();
  connection.adopt();
  const response = "SIP/2.0 200 OK\r\nCall-ID: mid@x\r\nContent-Length: 0\r\n\r\n";
  const cutFrame = wsFrame(sipRequest("before@x"), { mask: MASK });
  feed(0, cutFrame.subarray(40));
  feed(1, wsFrame(response));
  feed(0, join(wsFrame(sipRequest("mid@x", "BYE"), { mask: MASK }), wsFrame("", { opcode: 0x9, mask: MASK })));
  feed(1, wsFrame(response));
  assert.deepEqual(messages, [`1:${response}`, `0:${sipRequest("mid@x", "BYE")}`, `1:${response}`]);
  assert.equal(stats.midstreamAdopted, 1);
  assert.equal(stats.resyncs, 2);
  assert.equal(stats.skippedBytes, cutFrame.length - 40);
  assert.equal(stats.invalid.mask_mismatch, 0, "each direction's mask bit came from its first frame");
});

Deno.test("WebSocketConnection reads on after lost bytes from the next frame that starts a SIP message", () => {
  const { stats, connection, messages, feed } = setup();
  feed(0, upgradeRequest());
  feed(1, upgradeResponse());
  feed(1, wsFrame("SIP/2.0 100 Trying\r\n\r\n", { fin: false }));
  connection.gap(1);
  feed(1, wsFrame("rest of a lost message", { opcode: 0 }));
  feed(1, wsFrame("SIP/2.0 180 Ringing\r\n\r\n"));
  assert.deepEqual(messages, ["1:SIP/2.0 180 Ringing\r\n\r\n"]);
  assert.equal(stats.invalid.gap, 1);
  assert.equal(stats.resyncs, 1);
});

Deno.test("WebSocketConnection gives a direction up after bounded tries without a frame boundary", () => {
  const { stats, connection, messages, feed } = setup();
  connection.adopt();
  for (let k = 0; k < WS_RESYNC_ATTEMPTS_MAX + 2; k++) feed(0, wsFrame("not sip at all", { mask: MASK }));
  feed(0, wsFrame("SIP/2.0 200 OK\r\n\r\n", { mask: MASK }));
  assert.deepEqual(messages, []);
  assert.equal(stats.resyncGiveUps, 1);
  assert.equal(stats.resyncs, 0);
});

Deno.test("WebSocketConnection adopted mid-stream counts compressed messages that refer to unseen ones", async () => {
  const { stats, connection, messages, feed } = setup();
  connection.adopt();
  const texts = ["a", "b", "c"].map((id) => sipRequest(`ctx-${id}@x`));
  const compressed = await deflateStream(texts);
  // The capture began after the first message: the third refers to it, the plain second one is read.
  feed(0, wsFrame(compressed[1], { reserved: 0x40, mask: MASK }));
  feed(0, wsFrame("OPTIONS sip:a SIP/2.0\r\n\r\n", { mask: MASK }));
  feed(0, wsFrame(compressed[2], { reserved: 0x40, mask: MASK }));
  assert.deepEqual(messages, ["0:OPTIONS sip:a SIP/2.0\r\n\r\n"]);
  assert.equal(stats.invalid.inflate_no_context, 1);
  assert.equal(stats.inflatedMessages, 0);
  const fresh = setup();
  fresh.connection.adopt();
  const [own] = deflateEach([texts[0]]);
  fresh.feed(1, wsFrame(own, { reserved: 0x40 }));
  assert.deepEqual(fresh.messages, [`1:${texts[0]}`], "a message compressed on its own is read");
});

Deno.test("WebSocketConnection never throws on random frames, compressed or not, adopted or after gaps", () => {
  let seed = 3;
  const random = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x80000000;
  const [sip] = deflateEach([sipRequest("fuzz@x")]);
  let inflated = 0;
  let inflateFailures = 0;
  for (let run = 0; run < 500; run++) {
    const { connection, feed, stats } = setup();
    if (random() < 0.5) connection.adopt();
    else {
      feed(0, upgradeRequest());
      feed(1, upgradeResponse(101, "sip", "Sec-WebSocket-Extensions: permessage-deflate\r\n"));
    }
    for (let k = 0; k < 20; k++) {
      const direction = random() < 0.5 ? 0 : 1;
      const noise = Uint8Array.from({ length: Math.floor(random() * 64) }, () => Math.floor(random() * 256));
      const choice = random();
      const payload = choice < 0.3 ? sip : choice < 0.6 ? noise : sip.map((byte) => random() < 0.05 ? 0 : byte);
      const frame = wsFrame(payload, { reserved: random() < 0.7 ? 0x40 : 0, mask: direction === 0 ? MASK : undefined });
      if (random() < 0.1) connection.gap(direction);
      feed(direction, random() < 0.2 ? frame.subarray(Math.floor(random() * frame.length)) : frame);
    }
    assert.ok((connection.reader(0)?.bufferedBytes ?? 0) <= 65536 + (1 << 20));
    inflated += stats.inflatedMessages;
    inflateFailures += stats.invalid.inflate_error + stats.invalid.inflate_no_context;
  }
  assert.ok(inflated > 0 && inflateFailures > 0, `${inflated} inflated, ${inflateFailures} not`);
});
