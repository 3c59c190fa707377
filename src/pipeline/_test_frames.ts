/** Test helpers: Ethernet/IPv4/UDP/TCP/VXLAN frames between two hosts, and batches of them with chosen times. */
import { createPacketBatch, type PacketBatch } from "../capture/batch.ts";

export const HOST_A = [10, 0, 0, 1];
export const HOST_B = [10, 0, 0, 2];

export { concat } from "../capture/_test_batch.ts";
import { concat } from "../capture/_test_batch.ts";

const u16 = (value: number) => Uint8Array.from([value >> 8, value & 0xff]);
const u32 = (value: number) =>
  Uint8Array.from([value >>> 24, (value >>> 16) & 0xff, (value >>> 8) & 0xff, value & 0xff]);

/** UTF-8 bytes of `text`. */
export const text = (value: string) => new TextEncoder().encode(value);

/** Ethernet II frame, optionally 802.1Q-tagged with `vlanId`. */
export function ethernet(payload: Uint8Array, vlanId?: number, etherType = 0x0800): Uint8Array {
  const macs = Uint8Array.from([2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1]);
  if (vlanId === undefined) return concat(macs, u16(etherType), payload);
  return concat(macs, u16(0x8100), u16(vlanId), u16(etherType), payload);
}

/** IPv4 packet `src` → `dst` carrying `payload` of IP protocol `protocol`. */
export function ipv4(src: number[], dst: number[], protocol: number, payload: Uint8Array): Uint8Array {
  const header = Uint8Array.from([0x45, 0, 0, 0, 0, 1, 0, 0, 64, protocol, 0, 0, ...src, ...dst]);
  header.set(u16(20 + payload.length), 2);
  return concat(header, payload);
}

/** UDP datagram. */
export function udp(srcPort: number, dstPort: number, payload: Uint8Array): Uint8Array {
  return concat(u16(srcPort), u16(dstPort), u16(8 + payload.length), u16(0), payload);
}

/** TCP segment with sequence `seq` and `flags` (SYN 2, ACK 16, PSH 8, FIN 1). */
export function tcp(srcPort: number, dstPort: number, seq: number, flags: number, payload: Uint8Array): Uint8Array {
  return concat(
    u16(srcPort),
    u16(dstPort),
    u32(seq),
    u32(0),
    Uint8Array.from([0x50, flags]),
    u16(65535),
    u16(0),
    u16(0),
    payload,
  );
}

/** A UDP frame from `src:srcPort` to `dst:dstPort`. */
export function udpFrame(
  src: number[],
  srcPort: number,
  dst: number[],
  dstPort: number,
  payload: Uint8Array,
  vlanId?: number,
) {
  return ethernet(ipv4(src, dst, 17, udp(srcPort, dstPort, payload)), vlanId);
}

/** A TCP frame. */
export function tcpFrame(
  src: number[],
  srcPort: number,
  dst: number[],
  dstPort: number,
  seq: number,
  flags: number,
  payload: Uint8Array = new Uint8Array(0),
) {
  return ethernet(ipv4(src, dst, 6, tcp(srcPort, dstPort, seq, flags, payload)));
}

/** `inner` (an Ethernet frame) in VXLAN (VNI `vni`) over UDP 4789 between 192.168.0.1 and 192.168.0.2. */
export function vxlanFrame(inner: Uint8Array, vni: number): Uint8Array {
  const header = concat(
    Uint8Array.from([0x08, 0, 0, 0]),
    Uint8Array.from([vni >> 16, (vni >> 8) & 0xff, vni & 0xff, 0]),
  );
  return udpFrame([192, 168, 0, 1], 40000, [192, 168, 0, 2], 4789, concat(header, inner));
}

/** A batch of `frames`; frame i is captured at `startMs + i * stepMs`. */
export function batchAt(frames: Uint8Array[], startMs = 1_700_000_000_000, stepMs = 10): PacketBatch {
  const batch = createPacketBatch(Math.max(1, frames.length), concat(...frames));
  let at = 0;
  for (const frame of frames) {
    const i = batch.count++;
    const timeMs = startMs + i * stepMs;
    batch.offsets[i] = at;
    batch.capturedBytes[i] = frame.length;
    batch.wireBytes[i] = frame.length;
    batch.timestampSec[i] = Math.floor(timeMs / 1000);
    batch.timestampNsec[i] = (timeMs % 1000) * 1e6;
    at += frame.length;
  }
  return batch;
}

/** A SIP message with the usual headers; `body` gets Content-Type application/sdp when not empty. */
export function sipText(start: string, cseq: string, callId = "call-1@a", body = "", toTag = ""): string {
  return [
    start,
    "Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK-1",
    "From: <sip:alice@a>;tag=a1",
    `To: <sip:bob@b>${toTag ? `;tag=${toTag}` : ""}`,
    `Call-ID: ${callId}`,
    `CSeq: ${cseq}`,
    "Contact: <sip:alice@10.0.0.1:5060>",
    ...(body ? ["Content-Type: application/sdp"] : []),
    `Content-Length: ${body.length}`,
    "",
    body,
  ].join("\r\n");
}

/** A whole call as SIP payloads in order: [payload, fromCaller]. */
export function callMessages(callId = "call-1@a"): [string, boolean][] {
  const sdp = (host: string, port: number) =>
    `v=0\r\no=- 1 1 IN IP4 ${host}\r\ns=-\r\nc=IN IP4 ${host}\r\nt=0 0\r\nm=audio ${port} RTP/AVP 8\r\n`;
  return [
    [sipText("INVITE sip:bob@b SIP/2.0", "1 INVITE", callId, sdp("10.0.0.1", 4000)), true],
    [sipText("SIP/2.0 180 Ringing", "1 INVITE", callId, "", "b1"), false],
    [sipText("SIP/2.0 200 OK", "1 INVITE", callId, sdp("10.0.0.2", 5000), "b1"), false],
    [sipText("ACK sip:bob@b SIP/2.0", "1 ACK", callId, "", "b1"), true],
    [sipText("BYE sip:bob@b SIP/2.0", "2 BYE", callId, "", "b1"), true],
    [sipText("SIP/2.0 200 OK", "2 BYE", callId, "", "b1"), false],
  ];
}
