import assert from "node:assert/strict";
import { parseSipMessage } from "./message.ts";
import type { SipMessage, SipRequest, SipResponse } from "./types.ts";

const encoder = new TextEncoder();

const SDP = "v=0\r\no=- 1 1 IN IP4 10.0.0.1\r\ns=-\r\nc=IN IP4 10.0.0.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\n";

const INVITE = [
  "INVITE sip:bob@biloxi.example.com SIP/2.0",
  "Via: SIP/2.0/UDP pc33.atlanta.example.com:5060;branch=z9hG4bK776asdhds;rport",
  "Via: SIP/2.0/TCP proxy.example.com;branch=z9hG4bKa;received=192.0.2.1;rport=5070, SIP/2.0/UDP [2001:db8::1]:5062;branch=z9hG4bKb",
  "Max-Forwards: 70",
  'To: "Bob, the builder" <sip:bob@biloxi.example.com>',
  "From: Alice <sip:alice@atlanta.example.com;user=phone>;tag=1928301774",
  "Call-ID: a84b4c76e66710@pc33.atlanta.example.com",
  "CSeq: 314159 INVITE",
  "Contact: <sip:alice@pc33.atlanta.example.com>;expires=60, sip:alice@192.0.2.4",
  "User-Agent: test-agent/1.0",
  'Reason: Q.850;cause=16;text="Normal call clearing", SIP;cause=200',
  "Expires: 120",
  "Content-Type: application/sdp",
  `Content-Length: ${SDP.length}`,
  "",
  SDP,
].join("\r\n");

function parseText(text: string): SipMessage {
  const result = parseSipMessage(encoder.encode(text));
  assert.equal(result.kind, "message", JSON.stringify(result));
  return (result as { message: SipMessage }).message;
}

function reasonOf(text: string | Uint8Array): string {
  const result = parseSipMessage(typeof text === "string" ? encoder.encode(text) : text);
  return result.kind === "invalid" ? result.reason : result.kind;
}

Deno.test("parseSipMessage() reads every field of a long-form INVITE", () => {
  const message = parseText(INVITE) as SipRequest;
  assert.equal(message.kind, "request");
  assert.equal(message.method, "INVITE");
  assert.equal(message.requestUri, "sip:bob@biloxi.example.com");
  assert.equal(message.callId, "a84b4c76e66710@pc33.atlanta.example.com");
  assert.deepEqual(message.cseq, { seq: 314159, method: "INVITE" });
  assert.deepEqual(message.to, {
    displayName: "Bob, the builder",
    uri: "sip:bob@biloxi.example.com",
    tag: "",
    params: "",
  });
  assert.equal(message.from?.displayName, "Alice");
  assert.equal(message.from?.uri, "sip:alice@atlanta.example.com;user=phone");
  assert.equal(message.from?.tag, "1928301774");
  assert.deepEqual(message.vias.map((via) => [via.transport, via.host, via.port, via.branch]), [
    ["UDP", "pc33.atlanta.example.com", 5060, "z9hG4bK776asdhds"],
    ["TCP", "proxy.example.com", undefined, "z9hG4bKa"],
    ["UDP", "2001:db8::1", 5062, "z9hG4bKb"],
  ]);
  assert.deepEqual(message.vias.map((via) => [via.hasRport, via.rport, via.received]), [
    [true, undefined, ""],
    [true, 5070, "192.0.2.1"],
    [false, undefined, ""],
  ]);
  assert.deepEqual(message.contacts.map((contact) => contact.uri), [
    "sip:alice@pc33.atlanta.example.com",
    "sip:alice@192.0.2.4",
  ]);
  assert.equal(message.contacts[0]?.params, "expires=60");
  assert.equal(message.userAgent, "test-agent/1.0");
  assert.deepEqual(message.reasons, [
    { protocol: "Q.850", cause: 16, text: "Normal call clearing" },
    { protocol: "SIP", cause: 200, text: "" },
  ]);
  assert.equal(message.maxForwards, 70);
  assert.equal(message.expires, 120);
  assert.equal(message.contentType, "application/sdp");
  assert.equal(message.contentLength, SDP.length);
  assert.equal(message.bodyOffset, INVITE.length - SDP.length);
  assert.equal(message.bodyLength, SDP.length);
  assert.equal(message.malformedHeaderLines, 0);
});

Deno.test("parseSipMessage() reads a response with its reason phrase and Server", () => {
  const message = parseText(
    "SIP/2.0 486 Busy Here\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\nCall-ID: c\r\nCSeq: 1 INVITE\r\n" +
      "Server: pbx 2\r\nTo: <sip:b@h>;tag=xyz\r\nContent-Length: 0\r\n\r\n",
  ) as SipResponse;
  assert.equal(message.kind, "response");
  assert.equal(message.statusCode, 486);
  assert.equal(message.reasonPhrase, "Busy Here");
  assert.equal(message.server, "pbx 2");
  assert.equal(message.to?.tag, "xyz");
  assert.equal(message.bodyLength, 0);
});

