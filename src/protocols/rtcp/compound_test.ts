import assert from "node:assert/strict";
import { detectRtcp, parseRtcp } from "./compound.ts";

// SR (1 block) + SDES (CNAME "ab") + XR (VoIP Metrics) + BYE.
const SR = [
  0x81,
  200,
  0,
  12,
  0,
  0,
  0,
  1,
  0,
  0,
  0,
  2,
  0,
  0,
  0,
  3,
  0,
  0,
  0,
  4,
  0,
  0,
  0,
  5,
  0,
  0,
  0,
  6,
  0,
  0,
  0,
  9,
  64,
  0xff,
  0xff,
  0xfe,
  0,
  1,
  0,
  7,
  0,
  0,
  0,
  20,
  0,
  0,
  0,
  30,
  0,
  0,
  0,
  40,
];
const SDES = [0x81, 202, 0, 3, 0, 0, 0, 1, 1, 2, 0x61, 0x62, 0, 0, 0, 0];
const XR = [
  0x80,
  207,
  0,
  10,
  0,
  0,
  0,
  1,
  7,
  0,
  0,
  8,
  0,
  0,
  0,
  9,
  10,
  0,
  0,
  0,
  0,
  0,
  0,
  0,
  0,
  50,
  0,
  0,
  0xf0,
  0xec,
  0,
  0,
  93,
  127,
  41,
  40,
  0,
  0,
  0,
  60,
  0,
  80,
  0,
  100,
];
const BYE = [0x81, 203, 0, 1, 0, 0, 0, 1];
const COMPOUND = new Uint8Array([...SR, ...SDES, ...XR, ...BYE]);

Deno.test("parseRtcp() reads SR with report block, SDES CNAME, XR VoIP Metrics and BYE", () => {
  assert.ok(detectRtcp(COMPOUND));
  const result = parseRtcp(COMPOUND);
  assert.equal(result.kind, "message");
  if (result.kind !== "message") return;
  const [sr, sdes, xr, bye] = result.message.packets;
  assert.equal(result.message.tailError, undefined);
  assert.ok(sr?.type === "sr" && sdes?.type === "sdes" && xr?.type === "xr" && bye?.type === "bye");
  assert.equal(sr.packetCount, 5);
  assert.deepEqual(sr.reports[0], {
    ssrc: 9,
    fractionLost: 64,
    cumulativeLost: -2,
    highestSequence: 65543,
    jitter: 20,
    lastSr: 30,
    delaySinceLastSr: 40,
  });
  assert.equal(sdes.chunks[0]!.cname, "ab");
  assert.equal(xr.voipMetrics[0]!.ssrc, 9);
  assert.equal(xr.voipMetrics[0]!.lossRate, 10);
  assert.equal(xr.voipMetrics[0]!.roundTripDelayMs, 50);
  assert.equal(xr.voipMetrics[0]!.signalLevel, -16);
  assert.equal(xr.voipMetrics[0]!.rFactor, 93);
  assert.equal(xr.voipMetrics[0]!.mosLq, 41);
  assert.equal(xr.voipMetrics[0]!.jitterBufferAbsoluteMaxMs, 100);
  assert.deepEqual(bye.ssrcs, [1]);
});

Deno.test("parseRtcp() never throws on any truncation and keeps whole leading packets", () => {
  for (let length = 0; length < COMPOUND.length; length++) {
    const result = parseRtcp(COMPOUND.subarray(0, length));
    if (length < SR.length) assert.equal(result.kind, "invalid", `length ${length}`);
    else {
      assert.equal(result.kind, "message", `length ${length}`);
      const boundaries = [SR, SDES, XR, BYE].map((_, i, all) => all.slice(0, i + 1).flat().length);
      const whole = boundaries.filter((end) => end <= length).length;
      if (result.kind === "message") {
        assert.equal(result.message.packets.length, whole, `length ${length}`);
        assert.equal(result.message.tailError === undefined, boundaries.includes(length), `length ${length}`);
      }
    }
  }
});

Deno.test("parseRtcp() names the reason of malformed input", () => {
  assert.deepEqual(parseRtcp(new Uint8Array([0x40, 200, 0, 0])), { kind: "invalid", reason: "bad_version" });
  assert.deepEqual(parseRtcp(new Uint8Array([0x80, 96, 0, 0])), { kind: "invalid", reason: "not_rtcp" });
  assert.deepEqual(parseRtcp(new Uint8Array([0x80, 201, 0, 5, 0, 0, 0, 1])), { kind: "invalid", reason: "bad_length" });
  assert.deepEqual(parseRtcp(new Uint8Array([0x82, 201, 0, 1, 0, 0, 0, 1])), {
    kind: "invalid",
    reason: "body_overflow",
  });
  assert.deepEqual(parseRtcp(new Uint8Array([0xa0, 201, 0, 1, 0, 0, 0, 9])), {
    kind: "invalid",
    reason: "bad_padding",
  });
});
