/**
 * `format: otus-v1`: records in the reference agent's (Otus) Kafka schema, so its consumers can switch unchanged.
 *
 * Value: `task_id`, `agent_id`, `pipeline_id` (0), `timestamp` (capture ms), `src_ip`, `dst_ip`, `src_port`,
 * `dst_port`, `protocol` (IP protocol number), `payload_type`, `labels` (string map), `raw_payload` (base64 of the
 * L4 payload, when the record carries it: see raw_payload.ts) and `raw_payload_len`. Key
 * `"src_ip:src_port-dst_ip:dst_port"`; headers `task_id`, `agent_id`, `payload_type`, `src_ip`, `dst_ip`,
 * `src_port`, `dst_port`, `timestamp` and `l.<label>`.
 *
 * `payload_type`: `sip` records → `sip`; `rtp_stream` and `rtcp` → `rtp` (as Otus labels RTCP); `call`, `dns`,
 * `http` keep their type (Otus has no such records; a per-type topic puts them on topics its consumers do not read).
 * Labels follow Otus: `sip.method`, `sip.status_code`, `sip.call_id`, `sip.from_uri`, `sip.to_uri`, `sip.via`;
 * `rtp.ssrc` (`0x%08X`), `rtp.payload_type`, `rtp.call_id`, `rtp.codec`; `rtcp.payload_type`, `rtcp.ssrc`,
 * `rtcp.call_id`; plus our RTP statistics as `rtp.packets`, `rtp.lost`, `rtp.jitter_ms`, `rtp.mos`.
 *
 * Use it in front of any output (`withOtusEnvelope(kafka, ids)`): it rewrites type, key, value and headers and the
 * Kafka output sends them as they are.
 *
 * @module
 */
import { Buffer } from "node:buffer";
import type { Output, OutputRecord, OutputStats, WriteResult } from "./output.ts";
import { rawPayloadOf } from "./raw_payload.ts";

/** Identity put in every envelope. */
export interface OtusIds {
  taskId: string;
  agentId: string;
}

type Fields = Record<string, unknown>;
const IP_PROTOCOLS: Record<string, number> = { udp: 17, tcp: 6, sctp: 132, ws: 6 };
const RTCP_TYPES: Record<string, number> = {
  sr: 200,
  rr: 201,
  sdes: 202,
  bye: 203,
  app: 204,
  rtpfb: 205,
  psfb: 206,
  xr: 207,
};

function put(labels: Record<string, string>, name: string, value: unknown): void {
  if (value !== undefined && value !== null && value !== "") labels[name] = String(value);
}

function hex32(value: unknown): string | undefined {
  return typeof value === "number" ? `0x${(value >>> 0).toString(16).toUpperCase().padStart(8, "0")}` : undefined;
}

function sipLabels(sip: Fields, labels: Record<string, string>): void {
  put(labels, "sip.method", sip.method);
  put(labels, "sip.status_code", sip.status_code);
  put(labels, "sip.call_id", sip.call_id);
  put(labels, "sip.from_uri", (sip.from as Fields | undefined)?.uri);
  put(labels, "sip.to_uri", (sip.to as Fields | undefined)?.uri);
  const vias = (sip.vias as Fields[] | undefined) ?? [];
  const text = vias.map((via) =>
    `SIP/2.0/${via.transport} ${via.host}${via.port === undefined ? "" : `:${via.port}`}` +
    (via.branch === undefined ? "" : `;branch=${via.branch}`)
  );
  put(labels, "sip.via", text.join(","));
}

/** The Otus labels of a record value. */
export function otusLabels(type: string, value: Fields): Record<string, string> {
  const labels: Record<string, string> = {};
  const inner = (value[type] ?? {}) as Fields;
  if (type === "sip") sipLabels(inner, labels);
  else if (type === "rtp_stream") {
    put(labels, "rtp.version", "2");
    put(labels, "rtp.ssrc", hex32(inner.ssrc));
    put(labels, "rtp.payload_type", inner.payload_type);
    put(labels, "rtp.call_id", inner.call_id);
    put(labels, "rtp.codec", inner.codec);
    for (const name of ["packets", "lost", "jitter_ms", "mos"]) put(labels, `rtp.${name}`, inner[name]);
  } else if (type === "rtcp") {
    const first = ((inner.packets as Fields[] | undefined) ?? [])[0] ?? {};
    put(labels, "rtcp.payload_type", RTCP_TYPES[String(first.type)] ?? first.packet_type);
    put(labels, "rtcp.ssrc", hex32(first.ssrc));
    put(labels, "rtcp.call_id", inner.call_id);
  }
  return labels;
}

/** `record` in the Otus schema (see the module documentation); byte values pass through unchanged. */
export function toOtusRecord(record: OutputRecord, ids: OtusIds): OutputRecord {
  if (record.value instanceof Uint8Array) return record;
  const value = record.value as Fields;
  const payloadType = record.type === "sip"
    ? "sip"
    : record.type === "rtp_stream" || record.type === "rtcp"
    ? "rtp"
    : record.type;
  const labels = otusLabels(record.type, value);
  const raw = rawPayloadOf(value);
  const srcPort = Number(value.src_port ?? 0);
  const dstPort = Number(value.dst_port ?? 0);
  const envelope: Fields = {
    task_id: ids.taskId,
    agent_id: ids.agentId,
    pipeline_id: 0,
    timestamp: record.timestampMs,
    src_ip: value.src_ip ?? "invalid IP",
    dst_ip: value.dst_ip ?? "invalid IP",
    src_port: srcPort,
    dst_port: dstPort,
    protocol: IP_PROTOCOLS[String(value.transport)] ?? 0,
    payload_type: payloadType,
    labels,
  };
  if (raw !== undefined && raw.length > 0) envelope.raw_payload = Buffer.from(raw).toString("base64");
  envelope.raw_payload_len = raw?.length ?? 0;
  const headers: Record<string, string> = {
    task_id: ids.taskId,
    agent_id: ids.agentId,
    payload_type: payloadType,
    src_ip: String(envelope.src_ip),
    dst_ip: String(envelope.dst_ip),
    src_port: String(srcPort),
    dst_port: String(dstPort),
    timestamp: String(record.timestampMs),
  };
  for (const [name, label] of Object.entries(labels)) headers[`l.${name}`] = label;
  const key = `${envelope.src_ip}:${srcPort}-${envelope.dst_ip}:${dstPort}`;
  return { type: payloadType, key, timestampMs: record.timestampMs, value: envelope, headers };
}

/** `output` fed with Otus envelopes instead of native records. */
export function withOtusEnvelope<T extends Output>(output: T, ids: OtusIds): Output & { inner: T } {
  return {
    name: output.name,
    inner: output,
    write: (records: readonly OutputRecord[]): WriteResult => output.write(records.map((r) => toOtusRecord(r, ids))),
    flush: (): Promise<void> => output.flush(),
    close: (): Promise<void> => output.close(),
    stats: (): OutputStats => output.stats(),
  };
}
