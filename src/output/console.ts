/**
 * Console output: one line per record on stdout, as JSON (the record, as `analyze` prints it) or as short text.
 * Logs go to stderr (src/daemon/logger.ts), so stdout holds records only and can be piped to `jq`.
 *
 * Text: `HH:MM:SS.mmm type src:port -> dst:port summary` (UTC time of capture).
 *
 * @module
 */
import { Buffer } from "node:buffer";
import { encodeLines } from "./lines.ts";
import type { Output, OutputRecord, OutputStats, WriteResult } from "./output.ts";
import { valueJson } from "./prebuilt_json.ts";

/** Where lines go: stdout by default; anything with a synchronous write for tests. */
export interface LineSink {
  writeSync(bytes: Uint8Array): number;
}

/** Console output configuration. */
export interface ConsoleOutputOptions {
  /** @default {"console"} */
  name?: string;
  /** @default {"json"} */
  format?: "json" | "text";
  /** @default {Deno.stdout} */
  sink?: LineSink;
}

/** Counters of the console output. */
export interface ConsoleOutputStats extends OutputStats {
  droppedEncode: number;
  droppedWriteError: number;
  droppedClosed: number;
}

type Fields = Record<string, unknown>;

function endpoint(ip: unknown, port: unknown): string {
  if (ip === undefined) return "-";
  return String(ip).includes(":") ? `[${ip}]:${port}` : `${ip}:${port}`;
}

function summaryOf(type: string, value: Fields): string {
  const inner = (value[type] ?? {}) as Fields;
  const parts: unknown[] = [];
  if (type === "sip") parts.push(inner.method ?? inner.status_code, inner.reason_phrase, `call_id=${inner.call_id}`);
  else if (type === "call") parts.push(inner.state, `status=${inner.final_status}`, `call_id=${inner.call_id}`);
  else if (type === "rtp_stream") {
    parts.push(`ssrc=${inner.ssrc}`, inner.codec, `lost=${inner.lost}`, `mos=${inner.mos}`);
  } else if (type === "rtcp") parts.push(`packets=${(inner.packets as unknown[] | undefined)?.length ?? 0}`);
  else if (type === "dns") parts.push((inner.question as Fields | undefined)?.name, `rcode=${inner.response_code}`);
  else if (type === "http") {
    parts.push((inner.request as Fields | undefined)?.method, (inner.request as Fields | undefined)?.path);
    parts.push((inner.response as Fields | undefined)?.status_code);
  }
  return parts.filter((part) => part !== undefined && part !== "").join(" ");
}

/** The text line of a record (without newline). */
export function textLine(record: OutputRecord): string {
  const time = new Date(record.timestampMs).toISOString().slice(11, 23);
  if (record.value instanceof Uint8Array) return `${time} ${record.type} ${record.value.length} bytes`;
  const value = record.value as Fields;
  const route = `${endpoint(value.src_ip, value.src_port)} -> ${endpoint(value.dst_ip, value.dst_port)}`;
  return `${time} ${record.type} ${route} ${summaryOf(record.type, value)}`.trimEnd();
}

/** The JSON line of a record (without newline); null when it cannot be encoded. */
export function jsonLine(record: OutputRecord): string | null {
  try {
    if (record.value instanceof Uint8Array) {
      return JSON.stringify({ type: record.type, value_base64: Buffer.from(record.value).toString("base64") });
    }
    return valueJson(record.value) ?? null;
  } catch {
    return null; // BigInt or a cycle.
  }
}

/** See the module documentation. */
export class ConsoleOutput implements Output {
  readonly name: string;
  readonly #format: "json" | "text";
  readonly #sink: LineSink;
  #closed = false;
  readonly #stats: ConsoleOutputStats = {
    writtenRecords: 0,
    sentRecords: 0,
    sentBytes: 0,
    droppedRecords: 0,
    droppedEncode: 0,
    droppedWriteError: 0,
    droppedClosed: 0,
  };

  /** @throws {TypeError} for an unknown format */
  constructor(options: ConsoleOutputOptions = {}) {
    const format = options.format ?? "json";
    if (format !== "json" && format !== "text") {
      throw new TypeError(`Cannot use console format "${format}": use json or text`);
    }
    this.name = options.name ?? "console";
    this.#format = format;
    this.#sink = options.sink ?? Deno.stdout;
  }

  /** Writes one line per record in one write; a closed stdout (EPIPE) counts the records dropped. */
  write(records: readonly OutputRecord[]): WriteResult {
    this.#stats.writtenRecords += records.length;
    if (this.#closed) return { queued: 0, spooled: 0, dropped: this.#drop("droppedClosed", records.length) };
    const { bytes, lines, unencodable } = encodeLines(
      records,
      (record) => this.#format === "json" ? jsonLine(record) : textLine(record),
    );
    const dropped = unencodable === 0 ? 0 : this.#drop("droppedEncode", unencodable);
    if (lines === 0) return { queued: 0, spooled: 0, dropped };
    try {
      for (let done = 0; done < bytes.length;) done += this.#sink.writeSync(bytes.subarray(done));
    } catch {
      return { queued: 0, spooled: 0, dropped: dropped + this.#drop("droppedWriteError", lines) };
    }
    this.#stats.sentRecords += lines;
    this.#stats.sentBytes += bytes.length;
    return { queued: lines, spooled: 0, dropped };
  }

  /** Writes are synchronous: nothing to wait for. */
  flush(): Promise<void> {
    return Promise.resolve();
  }

  /** Later writes are dropped and counted; stdout itself stays open. */
  close(): Promise<void> {
    this.#closed = true;
    return Promise.resolve();
  }

  /** A snapshot of the counters. */
  stats(): ConsoleOutputStats {
    return { ...this.#stats };
  }

  #drop(reason: "droppedEncode" | "droppedWriteError" | "droppedClosed", count: number): number {
    this.#stats[reason] += count;
    this.#stats.droppedRecords += count;
    return count;
  }
}
