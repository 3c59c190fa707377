/**
 * HTTP/1.x pairing per connection (packetbeat's http trans): requests wait in a FIFO and each final response takes
 * the oldest, which is what keep-alive and pipelining guarantee (RFC 9112 §9.3.2). Either direction may carry
 * requests: the message kind decides, so a capture that starts mid-connection still pairs. Requests without a
 * response (timeout, close, gap) and responses without a request come out with `notes` and are counted.
 * @module
 */
import { HEAD_BYTES_MAX_DEFAULT, HttpStream, type ResponseFraming } from "./stream.ts";
import {
  HTTP_INVALID_REASONS,
  type HttpInvalidReason,
  type HttpMessage,
  type HttpRequest,
  type HttpResponse,
} from "./types.ts";

/** Why a transaction lacks a half. */
export type HttpNote = "no_response" | "orphan_response" | "stream_gap" | "pipeline_full";

/** A request and its response, or one of them with notes. */
export interface HttpTransaction {
  request?: HttpRequest;
  response?: HttpResponse;
  /** First byte of the response minus first byte of the request (packetbeat's response time). */
  latencyMs?: number;
  notes: HttpNote[];
}

/** Counters shared by all connections of one parser instance; read at scrape time. */
export interface HttpStats {
  requests: number;
  responses: number;
  /** 1xx responses other than 101: they do not end a transaction. */
  interimResponses: number;
  transactions: number;
  orphanResponses: number;
  unansweredRequests: number;
  pipelineEvictions: number;
  /** Gaps that dropped parser state (gaps inside bodies of known length are skipped and not counted here). */
  gapResets: number;
  resyncSkippedBytes: number;
  opaqueBytes: number;
  invalid: Record<HttpInvalidReason, number>;
}

/** A zeroed {@linkcode HttpStats}. */
export function createHttpStats(): HttpStats {
  const invalid = Object.fromEntries(HTTP_INVALID_REASONS.map((reason) => [reason, 0]));
  return {
    requests: 0,
    responses: 0,
    interimResponses: 0,
    transactions: 0,
    orphanResponses: 0,
    unansweredRequests: 0,
    pipelineEvictions: 0,
    gapResets: 0,
    resyncSkippedBytes: 0,
    opaqueBytes: 0,
    invalid: invalid as Record<HttpInvalidReason, number>,
  };
}

/** Options of {@linkcode HttpConnection}. */
export interface HttpConnectionOptions {
  /** Receives every transaction, complete or not. */
  emit: (transaction: HttpTransaction) => void;
  /** Receives every message as it completes, with the direction it came from (for per-message records or tests). */
  onMessage?: (message: HttpMessage, direction: 0 | 1) => void;
  /** Shared counters; a fresh set by default. */
  stats?: HttpStats;
  /** A request waits this long for its response head. Default 30 000 ms. */
  timeoutMs?: number;
  /** Requests in flight per connection (pipelining depth); the oldest is evicted when full. Default 64. */
  pipelineMax?: number;
  /** Bound on a message head. Default {@linkcode HEAD_BYTES_MAX_DEFAULT}. */
  headBytesMax?: number;
}

export const HTTP_TIMEOUT_MS_DEFAULT = 30_000;
export const HTTP_PIPELINE_MAX_DEFAULT = 64;

/** One TCP connection's HTTP state: a parser per direction and the FIFO of requests awaiting responses. */
export class HttpConnection {
  readonly stats: HttpStats;
  readonly #options: HttpConnectionOptions;
  readonly #streams: [HttpStream, HttpStream];
  readonly #pending: HttpRequest[] = [];
  readonly #timeoutMs: number;
  readonly #pipelineMax: number;
  /** A response head is out for the oldest request: it may not time out while its body streams. */
  #responding = false;

