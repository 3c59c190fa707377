import assert from "node:assert/strict";
import {
  createWsFrameHeader,
  decodeWsFrameHeader,
  WS_HEAD_BYTES_MAX,
  type WsFrameFault,
  wsFrameHeaderFault,
  wsHeaderBytes,
} from "./frame_header.ts";
import { WsOpcode } from "./types.ts";
import { wsFrame, type WsFrameOptions } from "./_test_frames.ts";

const MASK = [0x37, 0xfa, 0x21, 0x3d];

/** A frame's header decoded, and the header's length. */
function decoded(payloadBytes: number, options: WsFrameOptions = {}) {
  const frame = wsFrame(new Uint8Array(payloadBytes), options);
  const header = createWsFrameHeader();
  const headBytes = wsHeaderBytes(frame[1]);
  assert.equal(decodeWsFrameHeader(frame.subarray(0, headBytes), header), true);
  return { header, headBytes, frameBytes: frame.length };
}

Deno.test("wsHeaderBytes() and decodeWsFrameHeader() read 7-, 16- and 64-bit lengths, masked or not", () => {
  const cases: [number, WsFrameOptions, number][] = [
    [0, {}, 2],
    [125, { mask: MASK }, 6],
    [126, {}, 4],
    [65535, { mask: MASK }, 8],
    [65536, {}, 10],
    [70_000, { mask: MASK }, WS_HEAD_BYTES_MAX],
    [16, { lengthBits: 64 }, 10],
    [16, { lengthBits: 16, mask: MASK }, 8],
  ];
  for (const [payloadBytes, options, expectedHeadBytes] of cases) {
    const { header, headBytes, frameBytes } = decoded(payloadBytes, options);
    const name = `${payloadBytes} ${JSON.stringify(options)}`;
    assert.equal(headBytes, expectedHeadBytes, name);
    assert.equal(frameBytes, headBytes + payloadBytes, name);
    assert.equal(header.length, payloadBytes, name);
    assert.equal(header.masked, options.mask !== undefined, name);
    if (options.mask) assert.deepEqual([...header.mask], MASK, name);
  }
});

Deno.test("decodeWsFrameHeader() reads FIN, opcode and reserved bits", () => {
  const { header } = decoded(3, { fin: false, opcode: WsOpcode.BINARY, reserved: 0x40 | 0x10, mask: MASK });
  assert.equal(header.fin, false);
  assert.equal(header.opcode, WsOpcode.BINARY);
  assert.equal(header.reserved, 0x50);
  const ping = decoded(0, { opcode: WsOpcode.PING }).header;
  assert.deepEqual([ping.fin, ping.opcode, ping.reserved, ping.masked], [true, WsOpcode.PING, 0, false]);
});

Deno.test("decodeWsFrameHeader() refuses 64-bit lengths of 2^53 or more, or with the top bit", () => {
  const header = createWsFrameHeader();
  const head = (high: number[]) => Uint8Array.from([0x82, 0x7f, ...high, 0, 0, 0, 7]);
  assert.equal(decodeWsFrameHeader(head([0, 0x1f, 0xff, 0xff]), header), true);
  assert.equal(header.length, 0x1f_ffff * 0x1_0000_0000 + 7);
  assert.ok(Number.isSafeInteger(header.length));
  assert.equal(decodeWsFrameHeader(head([0, 0x20, 0, 0]), header), false);
  assert.equal(decodeWsFrameHeader(head([0x80, 0, 0, 0]), header), false);
});

Deno.test("wsFrameHeaderFault() finds what breaks the framing, and allows RSV1 only on a deflate message's first frame", () => {
  const cases: [string, number, WsFrameOptions, boolean, WsFrameFault | null][] = [
    ["text", 5, {}, false, null],
    ["ping of 125 bytes", 125, { opcode: WsOpcode.PING }, false, null],
    ["reserved opcode", 1, { opcode: 3 }, false, "bad_opcode"],
    ["reserved control opcode", 1, { opcode: 0xb }, false, "bad_opcode"],
    ["long ping", 126, { opcode: WsOpcode.PING }, false, "bad_control_frame"],
    ["fragmented close", 0, { opcode: WsOpcode.CLOSE, fin: false }, false, "bad_control_frame"],
    ["RSV2", 1, { reserved: 0x20 }, true, "reserved_bits"],
    ["RSV1 without deflate", 1, { reserved: 0x40 }, false, "reserved_bits"],
    ["RSV1 on a text frame with deflate", 1, { reserved: 0x40, fin: false }, true, null],
    ["RSV1 on a binary frame with deflate", 1, { reserved: 0x40, opcode: WsOpcode.BINARY }, true, null],
    ["RSV1 on a continuation", 1, { reserved: 0x40, opcode: WsOpcode.CONTINUATION }, true, "reserved_bits"],
    ["RSV1 on a ping", 1, { reserved: 0x40, opcode: WsOpcode.PING }, true, "reserved_bits"],
    ["RSV1 and RSV3 with deflate", 1, { reserved: 0x50 }, true, "reserved_bits"],
  ];
  for (const [name, payloadBytes, options, deflate, fault] of cases) {
    assert.equal(wsFrameHeaderFault(decoded(payloadBytes, options).header, deflate), fault, name);
  }
});
