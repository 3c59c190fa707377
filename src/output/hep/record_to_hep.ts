/**
 * Pipeline records (docs/records.md) to HEP messages. Protocol types (chunk 11) and payloads:
 *
 * | record       | type               | payload (chunk 15)                                 | correlation id (17) |
 * | ------------ | ------------------ | -------------------------------------------------- | ------------------- |
 * | `sip`        | 1 SIP              | the raw SIP message (`raw_payload.ts`); required   | Call-ID             |
 * | `rtcp`       | 5 RTCP             | JSON of the record's `rtcp` object                 | Call-ID when bound  |
 * | `rtp_stream` | 34 RTP stats       | JSON of the record's `rtp_stream` object           | Call-ID when bound  |
 * | `call`       | 100 JSON/log       | JSON of the record's `call` object                 | Call-ID             |
 * | `dns`,`http` | 100 JSON/log       | JSON of the protocol object                        | none                |
 *
 * A record with a raw payload attached is sent with those bytes whatever its type (e.g. a raw RTCP packet would go
 * as type 5 with its binary payload). Records without addresses, and `sip` records without their message text
 * (nothing a collector could show), are not sent and are counted by the output.
 *
 * @module
 */
import type { OutputRecord } from "../output.ts";
import { rawPayloadOf } from "../raw_payload.ts";
import { type HepMessage, HepProtocolType } from "./encoder.ts";

/** Why a record has no HEP message. */
export type HepSkipReason = "no_address" | "no_payload" | "not_a_record";

const encoder = new TextEncoder();
const IP_PROTOCOLS: Record<string, number> = { udp: 17, tcp: 6, sctp: 132, ws: 6 };
const PROTOCOL_TYPES: Record<string, number> = {
  sip: HepProtocolType.SIP,
  rtcp: HepProtocolType.RTCP,
  rtp_stream: HepProtocolType.RTP_STATS,
};

type RecordFields = Record<string, unknown>;

/** The Call-ID of a record value ("" counts as none). */
export function callIdOf(value: RecordFields, type: string): string | undefined {
  const inner = value[type];
  if (typeof inner !== "object" || inner === null) return undefined;
  const callId = (inner as RecordFields).call_id;
  return typeof callId === "string" && callId !== "" ? callId : undefined;
}

function captureTime(value: RecordFields, timestampMs: number): { sec: number; usec: number } {
  const ns = value.timestamp_ns;
  if (typeof ns === "string" && /^\d{10,}$/.test(ns)) {
    return { sec: Number(ns.slice(0, -9)), usec: Math.floor(Number(ns.slice(-9)) / 1000) };
  }
  const sec = Math.floor(timestampMs / 1000);
  return { sec, usec: Math.floor((timestampMs - sec * 1000) * 1000) };
}

function payloadOf(value: RecordFields, type: string): Uint8Array | undefined {
  const raw = rawPayloadOf(value);
  if (raw !== undefined) return raw;
  if (type === "sip") return undefined;
  const inner = value[type];
  return encoder.encode(JSON.stringify(inner ?? value));
}

/** The HEP message of `record`, or why there is none. */
export function hepMessageOf(record: OutputRecord): HepMessage | HepSkipReason {
  if (record.value instanceof Uint8Array) return "not_a_record";
  const value = record.value as RecordFields;
  const { src_ip: srcIp, dst_ip: dstIp } = value;
  if (typeof srcIp !== "string" || typeof dstIp !== "string") return "no_address";
  let payload: Uint8Array | undefined;
  try {
    payload = payloadOf(value, record.type);
  } catch {
    return "no_payload"; // BigInt or a cycle: nothing to send.
  }
  if (payload === undefined) return "no_payload";
  const time = captureTime(value, record.timestampMs);
  const callId = callIdOf(value, record.type);
  const message: HepMessage = {
    ipVersion: srcIp.includes(":") ? 6 : 4,
    ipProtocol: IP_PROTOCOLS[String(value.transport)] ?? 17,
    srcIp,
    dstIp,
    srcPort: Number(value.src_port ?? 0) & 0xffff,
    dstPort: Number(value.dst_port ?? 0) & 0xffff,
    timeSec: time.sec,
    timeUsec: time.usec,
    protocolType: PROTOCOL_TYPES[record.type] ?? HepProtocolType.LOG,
    payload,
  };
  if (callId !== undefined) message.correlationId = encoder.encode(callId);
  return message;
}