  constructor(options: HttpConnectionOptions) {
    this.#options = options;
    this.stats = options.stats ?? createHttpStats();
    this.#timeoutMs = options.timeoutMs ?? HTTP_TIMEOUT_MS_DEFAULT;
    this.#pipelineMax = options.pipelineMax ?? HTTP_PIPELINE_MAX_DEFAULT;
    const headBytesMax = options.headBytesMax ?? HEAD_BYTES_MAX_DEFAULT;
    this.#streams = [
      new HttpStream(this.#hooks(0), this.stats, headBytesMax),
      new HttpStream(this.#hooks(1), this.stats, headBytesMax),
    ];
  }

  /** Requests waiting for a response. */
  get pendingCount(): number {
    return this.#pending.length;
  }

  /** Feeds reassembled bytes of `direction` (0: from the connection's initiator, 1: from its peer). */
  feed(direction: 0 | 1, bytes: Uint8Array, timeMs: number): void {
    this.#streams[direction].feed(bytes, timeMs);
  }

  /** Reports `bytes` lost in `direction`; unless the gap fell inside a body, pairing state is dropped. */
  gap(direction: 0 | 1, bytes: number, timeMs: number): void {
    if (!this.#streams[direction].gap(bytes, timeMs)) return;
    this.stats.gapResets++;
    this.#flush("stream_gap");
  }

  /** The connection ended (FIN, RST or flow timeout): finish bodies read until close, flush waiting requests. */
  close(timeMs: number): void {
    this.#streams[0].close(timeMs);
    this.#streams[1].close(timeMs);
    this.#flush("no_response");
  }

  /** Emits requests older than `timeoutMs` at `nowMs` that have no response yet. */
  expire(nowMs: number): void {
    while (this.#pending.length > 0 && !this.#responding) {
      if (this.#pending[0]!.startTimeMs + this.#timeoutMs > nowMs) return;
      this.#unanswered(this.#pending.shift()!, "no_response");
    }
  }

  #hooks(direction: 0 | 1) {
    return {
      onHead: (message: HttpMessage) => this.#onHead(message),
      onMessage: (message: HttpMessage) => this.#onMessage(message, direction),
      responseFraming: (response: HttpResponse) => this.#responseFraming(response),
      onInvalid: (reason: HttpInvalidReason) => {
        this.stats.invalid[reason]++;
        // A parse error in one direction misaligns the FIFO just as a gap does.
        this.#flush("stream_gap");
      },
    };
  }

  #onHead(message: HttpMessage): void {
    if (message.kind === "request") {
      this.stats.requests++;
      if (this.#pending.length >= this.#pipelineMax) {
        this.stats.pipelineEvictions++;
        this.#unanswered(this.#pending.shift()!, "pipeline_full");
      }
      this.#pending.push(message);
    } else if (message.status >= 200 || message.status === 101) {
      this.#responding = this.#pending.length > 0;
    }
  }

  #responseFraming(response: HttpResponse): ResponseFraming {
    const request = this.#pending[0];
    if (request === undefined || response.status < 200) return "normal";
    if (request.method === "HEAD") return "no_body";
    if (request.method === "CONNECT" && response.status < 300) return "tunnel";
    return "normal";
  }

  #onMessage(message: HttpMessage, direction: 0 | 1): void {
    this.#options.onMessage?.(message, direction);
    if (message.kind === "request") return;
    this.stats.responses++;
    if (message.status < 200 && message.status !== 101) {
      this.stats.interimResponses++;
      return;
    }
    this.#responding = false;
    const request = this.#pending.shift();
    if (request === undefined) {
      this.stats.orphanResponses++;
      this.#options.emit({ response: message, notes: ["orphan_response"] });
    } else {
      this.stats.transactions++;
      this.#options.emit({
        request,
        response: message,
        latencyMs: message.startTimeMs - request.startTimeMs,
        notes: [],
      });
    }
    // After 101 or an accepted CONNECT neither direction carries HTTP any more.
    if (message.status === 101 || (request?.method === "CONNECT" && message.status < 300)) {
      this.#streams[0].becomeOpaque();
      this.#streams[1].becomeOpaque();
    }
  }

  #flush(note: HttpNote): void {
    this.#responding = false;
    while (this.#pending.length > 0) this.#unanswered(this.#pending.shift()!, note);
  }

  #unanswered(request: HttpRequest, note: HttpNote): void {
    this.stats.unansweredRequests++;
    this.#options.emit({ request, notes: [note] });
  }
}
