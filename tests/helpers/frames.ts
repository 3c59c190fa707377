/**
 * Builds Ethernet/IPv4/UDP frames byte by byte for integration tests, so a test knows exactly what was sent.
 * @module
 */
import { inNs, runOk } from "./netns.ts";

/** Fields of one test frame. */
export interface UdpFrameSpec {
  srcMac: string;
  dstMac: string;
  srcIp: string;
  dstIp: string;
  srcPort: number;
  dstPort: number;
  payload: Uint8Array;
}

function macBytes(mac: string): number[] {
  return mac.split(":").map((part) => parseInt(part, 16));
}

function ipBytes(ip: string): number[] {
  return ip.split(".").map(Number);
}

function ipv4Checksum(header: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < header.length; i += 2) sum += (header[i] << 8) | header[i + 1];
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

/** Returns an Ethernet II frame carrying IPv4/UDP with a correct IPv4 checksum (UDP checksum 0 = none). */
export function buildUdpFrame(spec: UdpFrameSpec): Uint8Array {
  const udpBytes = 8 + spec.payload.length;
  const ipBytesTotal = 20 + udpBytes;
  const frame = new Uint8Array(14 + ipBytesTotal);
  const view = new DataView(frame.buffer);
  frame.set(macBytes(spec.dstMac), 0);
  frame.set(macBytes(spec.srcMac), 6);
  view.setUint16(12, 0x0800);
  const ip = frame.subarray(14, 34);
  ip[0] = 0x45;
  view.setUint16(16, ipBytesTotal);
  ip[8] = 64; // TTL
  ip[9] = 17; // UDP
  ip.set(ipBytes(spec.srcIp), 12);
  ip.set(ipBytes(spec.dstIp), 16);
  view.setUint16(24, ipv4Checksum(ip));
  view.setUint16(34, spec.srcPort);
  view.setUint16(36, spec.dstPort);
  view.setUint16(38, udpBytes);
  frame.set(spec.payload, 42);
  return frame;
}

/** Hex encoding of a frame (the input format of send_frames.py). */
export function toHex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** A payload of `length` bytes that starts with the big-endian `sequence` number. */
export function sequencePayload(sequence: number, length: number): Uint8Array {
  const payload = new Uint8Array(Math.max(4, length));
  new DataView(payload.buffer).setUint32(0, sequence);
  for (let i = 4; i < payload.length; i++) payload[i] = (i * 7 + sequence) & 0xff;
  return payload;
}

/**
 * Sends `frames` (each `repeat` times) out of `ifname` inside namespace `ns` through an AF_PACKET socket
 * (tests/helpers/send_frames.py) and returns how many were sent.
 */
export async function sendFrames(ns: string, ifname: string, frames: Uint8Array[], repeat = 1): Promise<number> {
  const script = new URL("./send_frames.py", import.meta.url).pathname;
  const stdout = await runOk(
    inNs(ns, ["/usr/bin/python3", script, ifname, String(repeat)]),
    frames.map(toHex).join("\n") + "\n",
  );
  return Number(stdout.trim());
}
