/**
 * The Loki log appender: batches of lines pushed to `<url>/loki/api/v1/push` as
 * `{"streams":[{"stream":{labels},"values":[["<unix ns>","<line>"]]}]}`, one stream per level. Labels are the
 * configured ones plus `host` and `level`. 429 and 5xx answers and network errors are retried with backoff; other
 * answers drop the batch (counted). See batcher.ts for why logging never waits for Loki.
 * @module
 */
import type { LogFormat, LogLevel, LokiAppender } from "../../config/types.ts";
import { type BatcherStats, LineBatcher, PermanentSendError, type QueuedLine } from "./batcher.ts";
import { noteOnStderr } from "./note.ts";

/** Path of Loki's push API, appended to the configured URL unless it already ends with it. */
export const LOKI_PUSH_PATH = "/loki/api/v1/push";
/** Bound on one push request. */
const REQUEST_TIMEOUT_MS = 5000;

/** The push URL for a configured `url`. */
export function lokiPushUrl(url: string): string {
  const base = url.replace(/\/+$/, "");
  return base.endsWith(LOKI_PUSH_PATH) ? base : base + LOKI_PUSH_PATH;
}

/** A push body for `batch`; nanosecond timestamps keep log order (a sequence number within each millisecond). */
export function lokiPushBody(batch: readonly QueuedLine[], labels: Record<string, string>): string {
  const streams = new Map<LogLevel, [string, string][]>();
  let lastMs = -1;
  let sequence = 0;
  for (const entry of batch) {
    sequence = entry.timeMs === lastMs ? sequence + 1 : 0;
    lastMs = entry.timeMs;
    const ns = `${Math.trunc(entry.timeMs)}${String(Math.min(sequence, 999_999)).padStart(6, "0")}`;
    let values = streams.get(entry.level);
    if (values === undefined) streams.set(entry.level, values = []);
    values.push([ns, entry.line]);
  }
  return JSON.stringify({
    streams: [...streams].map(([level, values]) => ({ stream: { ...labels, level }, values })),
  });
}

/** A logger sink for one `type: loki` appender. */
export class LokiSink {
  readonly format: LogFormat;
  readonly level: LogLevel | "";
  readonly #batcher: LineBatcher;

  constructor(appender: LokiAppender, hostname: string) {
    this.format = appender.format;
    this.level = appender.level;
    const url = lokiPushUrl(appender.url);
    const labels = { host: hostname, ...appender.labels };
    const headers: Record<string, string> = { "content-type": "application/json" };
    if (appender.tenant_id !== "") headers["x-scope-orgid"] = appender.tenant_id;
    this.#batcher = new LineBatcher({
      batchSize: appender.batch_size,
      flushIntervalMs: appender.flush_interval,
      queueMax: appender.queue_max,
      requestTimeoutMs: REQUEST_TIMEOUT_MS,
      backoffMinMs: 500,
      backoffMaxMs: 30_000,
      send: (batch, signal) => push(url, headers, lokiPushBody(batch, labels), signal),
      onHealthChange: (healthy, reason) =>
        noteOnStderr(
          healthy ? `loki appender ${url}: pushing again` : `loki appender ${url}: push failed: ${reason}`,
        ),
    });
  }

  /** Counters of the queue. */
  get stats(): BatcherStats {
    return this.#batcher.stats;
  }

  /** Lines lost so far. */
  get dropped(): number {
    return this.#batcher.stats.dropped;
  }

  write(line: string, level: LogLevel): void {
    this.#batcher.push({ line, level, timeMs: Date.now() });
  }

  /** Pushes what is queued within `boundMs`. */
  flush(boundMs: number): Promise<void> {
    return this.#batcher.close(boundMs);
  }

  close(): void {
    void this.#batcher.close(1000);
  }
}

async function push(url: string, headers: Record<string, string>, body: string, signal: AbortSignal): Promise<void> {
  const response = await fetch(url, { method: "POST", headers, body, signal });
  const text = await response.text().catch(() => "");
  if (response.ok) return;
  const reason = `HTTP ${response.status} ${text.slice(0, 200).trim()}`;
  if (response.status === 429 || response.status >= 500) throw new Error(reason);
  throw new PermanentSendError(reason);
}
