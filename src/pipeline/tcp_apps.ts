/**
 * Applications over reassembled TCP: the `TcpStreamHandler` the pipeline gives `TcpReassembler`. The first bytes of
 * a connection decide what it carries — DNS by port, SIP and HTTP by detection on any port, SIP over WebSocket
 * (RFC 7118) by its upgrade handshake — and the connection keeps that parser until it closes. While SIP is wanted, a
 * connection starting with GET is WebSocket until its request head says otherwise; then it becomes HTTP with every
 * byte so far. A connection whose handshake came before the capture is WebSocket when a delivery starts with a
 * frame carrying a SIP start line. A connection nothing recognises within a few deliveries is left alone (its
 * bytes still pass through reassembly but reach no parser and allocate nothing).
 * @module
 */

import { formatAddress } from "../decode/format.ts";
import type { TcpConnection, TcpStreamHandler } from "../decode/tcp_stream/reassembler.ts";
import type { DnsInvalidReason, DnsMessage, DnsTransactions } from "../protocols/dns/mod.ts";
import { detectHttp, HttpConnection, type HttpStats } from "../protocols/http/mod.ts";
import { detectSip, SIP_BODY_BYTES_MAX, SIP_HEADER_BYTES_MAX, type SipInvalidReason } from "../protocols/sip/mod.ts";
import {
  createWebSocketStats,
  detectWebSocketSip,
  WebSocketConnection,
  type WebSocketStats,
} from "../protocols/websocket/mod.ts";
import { DnsStream } from "./dns_stream.ts";
import type { RecordEmitter } from "./emitter.ts";
import type { ProtocolPlan } from "./protocols.ts";
import type { RecordTuple } from "./record_base.ts";
import { SipStream } from "./sip_stream.ts";
import type { PipelineCounters } from "./stats.ts";

/** Deliveries of data tried for detection before a connection is given up on (mid-stream pickup needs several). */
export const DETECT_ATTEMPTS_MAX = 8;

/** A WebSocket message (compressed or inflated) holds one SIP message: the largest a stream may carry. */
const WS_SIP_BYTES_MAX = SIP_HEADER_BYTES_MAX + SIP_BODY_BYTES_MAX;

const enum AppKind {
  UNDECIDED,
  SIP,
  HTTP,
  DNS,
  /** SIP over WebSocket (also while its handshake is being read). */
  WEBSOCKET,
  NONE,
}

const GET = [0x47, 0x45, 0x54, 0x20];

function startsWithGet(data: Uint8Array, offset: number, bytes: number): boolean {
  return bytes >= 4 && data[offset] === GET[0] && data[offset + 1] === GET[1] && data[offset + 2] === GET[2] &&
    data[offset + 3] === GET[3];
}

/** What `TcpApps` needs from the rest of the pipeline. */
export interface TcpAppsContext {
  plan: ProtocolPlan;
  emitter: RecordEmitter;
  counters: PipelineCounters;
  dnsPorts: ReadonlySet<number>;
  dns: DnsTransactions | undefined;
  httpStats: HttpStats;
  httpTimeoutMs: number | undefined;
  /** Handles one SIP message cut from a stream (shared with UDP and SCTP). */
  onSipPayload(payload: Uint8Array, tuple: RecordTuple): void;
}

/** Per-connection state (created at its first data). */
class TcpApp {
  kind: AppKind = AppKind.UNDECIDED;
  attempts = 0;
  /** Tuples of direction 0 (client → server) and 1, built once the application is known. */
  tuples: [RecordTuple, RecordTuple] | undefined;
  sip: [SipStream, SipStream] | undefined;
  http: HttpConnection | undefined;
  dns: [DnsStream, DnsStream] | undefined;
  ws: WebSocketConnection | undefined;
}

/** Routes reassembled TCP bytes to SIP, HTTP and DNS. One per pipeline. */
export class TcpApps implements TcpStreamHandler {
  /** Packet time of the segment being delivered; the pipeline sets it before each `TcpReassembler.process`. */
  nowMs = 0;
  /** WebSocket counters of every connection. */
  readonly wsStats: WebSocketStats = createWebSocketStats();
  readonly #context: TcpAppsContext;
  readonly #httpConnections = new Set<HttpConnection>();
  #sipTuple: RecordTuple | undefined;
  #dnsTuple: RecordTuple | undefined;
  #wsTuples: [RecordTuple, RecordTuple] | undefined;
  readonly #wsSink: { message(direction: number, payload: Uint8Array): void };
  readonly #sipSink: { message(payload: Uint8Array): void; invalid(reason: SipInvalidReason): void };
  readonly #dnsSink: { message(message: DnsMessage): void; invalid(reason: DnsInvalidReason): void };

