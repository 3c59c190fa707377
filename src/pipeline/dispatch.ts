/**
 * `Dispatcher`: which parser gets which payload. Per decoded packet (its innermost level):
 * - UDP: media first (a payload to or from an endpoint bound by SDP is RTP or RTCP, whatever its first bytes), then
 *   SIP by detection on any port, then DNS on the DNS ports;
 * - TCP: stream reassembly, then per connection SIP / HTTP by detection, SIP over WebSocket by its handshake, or DNS
 *   by port (`tcp_apps.ts`);
 * - SCTP: each whole DATA chunk is a datagram-like payload for SIP.
 * Packets that match nothing cost a few comparisons and allocate nothing.
 * @module
 */

import type { CallCapture } from "./call_capture.ts";
import { formatAddress } from "../decode/format.ts";
import { createSctpCounters, createSctpDataChunk, forEachSctpData, SctpDataFlag } from "../decode/sctp.ts";
import type { SctpCounters, SctpDataChunk } from "../decode/sctp.ts";
import { IpProtocol, type PacketSummary } from "../decode/summary.ts";
import { TcpReassembler } from "../decode/tcp_stream/reassembler.ts";
import type { TcpStreamLimits } from "../decode/tcp_stream/limits.ts";
import { VoipTracker, type VoipTrackerOptions } from "../protocols/calls/mod.ts";
import { DnsTransactions, parseDnsMessage } from "../protocols/dns/mod.ts";
import { createHttpStats, type HttpStats } from "../protocols/http/mod.ts";
import { detectSip, parseSipMessage, type SipDialogMessage } from "../protocols/sip/mod.ts";
import type { RecordEmitter } from "./emitter.ts";
import type { ProtocolPlan } from "./protocols.ts";
import { type RecordTuple, tupleOfSummary } from "./record_base.ts";
import { SctpMessages } from "./sctp_messages.ts";
import { NativeSip } from "./native_sip.ts";
import { mayStartSip } from "./sip_prefilter.ts";
import type { PipelineCounters } from "./stats.ts";
import { TcpApps } from "./tcp_apps.ts";

/** Transports SIP messages are counted by. */
type SipTransport = "udp" | "tcp" | "sctp" | "ws";

/** DNS ports by default: DNS and multicast DNS. */
export const DNS_PORTS_DEFAULT: readonly number[] = [53, 5353];

/** Options of a `Dispatcher`. */
export interface DispatcherOptions {
  plan: ProtocolPlan;
  emitter: RecordEmitter;
  counters: PipelineCounters;
  /** UDP/TCP ports whose payloads are parsed as DNS. @default [53, 5353] */
  dnsPorts?: readonly number[];
  voip?: VoipTrackerOptions;
  tcp?: Partial<TcpStreamLimits>;
  dnsTimeoutMs?: number;
  dnsTransactionsMax?: number;
  httpTimeoutMs?: number;
  /** Parse SIP with the native parser when the library is there (`NativeSip.open()`). @default true */
  nativeSip?: boolean;
}

/** Routes decoded packets to parsers and trackers. One per pipeline (it holds per-flow state). */
export class Dispatcher {
  readonly voip: VoipTracker | undefined;
  /** Per-call packet capture, when a task asked for it (set by the pipeline). */
  callCapture: CallCapture | undefined;
  readonly dns: DnsTransactions | undefined;
  readonly tcp: TcpReassembler | undefined;
  readonly apps: TcpApps | undefined;
  readonly httpStats: HttpStats = createHttpStats();
  readonly sctpCounters: SctpCounters = createSctpCounters();
  readonly sctpMessages: SctpMessages = new SctpMessages();
  readonly #plan: ProtocolPlan;
  readonly #emitter: RecordEmitter;
  readonly #counters: PipelineCounters;
  readonly #dnsPorts: ReadonlySet<number>;
  readonly #chunk: SctpDataChunk = createSctpDataChunk();
  readonly #visitChunk: (chunk: SctpDataChunk) => void;
  readonly #nativeSip: NativeSip | undefined;
  #summary: PacketSummary | undefined;
  #timeMs = 0;

