/**
 * The JSON text of an `rtp_packet` record, byte for byte `JSON.stringify(record)`, at about a third of its cost
 * (`JSON.stringify` took about 0.8 µs a record, most of the Kafka output's CPU for these records).
 *
 * Most of a record repeats packet after packet of one stream: task, addresses, flow id, Call-ID, SSRC, codec. That
 * text is kept per stream (by the stream's identity, `RtpPacketRecord.stream`, so it goes when the stream does), made
 * by `JSON.stringify` of those members, and checked against the record's own values every time: any difference makes
 * it again, so a record's text always follows its fields. The rest (times, sequence number, RTP timestamp, marker,
 * payload size) is written per record. In few pieces: V8 joins strings into a rope, which `TextEncoder.encodeInto`
 * (the Kafka batch) has to flatten first, at about 7 ns a piece; kept text is flattened once, when made.
 *
 * The record's own enumerable properties must be those `recordBase()` and `RtpPacketJsonRecord` make, in their order,
 * with values of their declared types (numbers that are not finite give `null`, as in `JSON.stringify`).
 * @module
 */

import { RECORD_SCHEMA_VERSION } from "./record_base.ts";
import type { RtpPacketFields, RtpPacketRecordOut } from "./records.ts";

/** The start of every record made by the pipeline, up to the value of `timestamp_ms`. */
const HEAD = `{"type":"rtp_packet","v":${RECORD_SCHEMA_VERSION},"timestamp_ms":`;

/** The kept text of one stream, and the values it was made from. */
class StreamJson {
  task: string | undefined;
  interface: string | undefined;
  ipVersion: number | undefined;
  transport: string | undefined;
  srcIp: string | undefined;
  srcPort: number | undefined;
  dstIp: string | undefined;
  dstPort: number | undefined;
  flowId: string | undefined;
  callId: string | undefined;
  /** NaN equals no value: `middle` is made on the stream's first record, whatever its other fields. */
  ssrc: number | undefined = NaN;
  /** From the closing quote of `timestamp_ns` to `"seq":`. */
  middle = "";
  payloadType: number | undefined;
  /** `,"payload_type":N,"marker":false,"payload_bytes":` and with `true` ("" until made). */
  markerFalse = "";
  markerTrue = "";
  codec: string | undefined;
  /** NaN, as `ssrc`. */
  clockRate: number | undefined = NaN;
  media: string | undefined;
  /** From `,"codec":` to the end. */
  end = "";
}

/** Kept text by stream (`RtpPacketRecord.stream`): it goes when the stream does. */
const streams = new WeakMap<object, StreamJson>();
/** For records without a stream: the last one's text. */
const unkeyed = new StreamJson();

/**
 * The JSON text of `record`, exactly `JSON.stringify(record)` (see the module documentation). `stream` is the
 * identity of the record's RTP stream, the same object for each of its packets.
 */
export function rtpPacketJson(record: RtpPacketRecordOut, stream: object | undefined): string {
  const packet = record.rtp_packet;
  const kept = stream === undefined ? unkeyed : streamJson(stream);
  const head = record.type === "rtp_packet" && record.v === RECORD_SCHEMA_VERSION
    ? HEAD
    : `{"type":${JSON.stringify(record.type)},"v":${numberJson(record.v)},"timestamp_ms":`;
  return `${head}${timesJson(record.timestamp_ms, record.timestamp_ns)}${middleJson(record, packet, kept)}${
    numberJson(packet.seq)
  },"timestamp":${numberJson(packet.timestamp)}${markerJson(packet, kept)}${numberJson(packet.payload_bytes)}${
    endJson(packet, kept)
  }`;
}

function streamJson(stream: object): StreamJson {
  let kept = streams.get(stream);
  if (kept === undefined) {
    kept = new StreamJson();
    streams.set(stream, kept);
  }
  return kept;
}

/** A number as `JSON.stringify` writes it. */
function numberJson(value: number): string {
  return Number.isFinite(value) ? `${value}` : "null";
}

/**
 * `ms,"timestamp_ns":"ns` without the closing quote. Usually `ns` is digits whose leading ones are `ms` (both are
 * the same capture time): then the text of `ms` is a slice of `ns`, cheaper than converting the number (about 70 ns:
 * it is past V8's small integers), and `ns` needs no escaping. Anything else goes the general way.
 */
