import assert from "node:assert/strict";
import { createRtpHeader, isRtcpSecondByte, readRtpHeader, RtpInvalid } from "./header.ts";

// V=2, X=1, CC=1, M=1 PT=8, seq 0x1234, ts 0xdeadbeef, ssrc 1, one CSRC, extension of 1 word, 3 payload bytes.
const PACKET = new Uint8Array([
  0x91,
  0x88,
  0x12,
  0x34,
  0xde,
  0xad,
  0xbe,
  0xef,
  0,
  0,
  0,
  1,
  0,
  0,
  0,
  2,
  0xbe,
  0xde,
  0,
  1,
  9,
  9,
  9,
  9,
  7,
  7,
  7,
]);

Deno.test("readRtpHeader() reads every fixed header field, CSRCs and the extension", () => {
  const header = createRtpHeader();
  assert.equal(readRtpHeader(PACKET, 0, PACKET.length, header), RtpInvalid.NONE);
  assert.equal(header.marker, true);
  assert.equal(header.payloadType, 8);
  assert.equal(header.sequence, 0x1234);
  assert.equal(header.timestamp, 0xdeadbeef);
  assert.equal(header.ssrc, 1);
  assert.equal(header.csrcCount, 1);
  assert.equal(header.headerBytes, 24);
  assert.equal(header.payloadBytes, 3);
});

Deno.test("readRtpHeader() rejects every truncation of a packet whose header needs 24 bytes", () => {
  const header = createRtpHeader();
  for (let length = 0; length < 24; length++) {
    const reason = readRtpHeader(PACKET, 0, length, header);
    assert.ok(reason === RtpInvalid.TRUNCATED || reason === RtpInvalid.HEADER_OVERFLOW, `length ${length}`);
  }
});

Deno.test("readRtpHeader() types RTCP packet types as RTCP and checks padding", () => {
  const header = createRtpHeader();
  const rtcp = new Uint8Array([0x80, 200, 0, 6, 0, 0, 0, 1, 0, 0, 0, 0]);
  assert.equal(readRtpHeader(rtcp, 0, rtcp.length, header), RtpInvalid.RTCP);
  assert.ok(isRtcpSecondByte(207) && !isRtcpSecondByte(0x88));
  const padded = new Uint8Array([0xa0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 5, 0, 2]);
  assert.equal(readRtpHeader(padded, 0, padded.length, header), RtpInvalid.NONE);
  assert.equal(header.payloadBytes, 1);
  padded[14] = 9;
  assert.equal(readRtpHeader(padded, 0, padded.length, header), RtpInvalid.BAD_PADDING);
});