Deno.test("parseSipMessage() reads compact header forms like their long forms", () => {
  const compact = parseText(
    "INVITE sip:b@h SIP/2.0\r\nv: SIP/2.0/UDP h:5060;branch=z9hG4bKc\r\nf: <sip:a@h>;tag=1\r\nt: <sip:b@h>\r\n" +
      "i: call-1\r\nCSeq: 1 INVITE\r\nm: <sip:a@10.0.0.1>\r\nc: application/sdp\r\nl: 4\r\n" +
      "k: 100rel\r\ns: hi\r\ne: gzip\r\no: dialog\r\nu: talk\r\nr: <sip:c@h>\r\nx: 90\r\ny: abc\r\nb: <sip:d@h>\r\n\r\nbody",
  );
  assert.equal(compact.callId, "call-1");
  assert.equal(compact.from?.uri, "sip:a@h");
  assert.equal(compact.from?.tag, "1");
  assert.equal(compact.to?.uri, "sip:b@h");
  assert.equal(compact.vias[0]?.branch, "z9hG4bKc");
  assert.equal(compact.contacts[0]?.uri, "sip:a@10.0.0.1");
  assert.equal(compact.contentType, "application/sdp");
  assert.equal(compact.contentLength, 4);
  assert.equal(compact.bodyLength, 4);
});

Deno.test("parseSipMessage() matches header names case-insensitively and allows space before the colon", () => {
  const message = parseText("BYE sip:b@h SIP/2.0\r\nCALL-id : x\r\ncseq:  7  BYE\r\nCONTENT-LENGTH:0\r\n\r\n");
  assert.equal(message.callId, "x");
  assert.deepEqual(message.cseq, { seq: 7, method: "BYE" });
  assert.equal(message.contentLength, 0);
});

Deno.test("parseSipMessage() joins folded header lines with one space", () => {
  const message = parseText(
    "OPTIONS sip:h SIP/2.0\r\nVia: SIP/2.0/UDP a:1;branch=z9hG4bK1,\r\n  SIP/2.0/UDP b:2;branch=z9hG4bK2\r\n" +
      "Subject: one\r\n\ttwo\r\nUser-Agent: multi\r\n line\r\n\t agent\r\nCall-ID: f\r\nCSeq: 1 OPTIONS\r\n\r\n",
  );
  assert.deepEqual(message.vias.map((via) => via.host), ["a", "b"]);
  assert.equal(message.userAgent, "multi line agent");
});

Deno.test("parseSipMessage() puts the body right after a bare-LF empty line", () => {
  const text = "MESSAGE sip:b@h SIP/2.0\nCall-ID: lf\nCSeq: 2 MESSAGE\nContent-Length: 5\n\nhello";
  const message = parseText(text);
  assert.equal(message.bodyOffset, text.length - 5);
  assert.equal(message.bodyLength, 5);
  const mixed = "MESSAGE sip:b@h SIP/2.0\r\nCall-ID: lf\nCSeq: 2 MESSAGE\r\n\nhi";
  assert.equal(parseText(mixed).bodyOffset, mixed.length - 2);
});

Deno.test("parseSipMessage() accepts every standard method and extension methods", () => {
  const methods = [
    "INVITE",
    "ACK",
    "BYE",
    "CANCEL",
    "OPTIONS",
    "REGISTER",
    "PRACK",
    "UPDATE",
    "INFO",
    "MESSAGE",
    "REFER",
    "PUBLISH",
    "NOTIFY",
    "SUBSCRIBE",
    "X-CUSTOM",
  ]; // deno-fmt-ignore
  for (const method of methods) {
    const message = parseText(`${method} sip:h SIP/2.0\r\nCall-ID: m\r\nCSeq: 1 ${method}\r\n\r\n`) as SipRequest;
    assert.equal(message.method, method);
    assert.equal(message.cseq.method, method);
  }
});

Deno.test("parseSipMessage() takes the body from Content-Length and stops there", () => {
  const result = parseSipMessage(
    encoder.encode("ACK sip:h SIP/2.0\r\nCall-ID: a\r\nCSeq: 1 ACK\r\nl: 2\r\n\r\nabcdef"),
  );
  assert.equal(result.kind, "message");
  if (result.kind !== "message") return;
  assert.equal(result.message.bodyLength, 2);
  assert.equal(result.consumedBytes, result.message.bodyOffset + 2);
});