  constructor(options: DispatcherOptions) {
    const { plan, emitter, counters } = options;
    this.#plan = plan;
    this.#emitter = emitter;
    this.#counters = counters;
    this.#dnsPorts = new Set(options.dnsPorts ?? DNS_PORTS_DEFAULT);
    this.voip = plan.voip
      ? new VoipTracker((record) => emitter.voip(record), { ...options.voip, packetRecords: plan.rtpPackets })
      : undefined;
    this.dns = plan.dns
      ? new DnsTransactions({
        emit: (transaction) => emitter.dns(transaction),
        timeoutMs: options.dnsTimeoutMs,
        transactionsMax: options.dnsTransactionsMax,
      })
      : undefined;
    if (plan.tcp) {
      this.apps = new TcpApps({
        plan,
        emitter,
        counters,
        dnsPorts: this.#dnsPorts,
        dns: this.dns,
        httpStats: this.httpStats,
        httpTimeoutMs: options.httpTimeoutMs,
        onSipPayload: (payload, tuple) => this.#onSip(payload, tuple),
      });
      this.tcp = new TcpReassembler(this.apps, options.tcp);
    }
    this.#visitChunk = (chunk) => this.#onSctpChunk(chunk);
    this.#nativeSip = options.nativeSip === false ? undefined : NativeSip.open();
  }

  /** Routes one decoded level (the innermost of its packet), captured at `timeMs`. */
  dispatch(summary: PacketSummary, timeMs: number): void {
    this.#timeMs = timeMs;
    if (summary.protocol === IpProtocol.UDP) this.#udp(summary, timeMs);
    else if (summary.protocol === IpProtocol.TCP) {
      if (this.tcp === undefined) return;
      this.apps!.nowMs = timeMs;
      this.tcp.process(summary, timeMs);
    } else if (summary.protocol === IpProtocol.SCTP && this.#plan.sip) {
      this.#summary = summary;
      forEachSctpData(summary, this.#chunk, this.sctpCounters, this.#visitChunk);
      this.#summary = undefined;
    }
  }

  #udp(summary: PacketSummary, timeMs: number): void {
    if (summary.srcPort < 0 || summary.payloadOffset < 0 || summary.payloadBytes === 0) return;
    if (this.voip !== undefined && this.voip.onUdp(summary, timeMs)) {
      if (this.voip.lastCallId !== undefined) this.callCapture?.packet(this.voip.lastCallId);
      return;
    }
    const { data, payloadOffset, payloadBytes } = summary;
    if (this.#plan.sip && mayStartSip(data, payloadOffset, payloadBytes)) {
      const payload = data.subarray(payloadOffset, payloadOffset + payloadBytes);
      if (detectSip(payload) !== undefined) {
        this.#onSip(payload, tupleOfSummary(summary, this.#emitter.flowIds.hashOfPacket(summary)));
        return;
      }
    }
    if (this.dns !== undefined && (this.#dnsPorts.has(summary.dstPort) || this.#dnsPorts.has(summary.srcPort))) {
      this.#dnsUdp(summary, data.subarray(payloadOffset, payloadOffset + payloadBytes), timeMs);
    }
  }

  #dnsUdp(summary: PacketSummary, payload: Uint8Array, timeMs: number): void {
    const result = parseDnsMessage(payload);
    if (result.kind !== "message") {
      if (result.kind === "invalid") this.#counters.dnsInvalid[result.reason]++;
      return;
    }
    this.#counters.dnsMessages++;
    const tuple = tupleOfSummary(summary, -1);
    this.#emitter.rememberLink(result.message);
    this.dns!.add(result.message, {
      transport: "udp",
      sourceIp: tuple.srcIp,
      sourcePort: tuple.srcPort,
      targetIp: tuple.dstIp,
      targetPort: tuple.dstPort,
    }, timeMs);
  }

