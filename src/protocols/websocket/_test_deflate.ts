/**
 * Test helpers: permessage-deflate payloads (RFC 7692 §7.2.1) made by node:zlib, an implementation independent of
 * the inflater under test: raw DEFLATE, sync flush, the trailing 00 00 ff ff removed.
 */
import { Buffer } from "node:buffer";
import zlib from "node:zlib";

const TAIL_BYTES = 4;

/** Each message compressed on its own (no context takeover). */
export function deflateEach(messages: readonly string[]): Uint8Array[] {
  return messages.map((message) => {
    const out = zlib.deflateRawSync(Buffer.from(message), { finishFlush: zlib.constants.Z_SYNC_FLUSH });
    return new Uint8Array(out.subarray(0, out.length - TAIL_BYTES));
  });
}

/** The messages compressed by one stream (context takeover): later ones refer to earlier ones. */
export async function deflateStream(messages: readonly string[], windowBits = 15): Promise<Uint8Array[]> {
  const deflater = zlib.createDeflateRaw({ windowBits });
  const out: Uint8Array[] = [];
  for (const message of messages) {
    const chunks: Buffer[] = [];
    const collect = (chunk: Buffer) => chunks.push(chunk);
    deflater.on("data", collect);
    await new Promise<void>((resolve) => {
      deflater.write(Buffer.from(message));
      deflater.flush(zlib.constants.Z_SYNC_FLUSH, () => resolve());
    });
    deflater.off("data", collect);
    const all = Buffer.concat(chunks);
    if (all.subarray(all.length - TAIL_BYTES).toString("hex") !== "0000ffff") throw new Error("No sync flush tail");
    out.push(new Uint8Array(all.subarray(0, all.length - TAIL_BYTES)));
  }
  deflater.close();
  return out;
}

/** A SIP request with a distinct Call-ID (similar messages compress against each other). */
export function sipRequest(callId: string, method = "OPTIONS"): string {
  return `${method} sip:bob@example.com SIP/2.0\r\nVia: SIP/2.0/WSS df7jal23ls0d.invalid;branch=z9hG4bK${callId}\r\n` +
    `From: <sip:alice@example.com>;tag=1\r\nTo: <sip:bob@example.com>\r\nCall-ID: ${callId}\r\n` +
    `CSeq: 1 ${method}\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n`;
}