  constructor(context: TcpAppsContext) {
    this.#context = context;
    // One sink object each, pointed at the current tuple, so framing a message allocates no closure.
    this.#sipSink = {
      message: (payload) => context.onSipPayload(payload, this.#sipTuple!),
      invalid: (reason) => context.counters.sipInvalid[reason]++,
    };
    this.#wsSink = { message: (direction, payload) => this.#onWsMessage(direction, payload) };
    this.#dnsSink = {
      message: (message) => this.#onDnsMessage(message),
      invalid: (reason) => context.counters.dnsInvalid[reason]++,
    };
  }

  /** In-order bytes of one direction. */
  onData(connection: TcpConnection, direction: number, data: Uint8Array, offset: number, bytes: number): void {
    let app = connection.state as TcpApp | undefined;
    if (app === undefined) connection.state = app = new TcpApp();
    if (app.kind === AppKind.UNDECIDED) this.#detect(connection, app, data, offset, bytes);
    switch (app.kind) {
      case AppKind.SIP:
        this.#sipTuple = app.tuples![direction];
        app.sip![direction].push(data, offset, bytes, this.#sipSink);
        break;
      case AppKind.HTTP:
        app.http!.feed(direction as 0 | 1, data.subarray(offset, offset + bytes), this.nowMs);
        break;
      case AppKind.DNS:
        this.#dnsTuple = app.tuples![direction];
        app.dns![direction].push(data, offset, bytes, this.#dnsSink);
        break;
      case AppKind.WEBSOCKET:
        this.#onWsData(connection, app, direction, data, offset, bytes);
        break;
    }
  }

  /** Bytes lost in one direction. */
  onGap(connection: TcpConnection, direction: number, bytes: number): void {
    const app = connection.state as TcpApp | undefined;
    if (app === undefined) return;
    if (app.kind === AppKind.SIP) app.sip![direction].gap();
    else if (app.kind === AppKind.HTTP) app.http!.gap(direction as 0 | 1, bytes, this.nowMs);
    else if (app.kind === AppKind.DNS) app.dns![direction].gap();
    else if (app.kind === AppKind.WEBSOCKET) app.ws!.gap(direction);
  }

  /** The connection ended: HTTP finishes bodies read until close and reports requests left unanswered. */
  onClose(connection: TcpConnection): void {
    const app = connection.state as TcpApp | undefined;
    if (app?.http === undefined) return;
    app.http.close(this.nowMs);
    this.#httpConnections.delete(app.http);
  }

  /** Reports HTTP requests that waited too long for their response. */
  expire(nowMs: number): void {
    for (const http of this.#httpConnections) http.expire(nowMs);
  }

  /** HTTP connections tracked. */
  get httpConnections(): number {
    return this.#httpConnections.size;
  }

  #detect(connection: TcpConnection, app: TcpApp, data: Uint8Array, offset: number, bytes: number): void {
    const { plan, dnsPorts, counters } = this.#context;
    const portA = (connection.key[34] << 8) | connection.key[35];
    const portB = (connection.key[36] << 8) | connection.key[37];
    if (plan.dns && (dnsPorts.has(portA) || dnsPorts.has(portB))) {
      app.kind = AppKind.DNS;
      app.dns = [new DnsStream(), new DnsStream()];
      counters.tcpApps.dns++;
    } else if (bytes > 0 && (plan.sip || plan.http)) {
      const view = data.subarray(offset, offset + bytes);
      if (plan.sip && detectSip(view) !== undefined) {
        app.kind = AppKind.SIP;
        app.sip = [new SipStream(), new SipStream()];
        counters.tcpApps.sip++;
      } else if (plan.sip && startsWithGet(data, offset, bytes)) {
        app.kind = AppKind.WEBSOCKET;
        app.ws = this.#webSocket();
      } else if (plan.sip && detectWebSocketSip(data, offset, bytes, this.wsStats, WS_SIP_BYTES_MAX)) {
        app.kind = AppKind.WEBSOCKET;
        app.ws = this.#webSocket();
        app.ws.adopt();
        counters.tcpApps.ws++;
      } else if (plan.http && detectHttp(view) !== undefined) {
        app.kind = AppKind.HTTP;
        counters.tcpApps.http++;
      }
    }
    if (app.kind === AppKind.UNDECIDED) {
      if (++app.attempts >= DETECT_ATTEMPTS_MAX) {
        app.kind = AppKind.NONE;
        counters.tcpApps.undetected++;
      }
      return;
    }
    app.tuples = connectionTuples(connection);
    if (app.kind === AppKind.WEBSOCKET) { for (const tuple of app.tuples) tuple.transport = "ws"; }
    if (app.kind === AppKind.HTTP) this.#startHttp(app);
  }

  #webSocket(): WebSocketConnection {
    const bytesMax = WS_SIP_BYTES_MAX;
    return new WebSocketConnection({
      protocol: "sip",
      stats: this.wsStats,
      messageBytesMax: bytesMax,
      inflatedBytesMax: bytesMax,
    });
  }

  #onWsData(
    connection: TcpConnection,
    app: TcpApp,
    direction: number,
    data: Uint8Array,
    offset: number,
    bytes: number,
  ): void {
    const ws = app.ws!;
    const before = ws.state;
    this.#wsTuples = app.tuples;
    ws.push(direction, data, offset, bytes, this.#wsSink);
    if (ws.state === before) return;
    if (ws.state === "response") this.#context.counters.tcpApps.ws++;
    else if (ws.state === "not_websocket") this.#wsToHttp(connection, app, direction, data, offset, bytes);
  }

  /** A GET that was no SIP WebSocket upgrade: HTTP (when wanted) gets every byte the connection sent so far. */
  #wsToHttp(
    connection: TcpConnection,
    app: TcpApp,
    direction: number,
    data: Uint8Array,
    offset: number,
    bytes: number,
  ): void {
    const earlier = app.ws!.earlierBytes();
    app.ws = undefined;
    if (!this.#context.plan.http) {
      app.kind = AppKind.NONE;
      this.#context.counters.tcpApps.undetected++;
      return;
    }
    app.kind = AppKind.HTTP;
    this.#context.counters.tcpApps.http++;
    app.tuples = connectionTuples(connection);
    this.#startHttp(app);
    if (earlier.length > 0) app.http!.feed(direction as 0 | 1, earlier, this.nowMs);
    app.http!.feed(direction as 0 | 1, data.subarray(offset, offset + bytes), this.nowMs);
  }

  /** One SIP message over WebSocket: the connection's tuples with transport "ws". */
  #onWsMessage(direction: number, payload: Uint8Array): void {
    this.#context.onSipPayload(payload, this.#wsTuples![direction]);
  }

  #startHttp(app: TcpApp): void {
    const { emitter, httpStats, httpTimeoutMs } = this.#context;
    const tuple = app.tuples![0];
    const http: HttpConnection = new HttpConnection({
      emit: (transaction) => emitter.http(transaction, tuple, http),
      stats: httpStats,
      timeoutMs: httpTimeoutMs,
    });
    app.http = http;
    emitter.rememberLink(http);
    this.#httpConnections.add(http);
  }

  #onDnsMessage(message: DnsMessage): void {
    const { counters, dns, emitter } = this.#context;
    counters.dnsMessages++;
    if (dns === undefined) return;
    const tuple = this.#dnsTuple!;
    emitter.rememberLink(message);
    dns.add(message, {
      transport: "tcp",
      sourceIp: tuple.srcIp,
      sourcePort: tuple.srcPort,
      targetIp: tuple.dstIp,
      targetPort: tuple.dstPort,
    }, this.nowMs);
  }
}

/** Client → server and server → client tuples of a connection, from its canonical key (see `flow_key.ts`). */
export function connectionTuples(connection: TcpConnection): [RecordTuple, RecordTuple] {
  const key = connection.key;
  const ipVersion = key[0];
  const addressBytes = ipVersion === 4 ? 4 : 16;
  const ipA = formatAddress(key, 2, addressBytes);
  const ipB = formatAddress(key, 18, addressBytes);
  const portA = (key[34] << 8) | key[35];
  const portB = (key[36] << 8) | key[37];
  const [clientIp, clientPort, serverIp, serverPort] = connection.clientReversed
    ? [ipB, portB, ipA, portA]
    : [ipA, portA, ipB, portB];
  const tuple = (srcIp: string, srcPort: number, dstIp: string, dstPort: number): RecordTuple => ({
    ipVersion,
    transport: "tcp",
    srcIp,
    srcPort,
    dstIp,
    dstPort,
    flowHash: connection.hash,
  });
  return [tuple(clientIp, clientPort, serverIp, serverPort), tuple(serverIp, serverPort, clientIp, clientPort)];
}
