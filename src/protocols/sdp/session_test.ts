import assert from "node:assert/strict";
import { parseSdp, SDP_MEDIA_MAX } from "./session.ts";
import type { SdpSession } from "./types.ts";

const encode = (text: string) => new TextEncoder().encode(text);

const OFFER = [
  "v=0",
  "o=alice 2890844526 2890844527 IN IP4 host.atlanta.example.com",
  "s=Call",
  "c=IN IP4 192.0.2.10",
  "t=0 0",
  "a=sendonly",
  "m=audio 49170 RTP/AVP 0 8 97 101",
  "a=rtpmap:0 PCMU/8000",
  "a=rtpmap:97 opus/48000/2",
  "a=rtpmap:101 telephone-event/8000",
  "a=fmtp:101 0-15",
  "a=fmtp:97 minptime=10; useinbandfec=1",
  "a=ptime:20",
  "a=rtcp:53020 IN IP6 2001:db8::5",
  "m=video 51372/2 RTP/SAVP 99",
  "c=IN IP6 2001:db8::7",
  "a=rtpmap:99 H264/90000",
  "a=rtcp-mux",
  "a=recvonly",
  "m=image 0 udptl t38",
  "a=inactive",
  "",
].join("\r\n");

function parse(text: string): SdpSession {
  const result = parseSdp(encode(text));
  assert.equal(result.kind, "message", JSON.stringify(result));
  return (result as { message: SdpSession }).message;
}

Deno.test("parseSdp() reads the session: origin, name, connection and direction", () => {
  const session = parse(OFFER);
  assert.equal(session.version, "0");
  assert.deepEqual(session.origin, {
    username: "alice",
    sessionId: "2890844526",
    sessionVersion: "2890844527",
    netType: "IN",
    addrType: "IP4",
    address: "host.atlanta.example.com",
  });
  assert.equal(session.sessionName, "Call");
  assert.equal(session.connection?.address, "192.0.2.10");
  assert.equal(session.direction, "sendonly");
  assert.equal(session.malformedLines, 0);
});

Deno.test("parseSdp() reads media sections with rtpmap, fmtp, rtcp, ptime and inherited values", () => {
  const [audio, video, image] = parse(OFFER).media;
  assert.deepEqual([audio?.media, audio?.port, audio?.portCount, audio?.proto], ["audio", 49170, undefined, "RTP/AVP"]);
  assert.deepEqual(audio?.formats, ["0", "8", "97", "101"]);
  assert.deepEqual(audio?.rtpmaps, [
    { payloadType: 0, encoding: "PCMU", clockRate: 8000, channels: undefined },
    { payloadType: 97, encoding: "opus", clockRate: 48000, channels: 2 },
    { payloadType: 101, encoding: "telephone-event", clockRate: 8000, channels: undefined },
  ]);
  assert.deepEqual(audio?.fmtps, [
    { format: "101", parameters: "0-15" },
    { format: "97", parameters: "minptime=10; useinbandfec=1" },
  ]);
  assert.equal(audio?.ptimeMs, 20);
  assert.equal(audio?.connection?.address, "192.0.2.10", "session c= inherited");
  assert.equal(audio?.direction, "sendonly", "session direction inherited");
  assert.deepEqual(audio?.rtcp, {
    port: 53020,
    connection: { netType: "IN", addrType: "IP6", address: "2001:db8::5", ttl: undefined, addressCount: undefined },
  });
  assert.equal(audio?.rtcpMux, false);
  assert.deepEqual([video?.port, video?.portCount, video?.proto], [51372, 2, "RTP/SAVP"]);
  assert.equal(video?.connection?.address, "2001:db8::7", "media c= wins");
  assert.equal(video?.connection?.addrType, "IP6");
  assert.equal(video?.rtcpMux, true);
  assert.equal(video?.direction, "recvonly", "media direction wins");
  assert.equal(video?.rtcp, undefined);
  assert.deepEqual([image?.port, image?.formats, image?.direction], [0, ["t38"], "inactive"]);
});

Deno.test("parseSdp() defaults direction to sendrecv and reads multicast TTL/count", () => {
  const session = parse("v=0\nc=IN IP4 224.2.1.1/127/3\nm=audio 5004 RTP/AVP 0\na=rtcp:5005\n");
  assert.equal(session.direction, undefined);
  assert.equal(session.media[0]?.direction, "sendrecv");
  assert.deepEqual(session.connection, {
    netType: "IN",
    addrType: "IP4",
    address: "224.2.1.1",
    ttl: 127,
    addressCount: 3,
  });
  assert.deepEqual(session.media[0]?.rtcp, { port: 5005, connection: undefined });
});

Deno.test("parseSdp() counts malformed lines and keeps reading", () => {
  const session = parse(
    "v=0\r\no=short\r\nnonsense\r\nc=IN IP4\r\nm=audio x RTP/AVP 0\r\na=rtpmap:0 PCMU\r\na=rtcp:abc\r\nm=audio 1 RTP/AVP 8\r\n",
  );
  assert.equal(session.malformedLines, 6);
  assert.equal(session.media.length, 2);
  assert.equal(session.media[1]?.port, 1);
  assert.deepEqual(session.media[0]?.rtpmaps, []);
});

Deno.test("parseSdp() rejects bodies that are not SDP or are too large", () => {
  assert.deepEqual(parseSdp(encode("hello\r\n")), { kind: "invalid", reason: "not_sdp" });
  assert.deepEqual(parseSdp(new Uint8Array(0)), { kind: "invalid", reason: "not_sdp" });
  const many = "v=0\n" + "m=audio 1 RTP/AVP 0\n".repeat(SDP_MEDIA_MAX + 1);
  assert.deepEqual(parseSdp(encode(many)), { kind: "invalid", reason: "too_large" });
  assert.deepEqual(parseSdp(encode("v=0\n" + "a=x\n".repeat(2000))), { kind: "invalid", reason: "too_large" });
});

Deno.test("parseSdp() never throws on any truncation of a valid offer", () => {
  const bytes = encode(OFFER);
  for (let length = 0; length <= bytes.length; length++) {
    const result = parseSdp(bytes.subarray(0, length));
    assert.equal(result.kind, length < 2 ? "invalid" : "message", `length ${length}`);
  }
});
