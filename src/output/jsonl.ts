/**
 * JSONL file output: one JSON object per line, files rotated by size, the oldest deleted beyond a count.
 *
 * Line: `{"type":..., "timestamp_ms":..., "key":..., "value":...}`; byte values and keys are base64 in
 * `value_base64` / `key_base64`. Each `write()` appends whole lines in one write, and rotation happens only between
 * writes, so no record is split or lost at rotation.
 *
 * @module
 */
import { Buffer } from "node:buffer";
import { jsonlDefaults } from "./defaults.ts";
import { encodeLines } from "./lines.ts";
import type { Output, OutputRecord, OutputStats, WriteResult } from "./output.ts";
import { valueJson } from "./prebuilt_json.ts";

/** JSONL output configuration. */
export interface JsonlOutputOptions {
  /** @default {"jsonl"} */
  name?: string;
  dir: string;
  /** File name prefix: `${prefix}-${UTC time}-${index}.jsonl`. @default {"records"} */
  prefix?: string;
  /** @default {64 MiB} */
  rotateBytes?: number;
  /** Files kept (oldest deleted first, also those of earlier runs with the same prefix); 0 keeps all. */
  filesMax?: number;
}

/** Counters of the JSONL output. */
export interface JsonlOutputStats extends OutputStats {
  droppedEncode: number;
  droppedWriteError: number;
  droppedClosed: number;
  /** Files started and deleted (beyond `filesMax`). */
  filesOpened: number;
  filesDeleted: number;
  /** Bytes in the current file. */
  fileBytes: number;
}

function lineFor(record: OutputRecord): string | null {
  const line: Record<string, unknown> = { type: record.type, timestamp_ms: record.timestampMs };
  if (typeof record.key === "string") line.key = record.key;
  else if (record.key instanceof Uint8Array) line.key_base64 = Buffer.from(record.key).toString("base64");
  if (record.value instanceof Uint8Array) line.value_base64 = Buffer.from(record.value).toString("base64");
  try {
    const head = JSON.stringify(line);
    if (record.value instanceof Uint8Array) return head;
    const value = valueJson(record.value);
    // JSON.stringify leaves out an undefined value (and a function): so does the line.
    return value === undefined ? head : `${head.slice(0, -1)},"value":${value}}`;
  } catch {
    return null; // BigInt or a cycle in the value.
  }
}

function timeStamp(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:]/g, "").replace(".", "");
}

/** See the module documentation. */
export class JsonlOutput implements Output {
  readonly name: string;
  readonly dir: string;
  readonly prefix: string;
  readonly rotateBytes: number;
  readonly filesMax: number;
  #file: Deno.FsFile | null = null;
  #fileIndex = 0;
  #closed = false;
  readonly #stats: JsonlOutputStats = {
    writtenRecords: 0,
    sentRecords: 0,
    sentBytes: 0,
    droppedRecords: 0,
    droppedEncode: 0,
    droppedWriteError: 0,
    droppedClosed: 0,
    filesOpened: 0,
    filesDeleted: 0,
    fileBytes: 0,
  };

  /** Creates `dir` if needed; the first file is opened on the first write. */
  constructor(options: JsonlOutputOptions) {
    this.name = options.name ?? "jsonl";
    this.dir = options.dir;
    this.prefix = options.prefix ?? "records";
    this.rotateBytes = options.rotateBytes ?? jsonlDefaults.rotateBytes;
    this.filesMax = options.filesMax ?? jsonlDefaults.filesMax;
    Deno.mkdirSync(this.dir, { recursive: true });
  }

  /** Appends one line per record; records that cannot be encoded or written are dropped and counted. */
  write(records: readonly OutputRecord[]): WriteResult {
    this.#stats.writtenRecords += records.length;
    if (this.#closed) return { queued: 0, spooled: 0, dropped: this.#drop("droppedClosed", records.length) };
    const { bytes, lines, unencodable } = encodeLines(records, lineFor);
    const dropped = unencodable === 0 ? 0 : this.#drop("droppedEncode", unencodable);
    if (lines === 0) return { queued: 0, spooled: 0, dropped };
    try {
      if (
        this.#file === null || (this.#stats.fileBytes > 0 && this.#stats.fileBytes + bytes.length > this.rotateBytes)
      ) {
        this.#rotate();
      }
      let written = 0;
      while (written < bytes.length) written += this.#file!.writeSync(bytes.subarray(written));
    } catch {
      return { queued: 0, spooled: 0, dropped: dropped + this.#drop("droppedWriteError", lines) };
    }
    this.#stats.fileBytes += bytes.length;
    this.#stats.sentRecords += lines;
    this.#stats.sentBytes += bytes.length;
    return { queued: lines, spooled: 0, dropped };
  }

  /** Forces the current file to disk. */
  flush(): Promise<void> {
    this.#file?.syncSync();
    return Promise.resolve();
  }

  /** Syncs and closes the current file. Idempotent. */
  close(): Promise<void> {
    if (!this.#closed) {
      this.#closed = true;
      this.#file?.syncSync();
      this.#file?.close();
      this.#file = null;
    }
    return Promise.resolve();
  }

  /** A snapshot of the counters. */
  stats(): JsonlOutputStats {
    return { ...this.#stats };
  }

  /** Files of this prefix in `dir`, oldest first (names sort by time). */
  files(): string[] {
    const pattern = new RegExp(`^${this.prefix.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}-\\d{8}T\\d{9}Z-\\d{6}\\.jsonl$`);
    return [...Deno.readDirSync(this.dir)].filter((e) => e.isFile && pattern.test(e.name)).map((e) => e.name).sort();
  }

  #drop(reason: "droppedEncode" | "droppedWriteError" | "droppedClosed", count: number): number {
    this.#stats[reason] += count;
    this.#stats.droppedRecords += count;
    return count;
  }

  #rotate(): void {
    this.#file?.close();
    this.#file = null;
    const name = `${this.prefix}-${timeStamp(Date.now())}-${String(this.#fileIndex++ % 1e6).padStart(6, "0")}.jsonl`;
    this.#file = Deno.openSync(`${this.dir}/${name}`, { write: true, createNew: true });
    this.#stats.filesOpened++;
    this.#stats.fileBytes = 0;
    if (this.filesMax <= 0) return;
    const files = this.files();
    for (const old of files.slice(0, Math.max(0, files.length - this.filesMax))) {
      Deno.removeSync(`${this.dir}/${old}`);
      this.#stats.filesDeleted++;
    }
  }
}
