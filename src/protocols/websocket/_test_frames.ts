/** Test helpers: WebSocket frames (RFC 6455 §5.2) with any header choice, and upgrade handshakes for SIP. */

/** How to build one frame. */
export interface WsFrameOptions {
  /** @default 1 (text) */
  opcode?: number;
  /** @default true */
  fin?: boolean;
  /** Masking key (client frames); none when absent. */
  mask?: readonly number[];
  /** RSV1..3 bits as 0x40/0x20/0x10. @default 0 */
  reserved?: number;
  /** Length encoding: "auto" (shortest), or force 16 or 64 bits. @default "auto" */
  lengthBits?: "auto" | 16 | 64;
}

/** One frame carrying `payload`. */
export function wsFrame(payload: Uint8Array | string, options: WsFrameOptions = {}): Uint8Array {
  const body = typeof payload === "string" ? new TextEncoder().encode(payload) : payload;
  const { opcode = 1, fin = true, mask, reserved = 0, lengthBits = "auto" } = options;
  const length = body.length;
  const bits = lengthBits !== "auto" ? lengthBits : length < 126 ? 7 : length < 65536 ? 16 : 64;
  const head: number[] = [(fin ? 0x80 : 0) | reserved | opcode];
  const maskBit = mask !== undefined ? 0x80 : 0;
  if (bits === 7) head.push(maskBit | length);
  else if (bits === 16) head.push(maskBit | 126, length >> 8, length & 0xff);
  else {
    const high = Math.floor(length / 0x1_0000_0000);
    head.push(maskBit | 127, 0, 0, (high >> 8) & 0xff, high & 0xff);
    head.push((length >>> 24) & 0xff, (length >>> 16) & 0xff, (length >>> 8) & 0xff, length & 0xff);
  }
  if (mask !== undefined) head.push(...mask);
  const out = new Uint8Array(head.length + length);
  out.set(head);
  for (let k = 0; k < length; k++) out[head.length + k] = mask !== undefined ? body[k] ^ mask[k & 3] : body[k];
  return out;
}

/** The client's upgrade request asking for `protocol`. */
export function upgradeRequest(protocol = "sip", extra = ""): string {
  return "GET / HTTP/1.1\r\nHost: proxy.example.com\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
    `Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nOrigin: http://www.example.com\r\n` +
    `Sec-WebSocket-Protocol: ${protocol}\r\nSec-WebSocket-Version: 13\r\n${extra}\r\n`;
}

/** The server's answer; 101 accepts `protocol`. */
export function upgradeResponse(status = 101, protocol = "sip", extra = ""): string {
  const reason = status === 101 ? "Switching Protocols" : "Forbidden";
  return `HTTP/1.1 ${status} ${reason}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
    `Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\nSec-WebSocket-Protocol: ${protocol}\r\n${extra}\r\n`;
}
