/**
 * Pairs DNS queries with responses (packetbeat's dns.go): requests are keyed by (transport, client, server, id), a
 * response looks up the reversed key. Unanswered queries come out after `timeoutMs`, responses without a query come
 * out at once; both carry `notes` and are counted. The table holds at most `transactionsMax` queries and evicts the
 * oldest when full.
 * @module
 */
import type { DnsMessage } from "./types.ts";

/** Why a transaction was emitted without one of its halves. */
export type DnsNote = "no_response" | "orphan_response" | "duplicate_request" | "evicted";

/** Addresses of one DNS packet as seen on the wire. */
export interface DnsPacketTuple {
  transport: "udp" | "tcp";
  sourceIp: string;
  sourcePort: number;
  targetIp: string;
  targetPort: number;
}

/** One side of a transaction. */
export interface DnsEndpoint {
  ip: string;
  port: number;
}

/** A query and its response, or one of them with a note saying why the other is missing. */
export interface DnsTransaction {
  transport: "udp" | "tcp";
  client: DnsEndpoint;
  server: DnsEndpoint;
  request?: DnsMessage;
  response?: DnsMessage;
  requestTimeMs?: number;
  responseTimeMs?: number;
  /** Response time minus request time, when both are present. */
  latencyMs?: number;
  notes: DnsNote[];
}

/** Counters, read by the metrics layer at scrape time. */
export interface DnsTransactionStats {
  requests: number;
  responses: number;
  matched: number;
  orphanResponses: number;
  /** Queries emitted after `timeoutMs` without a response (or flushed at the end). */
  unansweredRequests: number;
  /** Queries replaced by a newer query with the same key before any response. */
  duplicateRequests: number;
  /** Queries dropped from a full table. */
  evictions: number;
}

/** Options of {@linkcode DnsTransactions}. */
export interface DnsTransactionOptions {
  /** Receives every transaction, complete or not. */
  emit: (transaction: DnsTransaction) => void;
  /** How long a query waits for its response. Default 10 000 ms (resolvers retry well before that). */
  timeoutMs?: number;
  /** Queries in flight; packetbeat's cache is sized `1 << 16`, the default here too. */
  transactionsMax?: number;
}

/** Defaults of {@linkcode DnsTransactionOptions}. */
export const DNS_TIMEOUT_MS_DEFAULT = 10_000;
export const DNS_TRANSACTIONS_MAX_DEFAULT = 1 << 16;

/** The pairing table. Timestamps are milliseconds on any monotonic clock (capture time). */
export class DnsTransactions {
  readonly stats: DnsTransactionStats = {
    requests: 0,
    responses: 0,
    matched: 0,
    orphanResponses: 0,
    unansweredRequests: 0,
    duplicateRequests: 0,
    evictions: 0,
  };
  readonly #emit: (transaction: DnsTransaction) => void;
  readonly #timeoutMs: number;
  readonly #transactionsMax: number;
  /** Pending queries in arrival order (a Map keeps insertion order), so expiry and eviction look at the front. */
  readonly #pending = new Map<string, DnsTransaction>();

  constructor(options: DnsTransactionOptions) {
    this.#emit = options.emit;
    this.#timeoutMs = options.timeoutMs ?? DNS_TIMEOUT_MS_DEFAULT;
    this.#transactionsMax = options.transactionsMax ?? DNS_TRANSACTIONS_MAX_DEFAULT;
  }

  /** Queries waiting for a response. */
  get pendingCount(): number {
    return this.#pending.size;
  }

  /** Adds one parsed message seen at `timeMs`; may emit this or older transactions. */
  add(message: DnsMessage, tuple: DnsPacketTuple, timeMs: number): void {
    this.expire(timeMs);
    if (message.flags.qr) this.#addResponse(message, tuple, timeMs);
    else this.#addRequest(message, tuple, timeMs);
  }

  /** Emits every query older than `timeoutMs` at `nowMs` with the note `no_response`. */
  expire(nowMs: number): void {
    for (const [key, transaction] of this.#pending) {
      if (transaction.requestTimeMs! + this.#timeoutMs > nowMs) break;
      this.#pending.delete(key);
      this.#finish(transaction, "no_response");
    }
  }

  /** Emits every pending query as unanswered (end of a capture file, shutdown). */
  flush(): void {
    for (const transaction of this.#pending.values()) this.#finish(transaction, "no_response");
    this.#pending.clear();
  }

  #addRequest(message: DnsMessage, tuple: DnsPacketTuple, timeMs: number): void {
    this.stats.requests++;
    const key = transactionKey(
      tuple.transport,
      tuple.sourceIp,
      tuple.sourcePort,
      tuple.targetIp,
      tuple.targetPort,
      message.id,
    );
    const previous = this.#pending.get(key);
    if (previous !== undefined) {
      this.#pending.delete(key);
      this.stats.duplicateRequests++;
      previous.notes.push("duplicate_request");
      this.#emit(previous);
    } else if (this.#pending.size >= this.#transactionsMax) {
      const [oldestKey, oldest] = this.#pending.entries().next().value!;
      this.#pending.delete(oldestKey);
      this.stats.evictions++;
      oldest.notes.push("evicted");
      this.#emit(oldest);
    }
    this.#pending.set(key, {
      transport: tuple.transport,
      client: { ip: tuple.sourceIp, port: tuple.sourcePort },
      server: { ip: tuple.targetIp, port: tuple.targetPort },
      request: message,
      requestTimeMs: timeMs,
      notes: [],
    });
  }

  #addResponse(message: DnsMessage, tuple: DnsPacketTuple, timeMs: number): void {
    this.stats.responses++;
    const key = transactionKey(
      tuple.transport,
      tuple.targetIp,
      tuple.targetPort,
      tuple.sourceIp,
      tuple.sourcePort,
      message.id,
    );
    const transaction = this.#pending.get(key);
    if (transaction === undefined) {
      this.stats.orphanResponses++;
      this.#emit({
        transport: tuple.transport,
        client: { ip: tuple.targetIp, port: tuple.targetPort },
        server: { ip: tuple.sourceIp, port: tuple.sourcePort },
        response: message,
        responseTimeMs: timeMs,
        notes: ["orphan_response"],
      });
      return;
    }
    this.#pending.delete(key);
    this.stats.matched++;
    transaction.response = message;
    transaction.responseTimeMs = timeMs;
    transaction.latencyMs = timeMs - transaction.requestTimeMs!;
    this.#emit(transaction);
  }

  #finish(transaction: DnsTransaction, note: DnsNote): void {
    this.stats.unansweredRequests++;
    transaction.notes.push(note);
    this.#emit(transaction);
  }
}

function transactionKey(
  transport: string,
  clientIp: string,
  clientPort: number,
  serverIp: string,
  serverPort: number,
  id: number,
): string {
  return `${transport} ${clientIp} ${clientPort} ${serverIp} ${serverPort} ${id}`;
}
