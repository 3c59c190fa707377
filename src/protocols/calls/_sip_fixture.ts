/** Test helpers: SIP messages as bytes and parsed. */
import { parseSipMessage, type SipMessage } from "../sip/mod.ts";
import type { SipTuple } from "./types.ts";

/** Caller → callee and back. */
export const UP: SipTuple = { srcIp: "10.0.0.1", srcPort: 5060, dstIp: "10.0.0.2", dstPort: 5060, transport: "udp" };
export const DOWN: SipTuple = { srcIp: "10.0.0.2", srcPort: 5060, dstIp: "10.0.0.1", dstPort: 5060, transport: "udp" };

/** Builds a message: `start` line, CSeq, tags; `sdp` becomes the body. */
export function sipBytes(
  start: string,
  cseq: string,
  options: { toTag?: string; fromTag?: string; sdp?: string; callId?: string } = {},
): Uint8Array {
  const body = options.sdp ?? "";
  const lines = [
    start,
    "Via: SIP/2.0/UDP 10.0.0.1;branch=z9hG4bK1",
    `From: <sip:alice@a>;tag=${options.fromTag ?? "alice"}`,
    `To: <sip:bob@b>${options.toTag ? `;tag=${options.toTag}` : ""}`,
    `Call-ID: ${options.callId ?? "call-1"}`,
    `CSeq: ${cseq}`,
    ...(body ? ["Content-Type: application/sdp"] : []),
    `Content-Length: ${body.length}`,
    "",
    body,
  ];
  return new TextEncoder().encode(lines.join("\r\n"));
}

/** Parses `sipBytes` output (throws in tests only). */
export function sip(start: string, cseq: string, options: Parameters<typeof sipBytes>[2] = {}): SipMessage {
  const result = parseSipMessage(sipBytes(start, cseq, options));
  if (result.kind !== "message") throw new Error(`Cannot parse test message "${start}"`);
  return result.message;
}

/** An SDP body with one audio line. */
export function sdp(address: string, port: number, extra = ""): string {
  return `v=0\r\no=- 1 1 IN IP4 ${address}\r\ns=-\r\nc=IN IP4 ${address}\r\nt=0 0\r\nm=audio ${port} RTP/AVP 0 101\r\na=rtpmap:101 telephone-event/8000\r\n${extra}`;
}
