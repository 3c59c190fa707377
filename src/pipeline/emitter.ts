/**
 * `RecordEmitter`: the one place records are built and queued. It knows the packet being processed (for capture
 * time, interface, VLANs and tunnels) and remembers the link context of calls and DNS queries so that records made
 * later (a call ending on timeout, an unanswered query) still say where their traffic was seen. Nothing here runs
 * for packets that produce no record.
 * @module
 */

import { attachRawPayload } from "../output/raw_payload.ts";
import { type DecodedPacket, innerLevel } from "../decode/full_decoder.ts";
import type { VoipRecord } from "../protocols/calls/mod.ts";
import type { DnsTransaction } from "../protocols/dns/mod.ts";
import type { HttpTransaction } from "../protocols/http/mod.ts";
import type { SipMessage } from "../protocols/sip/mod.ts";
import { FlowIds } from "./flow_id.ts";
import type { ProtocolPlan, RecordType } from "./protocols.ts";
import {
  type LinkContext,
  linkContextOf,
  recordBase,
  type RecordTime,
  recordTimeOfMs,
  type RecordTuple,
} from "./record_base.ts";
import type { RecordQueue } from "./record_queue.ts";
import {
  callRecord,
  dnsRecord,
  httpRecord,
  type PipelineRecord,
  rtcpRecord,
  rtpPacketRecord,
  rtpStreamRecord,
  sipRecord,
} from "./records.ts";
import { SipJsonRecord } from "./sip_json_record.ts";
import type { SipRecordHead } from "./sip_record_head.ts";

/** Link contexts of calls kept for their late records; the oldest is forgotten past this. */
export const CALL_LINKS_MAX_DEFAULT = 65536;

const IP_PROTOCOL_OF: Record<string, number> = { tcp: 6, udp: 17, sctp: 132, ws: 6 };

/** Builds records and hands them to the queue, counting them by type. */
export class RecordEmitter {
  readonly flowIds: FlowIds = new FlowIds();
  /** Records queued, by type. */
  readonly counts: Record<RecordType, number> = {
    sip: 0,
    call: 0,
    rtp_stream: 0,
    rtcp: 0,
    dns: 0,
    http: 0,
    rtp_packet: 0,
  };
  readonly #plan: ProtocolPlan;
  readonly #queue: RecordQueue;
  readonly #task: string | undefined;
  readonly #callLinks = new Map<string, LinkContext>();
  readonly #callLinksMax: number;
  readonly #messageLinks = new WeakMap<object, LinkContext>();
  #packet: DecodedPacket | undefined;
  #interfaceName: string | undefined;
  #link: LinkContext | undefined;
  #sec = 0;
  #nsec = 0;

  constructor(plan: ProtocolPlan, queue: RecordQueue, task?: string, callLinksMax = CALL_LINKS_MAX_DEFAULT) {
    this.#plan = plan;
    this.#queue = queue;
    this.#task = task;
    this.#callLinksMax = callLinksMax;
  }

  /** Sets the packet being processed (no allocation: the link context is built only if a record needs it). */
  setPacket(packet: DecodedPacket, interfaceName: string | undefined): void {
    this.#packet = packet;
    this.#interfaceName = interfaceName;
    this.#link = undefined;
    this.#sec = packet.levels[0].timestampSec;
    this.#nsec = packet.levels[0].timestampNsec;
  }

  /** No packet is being processed (timeouts, end of capture). */
  clearPacket(): void {
    this.#packet = undefined;
    this.#link = undefined;
  }

  /** True when records of `type` are wanted (build nothing otherwise). */
  wants(type: RecordType): boolean {
    return this.#plan.records.has(type);
  }