Deno.test("parseSipMessage() reads decimal headers from bytes and falls back to text for anything else", () => {
  const head = "OPTIONS sip:a@h SIP/2.0\r\nCall-ID: d\r\nCSeq: 4294967295 OPTIONS\r\n";
  const plain = parseText(`${head}Max-Forwards: 0070\r\nExpires: 4294967295\r\nContent-Length: 0\r\n\r\n`);
  assert.equal(plain.maxForwards, 70);
  assert.equal(plain.expires, 4294967295);
  assert.equal(plain.cseq.seq, 4294967295);
  const folded = parseText(`${head}Max-Forwards:\r\n 69\r\nExpires: 4294967296\r\nContent-Length: 0\r\n\r\n`);
  assert.equal(folded.maxForwards, 69);
  assert.equal(folded.expires, undefined);
  const twice = parseSipMessage(encoder.encode(`${head}Content-Length: 0\r\nContent-Length: 1\r\n\r\nx`));
  assert.deepEqual(twice, { kind: "invalid", reason: "bad_content_length" });
});

Deno.test("parseSipMessage() counts header lines without a colon and keeps going", () => {
  const message = parseText("INFO sip:h SIP/2.0\r\ngarbage line\r\nCall-ID: g\r\nCSeq: 1 INFO\r\n\r\n");
  assert.equal(message.malformedHeaderLines, 1);
  assert.equal(message.callId, "g");
});

Deno.test("parseSipMessage() reports each kind of invalid input by reason", () => {
  const headers = "Call-ID: x\r\nCSeq: 1 BYE\r\n";
  assert.equal(reasonOf("GET / HTTP/1.1\r\nHost: h\r\n\r\n"), "not_sip");
  assert.equal(reasonOf(new Uint8Array([0x80, 0x00, 0x01, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0])), "not_sip");
  assert.equal(reasonOf("SIP/2.0 2x0 OK\r\n" + headers + "\r\n"), "bad_start_line");
  assert.equal(reasonOf("BYE sip:h SIP/2.0\r\n" + headers), "truncated_headers");
  assert.equal(reasonOf("BYE sip:h SIP/2.0\r\n" + headers + "Content-Length: x\r\n\r\n"), "bad_content_length");
  assert.equal(reasonOf("BYE sip:h SIP/2.0\r\n" + headers + "l: 1\r\nl: 2\r\n\r\nab"), "bad_content_length");
  assert.equal(reasonOf("BYE sip:h SIP/2.0\r\n" + headers + "Content-Length: 10\r\n\r\nabc"), "body_truncated");
  assert.equal(reasonOf("BYE sip:h SIP/2.0\r\nCSeq: 1 BYE\r\n\r\n"), "missing_call_id");
  assert.equal(reasonOf("BYE sip:h SIP/2.0\r\nCall-ID: x\r\nCSeq: one BYE\r\n\r\n"), "bad_cseq");
  assert.equal(reasonOf("BYE sip:h SIP/2.0\r\nCall-ID: x\r\n\r\n"), "bad_cseq");
  assert.equal(reasonOf("BYE sip:h SIP/2.0\r\n" + "X: y\r\n".repeat(600) + headers + "\r\n"), "too_many_headers");
});

Deno.test("parseSipMessage() never throws on any truncation of a valid INVITE and never accepts a cut header", () => {
  const bytes = encoder.encode(INVITE);
  const headerBytes = INVITE.length - SDP.length;
  const startLineBytes = INVITE.indexOf("\n") + 1;
  for (let length = 0; length < bytes.length; length++) {
    const result = parseSipMessage(bytes.subarray(0, length));
    assert.equal(result.kind, "invalid", `length ${length}`);
    const reason = (result as { reason: string }).reason;
    const expected = length < startLineBytes
      ? "not_sip"
      : length < headerBytes
      ? "truncated_headers"
      : "body_truncated";
    assert.equal(reason, expected, `length ${length}`);
  }
  assert.equal(parseSipMessage(bytes).kind, "message");
});

Deno.test("parseSipMessage() never throws on random byte flips of a valid INVITE", () => {
  const original = encoder.encode(INVITE);
  let seed = 12345;
  const random = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x80000000;
  const kinds = new Set<string>();
  for (let round = 0; round < 2000; round++) {
    const bytes = original.slice();
    for (let flips = 1 + Math.floor(random() * 4); flips > 0; flips--) {
      bytes[Math.floor(random() * bytes.length)] = Math.floor(random() * 256);
    }
    kinds.add(parseSipMessage(bytes).kind);
  }
  assert.ok(kinds.has("message") && kinds.has("invalid"));
});
