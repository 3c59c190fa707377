/**
 * Structured logs: one line per event, as JSON or `time LEVEL message key=value` text, sent to every configured
 * appender (stderr, a size-rotated file, Kafka, Loki). A failing appender counts the lost line and never throws into
 * the caller; remote appenders only queue the line (appenders/batcher.ts), so a slow or dead sink never stalls logging.
 * @module
 */
import type { Appender, FileAppender, LogFormat, LogLevel } from "../config/types.ts";
import { KafkaSink } from "./appenders/kafka.ts";
import { LokiSink } from "./appenders/loki.ts";

const LEVEL_RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

/** Extra fields of one log event. */
export type LogFields = Record<string, unknown>;

/** Where formatted lines go (an appender). */
export interface Sink {
  format: LogFormat;
  /** "" follows the logger's level. */
  level: LogLevel | "";
  write(line: string, level: LogLevel): void;
  close(): void;
  /** Lines the sink accepted and then lost (remote sinks: queue full, sink refused, exit). */
  readonly dropped?: number;
  /** Delivers what the sink still holds within `boundMs`, then closes it (remote sinks). */
  flush?(boundMs: number): Promise<void>;
}

/** Formats one event. */
export function formatLine(format: LogFormat, level: LogLevel, message: string, fields: LogFields, time: Date): string {
  if (format === "json") return JSON.stringify({ time: time.toISOString(), level, msg: message, ...fields });
  let line = `${time.toISOString()} ${level.toUpperCase().padEnd(5)} ${message}`;
  for (const [key, value] of Object.entries(fields)) {
    const text = typeof value === "string" ? value : JSON.stringify(value);
    line += ` ${key}=${/[\s"=]/.test(text) ? JSON.stringify(text) : text}`;
  }
  return line;
}

/** A file appender rotating at `maxBytes`: file → file.1 → ... → file.N (oldest removed). */
export class RotatingFileSink implements Sink {
  readonly format: LogFormat;
  readonly level: LogLevel | "";
  readonly #path: string;
  readonly #maxBytes: number;
  readonly #maxFiles: number;
  #file: Deno.FsFile;
  #bytes: number;
  #encoder = new TextEncoder();

  constructor(appender: FileAppender) {
    this.format = appender.format;
    this.level = appender.level;
    this.#path = appender.path;
    this.#maxBytes = appender.max_size;
    this.#maxFiles = appender.max_files;
    this.#file = Deno.openSync(this.#path, { append: true, create: true, mode: 0o640 });
    this.#bytes = this.#file.statSync().size;
  }

  write(line: string): void {
    const bytes = this.#encoder.encode(line + "\n");
    if (this.#bytes > 0 && this.#bytes + bytes.length > this.#maxBytes) this.#rotate();
    this.#file.writeSync(bytes);
    this.#bytes += bytes.length;
  }

  #rotate(): void {
    this.#file.close();
    for (let index = this.#maxFiles; index >= 1; index--) {
      const from = index === 1 ? this.#path : `${this.#path}.${index - 1}`;
      try {
        if (index === this.#maxFiles) Deno.removeSync(`${this.#path}.${index}`);
      } catch { /* not there yet */ }
      try {
        Deno.renameSync(from, `${this.#path}.${index}`);
      } catch { /* not there yet */ }
    }
    if (this.#maxFiles === 0) Deno.removeSync(this.#path);
    this.#file = Deno.openSync(this.#path, { append: true, create: true, mode: 0o640 });
    this.#bytes = 0;
  }

  close(): void {
    this.#file.close();
  }
}

function stderrSink(format: LogFormat, level: LogLevel | ""): Sink {
  const encoder = new TextEncoder();
  return { format, level, write: (line) => void Deno.stderr.writeSync(encoder.encode(line + "\n")), close() {} };
}

/** The agent's logger. */
export class Logger {
  #level: LogLevel;
  #sinks: Sink[];
  #failedWrites = 0;

  /** A logger with stderr only, for before the config is loaded. */
  constructor(level: LogLevel = "info", sinks?: Sink[]) {
    this.#level = level;
    this.#sinks = sinks ?? [stderrSink("text", "")];
  }

  /**
   * A logger for the configured appenders; returns what could not be set up (reported by the caller). `hostname`
   * keys Kafka lines and labels Loki streams.
   */
  static fromConfig(
    level: LogLevel,
    appenders: Appender[],
    options: { hostname: string } = { hostname: Deno.hostname() },
  ): { logger: Logger; problems: string[] } {
    const sinks: Sink[] = [];
    const problems: string[] = [];
    for (const appender of appenders) {
      if (appender.type === "stderr") sinks.push(stderrSink(appender.format, appender.level));
      else if (appender.type === "file") {
        try {
          sinks.push(new RotatingFileSink(appender));
        } catch (error) {
          problems.push(`log file "${appender.path}" cannot be opened: ${(error as Error).message}`);
        }
      } else if (appender.type === "kafka") sinks.push(new KafkaSink(appender, options.hostname));
      else if (appender.type === "loki") sinks.push(new LokiSink(appender, options.hostname));
    }
    if (sinks.length === 0) sinks.push(stderrSink("text", ""));
    return { logger: new Logger(level, sinks), problems };
  }

  /** Lines lost: writes that threw plus lines remote appenders dropped. */
  get lostLines(): number {
    let lost = this.#failedWrites;
    for (const sink of this.#sinks) lost += sink.dropped ?? 0;
    return lost;
  }

  get level(): LogLevel {
    return this.#level;
  }

  set level(level: LogLevel) {
    this.#level = level;
  }

  log(level: LogLevel, message: string, fields: LogFields = {}): void {
    const time = new Date();
    for (const sink of this.#sinks) {
      const threshold = sink.level === "" ? this.#level : sink.level;
      if (LEVEL_RANK[level] < LEVEL_RANK[threshold]) continue;
      try {
        sink.write(formatLine(sink.format, level, message, fields, time), level);
      } catch {
        this.#failedWrites++;
      }
    }
  }

  debug(message: string, fields?: LogFields): void {
    this.log("debug", message, fields);
  }
  info(message: string, fields?: LogFields): void {
    this.log("info", message, fields);
  }
  warn(message: string, fields?: LogFields): void {
    this.log("warn", message, fields);
  }
  error(message: string, fields?: LogFields): void {
    this.log("error", message, fields);
  }

  /** Delivers what remote appenders still hold (all within `boundMs`), then closes every appender. */
  async flushAndClose(boundMs: number): Promise<void> {
    await Promise.all(this.#sinks.map((sink) => sink.flush?.(boundMs).catch(() => {})));
    this.close();
  }

  /** Closes the appenders without waiting (remote appenders get a short bound of their own). */
  close(): void {
    for (const sink of this.#sinks) {
      try {
        sink.close();
      } catch { /* already closed */ }
    }
  }
}