  #onSctpChunk(chunk: SctpDataChunk): void {
    const whole = SctpDataFlag.BEGIN | SctpDataFlag.END;
    const summary = this.#summary!;
    let payload: Uint8Array | undefined;
    if ((chunk.flags & whole) !== whole) {
      this.#counters.sctpFragmented++;
      payload = this.sctpMessages.add(
        sctpStreamKey(summary, chunk),
        chunk.flags,
        chunk.tsn,
        this.#chunkBytes(chunk),
        this.#timeMs,
      );
      if (payload === undefined) return;
    } else {
      if (!mayStartSip(summary.data, chunk.dataOffset, chunk.dataBytes)) return;
      payload = this.#chunkBytes(chunk);
    }
    if (detectSip(payload) === undefined) return;
    this.#onSip(payload, tupleOfSummary(summary, this.#emitter.flowIds.hashOfPacket(summary)));
  }

  #chunkBytes(chunk: SctpDataChunk): Uint8Array {
    return this.#summary!.data.subarray(chunk.dataOffset, chunk.dataOffset + chunk.dataBytes);
  }

  /**
   * Parses one SIP message (any transport), emits its record and feeds the call tracker: natively when the native
   * parser takes the message, else in TypeScript.
   */
  #onSip(payload: Uint8Array, tuple: RecordTuple): void {
    const native = this.#nativeSip;
    if (native !== undefined) {
      const outcome = native.parse(payload, this.#emitter.sipRecordHead(native.head, tuple));
      if (outcome === "message") return this.#onNativeSip(native, payload, tuple);
      if (outcome !== "fallback") {
        this.#counters.sipParser.native++;
        this.#counters.sipInvalid[outcome]++;
        return;
      }
      this.#counters.sipParser.fallback++;
    }
    const result = parseSipMessage(payload);
    if (result.kind !== "message") {
      if (result.kind === "invalid") this.#counters.sipInvalid[result.reason]++;
      return;
    }
    const message = result.message;
    this.#counters.sipMessages[tuple.transport as SipTransport]++;
    this.#emitter.sip(message, tuple, payload);
    this.#track(message, payload, tuple);
  }

  #onNativeSip(native: NativeSip, payload: Uint8Array, tuple: RecordTuple): void {
    this.#counters.sipParser.native++;
    this.#counters.sipMessages[tuple.transport as SipTransport]++;
    const callId = native.callId();
    if (this.#emitter.wants("sip")) {
      this.#emitter.sipJson(native.jsonText(), native.recordJson, callId, tuple, payload);
    }
    if (this.callCapture !== undefined || this.voip !== undefined) {
      this.#track(native.dialogMessage(callId), payload, tuple);
    }
  }

  /** Feeds a parsed message to per-call capture and the call tracker. */
  #track(message: SipDialogMessage, payload: Uint8Array, tuple: RecordTuple): void {
    const transport = tuple.transport as SipTransport;
    this.callCapture?.packet(message.callId);
    if (this.voip === undefined) return;
    if (message.kind === "request" && message.method === "INVITE") this.#emitter.rememberCallLink(message.callId);
    this.voip.onSip(message, payload, this.#timeMs, {
      srcIp: tuple.srcIp,
      srcPort: tuple.srcPort,
      dstIp: tuple.dstIp,
      dstPort: tuple.dstPort,
      transport,
    });
  }

  /** Runs timeouts at packet or wall time `nowMs`: calls, streams, DNS queries, HTTP requests, idle connections. */
  expire(nowMs: number): void {
    this.#timeMs = nowMs;
    this.voip?.expire(nowMs);
    this.dns?.expire(nowMs);
    this.apps?.expire(nowMs);
    this.sctpMessages.expire(nowMs);
    if (this.tcp !== undefined) {
      this.apps!.nowMs = nowMs;
      this.tcp.expire(nowMs);
    }
  }

  /** End of capture: closes connections (HTTP finishes), ends calls and streams, reports unanswered queries. */
  finish(nowMs: number): void {
    this.#timeMs = nowMs;
    if (this.tcp !== undefined) {
      this.apps!.nowMs = nowMs;
      this.tcp.closeAll();
    }
    this.voip?.flush(nowMs);
    this.dns?.flush();
  }
}

/** Names the direction and stream of an SCTP chunk (for joining its pieces); only fragmented chunks need one. */
function sctpStreamKey(summary: PacketSummary, chunk: SctpDataChunk): string {
  const src = formatAddress(summary.data, summary.srcAddressOffset, summary.addressBytes);
  const dst = formatAddress(summary.data, summary.dstAddressOffset, summary.addressBytes);
  const unordered = (chunk.flags & SctpDataFlag.UNORDERED) !== 0 ? "u" : "o";
  return `${src}|${summary.srcPort}|${dst}|${summary.dstPort}|${chunk.streamId}|${unordered}`;
}
