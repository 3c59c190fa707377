/**
 * The body of one RTCP packet → its typed form. `at` is the start of the body (after the 4-byte common header),
 * `end` the end without padding; `count` is the 5-bit RC/SC/FMT field. Returns a reason when the body does not fit.
 * @module
 */
import { u16, u32 } from "./_read.ts";
import { readReportBlock, readVoipMetrics, REPORT_BLOCK_BYTES, VOIP_METRICS_BLOCK_BYTES } from "./blocks.ts";
import {
  type RtcpInvalidReason,
  type RtcpPacket,
  type RtcpReportBlock,
  type RtcpSdesChunk,
  RtcpType,
} from "./types.ts";

const latin1 = new TextDecoder("latin1");
const utf8 = new TextDecoder("utf-8");

/** Most XR blocks read from one packet (the length field bounds the loop anyway; this bounds the work). */
export const XR_BLOCKS_MAX = 64;

/** Decodes one packet body. */
export function readRtcpBody(
  data: Uint8Array,
  packetType: number,
  count: number,
  at: number,
  end: number,
): RtcpPacket | RtcpInvalidReason {
  switch (packetType) {
    case RtcpType.SR: {
      if (at + 24 > end) return "truncated";
      const reports = readReports(data, at + 24, end, count);
      if (reports === undefined) return "body_overflow";
      return {
        type: "sr",
        ssrc: u32(data, at),
        ntpSeconds: u32(data, at + 4),
        ntpFraction: u32(data, at + 8),
        rtpTimestamp: u32(data, at + 12),
        packetCount: u32(data, at + 16),
        octetCount: u32(data, at + 20),
        reports,
      };
    }
    case RtcpType.RR: {
      if (at + 4 > end) return "truncated";
      const reports = readReports(data, at + 4, end, count);
      return reports === undefined ? "body_overflow" : { type: "rr", ssrc: u32(data, at), reports };
    }
    case RtcpType.SDES:
      return readSdes(data, count, at, end);
    case RtcpType.BYE:
      return readBye(data, count, at, end);
    case RtcpType.APP:
      if (at + 8 > end) return "truncated";
      return {
        type: "app",
        subtype: count,
        ssrc: u32(data, at),
        name: latin1.decode(data.subarray(at + 4, at + 8)),
        dataBytes: end - at - 8,
      };
    case RtcpType.RTPFB:
    case RtcpType.PSFB:
      if (at + 8 > end) return "truncated";
      return {
        type: packetType === RtcpType.RTPFB ? "rtpfb" : "psfb",
        format: count,
        ssrc: u32(data, at),
        mediaSsrc: u32(data, at + 4),
      };
    case RtcpType.XR:
      return readXr(data, at, end);
  }
  return { type: "unknown", packetType };
}

function readReports(data: Uint8Array, at: number, end: number, count: number): RtcpReportBlock[] | undefined {
  if (at + count * REPORT_BLOCK_BYTES > end) return undefined;
  const reports: RtcpReportBlock[] = [];
  for (let i = 0; i < count; i++) reports.push(readReportBlock(data, at + i * REPORT_BLOCK_BYTES));
  return reports;
}

function readSdes(data: Uint8Array, count: number, at: number, end: number): RtcpPacket | RtcpInvalidReason {
  const chunks: RtcpSdesChunk[] = [];
  let cursor = at;
  for (let i = 0; i < count; i++) {
    if (cursor + 4 > end) return "body_overflow";
    const chunk: RtcpSdesChunk = { ssrc: u32(data, cursor), cname: "", items: [] };
    cursor += 4;
    // Items until a zero type byte; the chunk then pads to a 32-bit boundary.
    while (true) {
      if (cursor >= end) return "body_overflow";
      const itemType = data[cursor]!;
      if (itemType === 0) break;
      if (cursor + 2 > end) return "body_overflow";
      const valueBytes = data[cursor + 1]!;
      if (cursor + 2 + valueBytes > end) return "body_overflow";
      const value = utf8.decode(data.subarray(cursor + 2, cursor + 2 + valueBytes));
      chunk.items.push({ itemType, value });
      if (itemType === 1 && chunk.cname === "") chunk.cname = value;
      cursor += 2 + valueBytes;
    }
    cursor = (cursor - at + 4) & ~3;
    cursor += at;
    chunks.push(chunk);
  }
  return { type: "sdes", chunks };
}

function readBye(data: Uint8Array, count: number, at: number, end: number): RtcpPacket | RtcpInvalidReason {
  if (at + 4 * count > end) return "body_overflow";
  const ssrcs: number[] = [];
  for (let i = 0; i < count; i++) ssrcs.push(u32(data, at + 4 * i));
  let reason = "";
  const reasonAt = at + 4 * count;
  if (reasonAt < end) {
    const reasonBytes = data[reasonAt]!;
    if (reasonAt + 1 + reasonBytes > end) return "body_overflow";
    reason = utf8.decode(data.subarray(reasonAt + 1, reasonAt + 1 + reasonBytes));
  }
  return { type: "bye", ssrcs, reason };
}

function readXr(data: Uint8Array, at: number, end: number): RtcpPacket | RtcpInvalidReason {
  if (at + 4 > end) return "truncated";
  const xr = {
    type: "xr" as const,
    ssrc: u32(data, at),
    voipMetrics: [] as ReturnType<typeof readVoipMetrics>[],
    otherBlocks: 0,
  };
  let cursor = at + 4;
  for (let blocks = 0; cursor < end && blocks < XR_BLOCKS_MAX; blocks++) {
    if (cursor + 4 > end) return "body_overflow";
    const blockType = data[cursor]!;
    const blockBytes = 4 + 4 * u16(data, cursor + 2);
    if (cursor + blockBytes > end) return "body_overflow";
    if (blockType === 7 && blockBytes >= VOIP_METRICS_BLOCK_BYTES) xr.voipMetrics.push(readVoipMetrics(data, cursor));
    else xr.otherBlocks++;
    cursor += blockBytes;
  }
  return xr;
}