  /** Link context of the current packet; undefined between packets. */
  currentLink(): LinkContext | undefined {
    if (this.#packet === undefined) return undefined;
    return this.#link ??= linkContextOf(this.#packet, this.#interfaceName);
  }

  /** Remembers the current packet's link context for `owner` (a DNS query, an HTTP connection). */
  rememberLink(owner: object): void {
    const link = this.currentLink();
    if (link !== undefined) this.#messageLinks.set(owner, link);
  }

  /** Remembers the current packet's link context for a call's later records (first message wins). */
  rememberCallLink(callId: string): void {
    if (this.#callLinks.has(callId)) return;
    const link = this.currentLink();
    if (link === undefined) return;
    if (this.#callLinks.size >= this.#callLinksMax) {
      this.#callLinks.delete(this.#callLinks.keys().next().value!);
    }
    this.#callLinks.set(callId, link);
  }

  #time(timeMs: number | undefined): RecordTime {
    if (this.#packet !== undefined || timeMs === undefined) return { sec: this.#sec, nsec: this.#nsec };
    return recordTimeOfMs(timeMs);
  }

  #push(record: PipelineRecord): void {
    if (this.#queue.push(record)) this.counts[record.type]++;
  }

  /**
   * Emits a `sip` record for a message of the current packet. A copy of the message bytes rides along (outside the
   * JSON schema) for outputs that forward the raw message: HEP and the otus-v1 envelope.
   */
  sip(message: SipMessage, tuple: RecordTuple, payload?: Uint8Array): void {
    if (!this.wants("sip")) return;
    const base = recordBase("sip", this.#time(undefined), tuple, this.currentLink(), this.#task);
    const record = sipRecord(base, message);
    if (payload !== undefined) attachRawPayload(record, payload.slice());
    this.#push(record);
  }

  /**
   * Fills `head` with the common fields of the `sip` record of the current packet's message, for the native parser to
   * write the whole record's JSON; false when no `sip` record is wanted or the parser cannot write them.
   */
  sipRecordHead(head: SipRecordHead, tuple: RecordTuple): boolean {
    return this.wants("sip") && head.fill(this.#time(undefined), tuple, this.currentLink(), this.#task);
  }

  /**
   * Emits a `sip` record from the native parser's JSON: its `sip` object's, or with `whole` the whole record's (made
   * from what `sipRecordHead` filled); see `sip()` for `payload`.
   */
  sipJson(json: string, whole: boolean, callId: string, tuple: RecordTuple, payload?: Uint8Array): void {
    if (!this.wants("sip")) return;
    const base = recordBase("sip", this.#time(undefined), tuple, this.currentLink(), this.#task);
    const record = new SipJsonRecord(base, json, callId, whole);
    if (payload !== undefined) attachRawPayload(record, payload.slice());
    this.#push(record);
  }

  /** Told when a call ends (its record is made), whether or not call records are wanted. */
  onCallEnded: ((callId: string, endMs: number) => void) | undefined;

  /** The `VoipTracker` sink: call, rtp_stream, rtcp and rtp_packet records. */
  voip(record: VoipRecord): void {
    if (record.type === "rtp_packet") {
      if (!this.wants("rtp_packet")) return;
      const packet = record.packet;
      const tuple = this.#packetTuple(packet.srcIp, packet.srcPort, packet.dstIp, packet.dstPort);
      const base = recordBase("rtp_packet", this.#time(packet.timeMs), tuple, this.currentLink(), this.#task);
      this.#push(rtpPacketRecord(base, packet));
    } else if (record.type === "call") {
      this.onCallEnded?.(record.call.callId, record.call.endTimeMs);
      if (!this.wants("call")) return;
      const call = record.call;
      const tuple = this.#textTuple(call.transport, call.caller.ip, call.caller.port, call.callee.ip, call.callee.port);
      const link = this.#callLinks.get(call.callId);
      const base = recordBase("call", recordTimeOfMs(call.endTimeMs), tuple, link, this.#task);
      this.#push(callRecord(base, call));
    } else if (record.type === "rtp_stream") {
      if (!this.wants("rtp_stream")) return;
      const stream = record.stream;
      const tuple = this.#textTuple("udp", stream.srcIp, stream.srcPort, stream.dstIp, stream.dstPort);
      const link = this.#callLinks.get(stream.callId);
      const base = recordBase("rtp_stream", recordTimeOfMs(stream.lastSeenMs), tuple, link, this.#task);
      this.#push(rtpStreamRecord(base, stream));
    } else {
      if (!this.wants("rtcp")) return;
      const rtcp = record.rtcp;
      const tuple = this.#packetTuple(rtcp.srcIp, rtcp.srcPort, rtcp.dstIp, rtcp.dstPort);
      const base = recordBase("rtcp", this.#time(rtcp.timeMs), tuple, this.currentLink(), this.#task);
      this.#push(rtcpRecord(base, rtcp));
    }
  }

  /** The `DnsTransactions` sink. */
  dns(transaction: DnsTransaction): void {
    if (!this.wants("dns")) return;
    const { client, server } = transaction;
    const tuple = this.#textTuple(transaction.transport, client.ip, client.port, server.ip, server.port);
    const owner = transaction.request ?? transaction.response;
    const link = (owner && this.#messageLinks.get(owner)) ?? this.currentLink();
    const timeMs = transaction.requestTimeMs ?? transaction.responseTimeMs ?? 0;
    this.#push(dnsRecord(recordBase("dns", recordTimeOfMs(timeMs), tuple, link, this.#task), transaction));
  }

  /** Emits an `http` record; `owner` is the connection whose link context was remembered. */
  http(transaction: HttpTransaction, tuple: RecordTuple, owner: object): void {
    if (!this.wants("http")) return;
    const timeMs = transaction.request?.startTimeMs ?? transaction.response?.startTimeMs ?? 0;
    const link = this.#messageLinks.get(owner) ?? this.currentLink();
    this.#push(httpRecord(recordBase("http", recordTimeOfMs(timeMs), tuple, link, this.#task), transaction));
  }

  /**
   * The UDP tuple of a record made for the current packet (RTP, RTCP), its addresses as text: the flow hash comes from
   * the packet itself (the same hash, `FlowIds`), not from parsing the text again per packet.
   */
  #packetTuple(srcIp: string, srcPort: number, dstIp: string, dstPort: number): RecordTuple {
    const packet = this.#packet;
    if (packet === undefined) return this.#textTuple("udp", srcIp, srcPort, dstIp, dstPort);
    const flowHash = this.flowIds.hashOfPacket(innerLevel(packet));
    return { ipVersion: srcIp.includes(":") ? 6 : 4, transport: "udp", srcIp, srcPort, dstIp, dstPort, flowHash };
  }

  #textTuple(transport: string, srcIp: string, srcPort: number, dstIp: string, dstPort: number): RecordTuple {
    const protocol = IP_PROTOCOL_OF[transport] ?? IP_PROTOCOL_OF.udp;
    return {
      ipVersion: srcIp.includes(":") ? 6 : 4,
      transport,
      srcIp,
      srcPort,
      dstIp,
      dstPort,
      flowHash: this.flowIds.hashOfText(protocol, srcIp, srcPort, dstIp, dstPort),
    };
  }
}
