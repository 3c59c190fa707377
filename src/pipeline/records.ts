/**
 * The typed records of the pipeline, one interface per `type`, and their builders. Every record is the common
 * fields (`record_base.ts`) plus one object named after its type: `sip`, `call`, `rtp_stream`, `rtcp`, `dns`,
 * `http`, `rtp_packet`. Field names are snake_case; docs/records.md is the reference.
 * @module
 */

import type { SipAddress, SipMessage, SipReason, SipVia } from "../protocols/sip/mod.ts";
import { isSdpContentType } from "../protocols/sip/mod.ts";
import type { CallRecord, RtcpRecord, RtpPacketRecord, RtpStreamRecord } from "../protocols/calls/mod.ts";
import { dnsEvent, type DnsTransaction } from "../protocols/dns/mod.ts";
import { httpEvent, type HttpTransaction } from "../protocols/http/mod.ts";
import type { RecordBase } from "./record_base.ts";
import { RtpPacketJsonRecord } from "./rtp_packet_json_record.ts";
import { snakeCaseKeys } from "./snake_case.ts";

/** A From/To/Contact value. */
export interface SipAddressFields {
  uri: string;
  display_name?: string;
  tag?: string;
  params?: string;
}

/** One Via value. */
export interface SipViaFields {
  transport: string;
  host: string;
  port?: number;
  branch?: string;
  received?: string;
  rport?: number;
}

/** The `sip` object of a `sip` record: one SIP message. */
export interface SipFields {
  kind: "request" | "response";
  /** Requests only. */
  method?: string;
  request_uri?: string;
  /** Responses only; a number. */
  status_code?: number;
  reason_phrase?: string;
  call_id: string;
  cseq: { seq: number; method: string };
  from?: SipAddressFields;
  to?: SipAddressFields;
  /** Every Via in message order, top-most first. */
  vias: SipViaFields[];
  contacts?: SipAddressFields[];
  user_agent?: string;
  server?: string;
  content_type?: string;
  content_length?: number;
  reasons?: { protocol: string; cause?: number; text?: string }[];
  max_forwards?: number;
  expires?: number;
  body_bytes: number;
  /** The body is SDP. */
  sdp: boolean;
}

/** One SIP message. */
export interface SipRecord extends RecordBase {
  type: "sip";
  sip: SipFields;
}

/** One call (from `CallRecord`, snake_case): emitted when the call ends, fails, times out or the capture ends. */
export interface CallRecordOut extends RecordBase {
  type: "call";
  call: Record<string, unknown>;
}

/** Statistics of one RTP stream (from `RtpStreamRecord`, snake_case): periodic and final. */
export interface RtpStreamRecordOut extends RecordBase {
  type: "rtp_stream";
  rtp_stream: Record<string, unknown>;
}

/** One RTCP compound packet (from `RtcpRecord`, snake_case). */
export interface RtcpRecordOut extends RecordBase {
  type: "rtcp";
  rtcp: Record<string, unknown>;
}

/** The `rtp_packet` object: one RTP packet of a bound stream (only when the `rtp_packet` protocol is asked for). */
export interface RtpPacketFields {
  call_id: string;
  ssrc: number;
  seq: number;
  timestamp: number;
  payload_type: number;
  marker: boolean;
  payload_bytes: number;
  codec: string;
  clock_rate: number;
  media: string;
}

/** One RTP packet. */
export interface RtpPacketRecordOut extends RecordBase {
  type: "rtp_packet";
  rtp_packet: RtpPacketFields;
}

/** One DNS transaction (query and response, or one of them with `notes`). */
export interface DnsRecordOut extends RecordBase {
  type: "dns";
  dns: Record<string, unknown>;
}

/** One HTTP transaction (request and response, or one of them with `notes`). */
export interface HttpRecordOut extends RecordBase {
  type: "http";
  http: Record<string, unknown>;
}

/** Every record the pipeline emits. */
export type PipelineRecord =
  | SipRecord
  | CallRecordOut
  | RtpStreamRecordOut
  | RtcpRecordOut
  | RtpPacketRecordOut
  | DnsRecordOut
  | HttpRecordOut;

function addressFields(address: SipAddress): SipAddressFields {
  const fields: SipAddressFields = { uri: address.uri };
  if (address.displayName !== "") fields.display_name = address.displayName;
  if (address.tag !== "") fields.tag = address.tag;
  if (address.params !== "") fields.params = address.params;
  return fields;
}

