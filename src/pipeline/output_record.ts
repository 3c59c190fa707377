/**
 * Records → `OutputRecord`s (the `Output` contract of src/output/output.ts) with a key strategy:
 * - `flow`: the symmetric `flow_id`, so both directions of a flow land in one partition;
 * - `call_id`: the Call-ID of SIP, call, RTP stream, RTP packet and RTCP records (a call's records stay together), falling back
 *   to `flow_id` for records that have none (DNS, HTTP, media not bound to a call);
 * - `none`: no key (round-robin partitioning).
 * @module
 */

import type { OutputRecord } from "../output/output.ts";
import type { PipelineRecord } from "./records.ts";
import { SipJsonRecord } from "./sip_json_record.ts";

/** Key strategies a task may choose. */
export const KEY_STRATEGIES = ["flow", "call_id", "none"] as const;

/** One member of `KEY_STRATEGIES`. */
export type KeyStrategy = typeof KEY_STRATEGIES[number];

/** The Call-ID a record belongs to, if any ("" from unbound media counts as none). */
export function recordCallId(record: PipelineRecord): string | undefined {
  let callId: unknown;
  if (record instanceof SipJsonRecord) callId = record.callId;
  else if (record.type === "sip") callId = record.sip.call_id;
  else if (record.type === "call") callId = record.call.call_id;
  else if (record.type === "rtp_stream") callId = record.rtp_stream.call_id;
  else if (record.type === "rtcp") callId = record.rtcp.call_id;
  else if (record.type === "rtp_packet") callId = record.rtp_packet.call_id;
  return typeof callId === "string" && callId !== "" ? callId : undefined;
}

/** The key of `record` under `strategy`; undefined means no key. */
export function recordKey(record: PipelineRecord, strategy: KeyStrategy): string | undefined {
  if (strategy === "none") return undefined;
  if (strategy === "call_id") return recordCallId(record) ?? record.flow_id;
  return record.flow_id;
}

/** Wraps a record for an output: type, key, capture time and the record itself as the JSON value. */
export function toOutputRecord(record: PipelineRecord, strategy: KeyStrategy = "flow"): OutputRecord {
  const out: OutputRecord = { type: record.type, timestampMs: record.timestamp_ms, value: record };
  const key = recordKey(record, strategy);
  if (key !== undefined) out.key = key;
  return out;
}