function timesJson(ms: number, ns: string): string {
  const msDigits = ns.length - 6;
  let value = 0;
  let i = 0;
  for (; i < ns.length; i++) {
    const digit = ns.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9) break;
    if (i < msDigits) value = value * 10 + digit;
  }
  if (i < ns.length) return `${numberJson(ms)},"timestamp_ns":${JSON.stringify(ns).slice(0, -1)}`;
  // Up to 15 digits the value is exact, and no leading zero means the slice is the number's own text.
  const sliced = msDigits >= 1 && msDigits <= 15 && value === ms && (msDigits === 1 || ns.charCodeAt(0) !== 48);
  return `${sliced ? ns.slice(0, msDigits) : numberJson(ms)},"timestamp_ns":"${ns}`;
}

/** From the closing quote of `timestamp_ns` to `"seq":`: the stream's kept text unless a value differs. */
function middleJson(record: RtpPacketRecordOut, packet: RtpPacketFields, kept: StreamJson): string {
  // VLAN and tunnel lists are new arrays each packet and rare: such records are written in full.
  if (record.vlan !== undefined || record.tunnels !== undefined) return middleText(record, packet);
  if (
    kept.task !== record.task || kept.interface !== record.interface || kept.ipVersion !== record.ip_version ||
    kept.transport !== record.transport || kept.srcIp !== record.src_ip || kept.srcPort !== record.src_port ||
    kept.dstIp !== record.dst_ip || kept.dstPort !== record.dst_port || kept.flowId !== record.flow_id ||
    kept.callId !== packet.call_id || kept.ssrc !== packet.ssrc
  ) {
    kept.task = record.task;
    kept.interface = record.interface;
    kept.ipVersion = record.ip_version;
    kept.transport = record.transport;
    kept.srcIp = record.src_ip;
    kept.srcPort = record.src_port;
    kept.dstIp = record.dst_ip;
    kept.dstPort = record.dst_port;
    kept.flowId = record.flow_id;
    kept.callId = packet.call_id;
    kept.ssrc = packet.ssrc;
    kept.middle = flat(middleText(record, packet));
  }
  return kept.middle;
}

/**
 * `text` as one flat string. Text joined with `+` is a rope, and a kept rope would be walked again in every record's
 * flattening; `trim()` flattens it first and returns the flat string when there is nothing to trim (the texts kept
 * here start with `"` or `,` and end with `:` or `}`).
 */
function flat(text: string): string {
  return text.trim();
}

/**
 * The members from `task` to `ssrc`, undefined ones left out, as `JSON.stringify` writes them: the text is kept, so
 * made once by it (escaping and all) rather than in pieces.
 */
function middleText(record: RtpPacketRecordOut, packet: RtpPacketFields): string {
  const json = JSON.stringify({
    task: record.task,
    interface: record.interface,
    ip_version: record.ip_version,
    transport: record.transport,
    src_ip: record.src_ip,
    src_port: record.src_port,
    dst_ip: record.dst_ip,
    dst_port: record.dst_port,
    vlan: record.vlan,
    tunnels: record.tunnels,
    flow_id: record.flow_id,
    rtp_packet: { call_id: packet.call_id, ssrc: packet.ssrc },
  });
  // `{"task":…,"rtp_packet":{"call_id":…,"ssrc":N}}` → `","task":…,"rtp_packet":{"call_id":…,"ssrc":N,"seq":`
  return `",${json.slice(1, -2)},"seq":`;
}

/** `,"payload_type":N,"marker":B,"payload_bytes":`, kept for the stream's payload type. */
function markerJson(packet: RtpPacketFields, kept: StreamJson): string {
  if (kept.payloadType !== packet.payload_type) {
    kept.payloadType = packet.payload_type;
    kept.markerFalse = "";
    kept.markerTrue = "";
  }
  if (packet.marker === true) return kept.markerTrue ||= flat(markerText(packet));
  if (packet.marker === false) return kept.markerFalse ||= flat(markerText(packet));
  return markerText(packet);
}

/** See `markerJson` and `middleText`. */
function markerText(packet: RtpPacketFields): string {
  const json = JSON.stringify({ payload_type: packet.payload_type, marker: packet.marker });
  return `,${json.slice(1, -1)},"payload_bytes":`;
}

/**
 * From `,"codec":` to the end: the stream's kept text unless a value differs. The payload size is not in it: it
 * changes packet after packet in video.
 */
function endJson(packet: RtpPacketFields, kept: StreamJson): string {
  if (kept.codec !== packet.codec || kept.clockRate !== packet.clock_rate || kept.media !== packet.media) {
    kept.codec = packet.codec;
    kept.clockRate = packet.clock_rate;
    kept.media = packet.media;
    kept.end = flat(endText(packet));
  }
  return kept.end;
}

/** See `endJson` and `middleText`. */
function endText(packet: RtpPacketFields): string {
  const json = JSON.stringify({ codec: packet.codec, clock_rate: packet.clock_rate, media: packet.media });
  return `,${json.slice(1)}}`;
}