function viaFields(via: SipVia): SipViaFields {
  const fields: SipViaFields = { transport: via.transport, host: via.host };
  if (via.port !== undefined) fields.port = via.port;
  if (via.branch !== "") fields.branch = via.branch;
  if (via.received !== "") fields.received = via.received;
  if (via.rport !== undefined) fields.rport = via.rport;
  return fields;
}

function reasonFields(reason: SipReason): { protocol: string; cause?: number; text?: string } {
  const fields: { protocol: string; cause?: number; text?: string } = { protocol: reason.protocol };
  if (reason.cause !== undefined) fields.cause = reason.cause;
  if (reason.text !== "") fields.text = reason.text;
  return fields;
}

/** The `sip` object of a parsed message. */
export function sipFields(message: SipMessage): SipFields {
  const fields: SipFields = message.kind === "request"
    ? { kind: "request", method: message.method, request_uri: message.requestUri } as SipFields
    : { kind: "response", status_code: message.statusCode, reason_phrase: message.reasonPhrase } as SipFields;
  fields.call_id = message.callId;
  fields.cseq = { seq: message.cseq.seq, method: message.cseq.method };
  if (message.from !== undefined) fields.from = addressFields(message.from);
  if (message.to !== undefined) fields.to = addressFields(message.to);
  fields.vias = message.vias.map(viaFields);
  if (message.contacts.length > 0) fields.contacts = message.contacts.map(addressFields);
  if (message.userAgent !== "") fields.user_agent = message.userAgent;
  if (message.server !== "") fields.server = message.server;
  if (message.contentType !== "") fields.content_type = message.contentType;
  if (message.contentLength !== undefined) fields.content_length = message.contentLength;
  if (message.reasons.length > 0) fields.reasons = message.reasons.map(reasonFields);
  if (message.maxForwards !== undefined) fields.max_forwards = message.maxForwards;
  if (message.expires !== undefined) fields.expires = message.expires;
  fields.body_bytes = message.bodyLength;
  fields.sdp = message.bodyLength > 0 && isSdpContentType(message.contentType);
  return fields;
}

/** A `sip` record. */
export function sipRecord(base: RecordBase, message: SipMessage): SipRecord {
  return { ...base, type: "sip", sip: sipFields(message) };
}

/** A `call` record. */
export function callRecord(base: RecordBase, call: CallRecord): CallRecordOut {
  return { ...base, type: "call", call: snakeCaseKeys(call) as Record<string, unknown> };
}

/** An `rtp_stream` record. */
export function rtpStreamRecord(base: RecordBase, stream: RtpStreamRecord): RtpStreamRecordOut {
  return { ...base, type: "rtp_stream", rtp_stream: snakeCaseKeys(stream) as Record<string, unknown> };
}

/** An `rtcp` record; the addresses and time are in the common fields, the packets here. */
export function rtcpRecord(base: RecordBase, rtcp: RtcpRecord): RtcpRecordOut {
  const fields: Record<string, unknown> = { call_id: rtcp.callId, packets: snakeCaseKeys(rtcp.packets) };
  if (rtcp.tailError !== undefined) fields.tail_error = rtcp.tailError;
  return { ...base, type: "rtcp", rtcp: fields };
}

/** An `rtp_packet` record: one per RTP packet, so it writes its own JSON (`RtpPacketJsonRecord`). */
export function rtpPacketRecord(base: RecordBase, packet: RtpPacketRecord): RtpPacketRecordOut {
  return new RtpPacketJsonRecord(base, packet);
}

/** Moves the event's top-level extras (bytes, latency, notes) into its protocol object. */
function eventFields(event: Record<string, unknown>, name: string): Record<string, unknown> {
  const fields = { ...(event[name] as Record<string, unknown>) };
  for (const [key, value] of Object.entries(event)) {
    if (key !== "type" && key !== "time_ms" && key !== "transport" && key !== name && value !== undefined) {
      fields[key] = value;
    }
  }
  return fields;
}

/** A `dns` record; `dns.client`/`dns.server` repeat the tuple in query direction. */
export function dnsRecord(base: RecordBase, transaction: DnsTransaction): DnsRecordOut {
  return { ...base, type: "dns", dns: eventFields(dnsEvent(transaction), "dns") };
}

/** An `http` record. */
export function httpRecord(base: RecordBase, transaction: HttpTransaction): HttpRecordOut {
  return { ...base, type: "http", http: eventFields(httpEvent(transaction), "http") };
}
