/**
 * Names, compression and retention of capture files written by the pcap outputs (per task and per call).
 *
 * Names come from a template: `{task}`, `{interface}`, `{call_id}` and `{seq}` (6 digits, counting files of one
 * set) are replaced, then strftime conversions (`%Y %m %d %H %M %S %s`, UTC) of the file's opening time; the
 * extension (`.pcap`/`.pcapng`) is added. Values are reduced to `[A-Za-z0-9._@-]` so traffic cannot name a path.
 * A name that exists already gets `-1`, `-2`, ... so no file is ever overwritten.
 *
 * Compression runs after a file is closed (gzip, node:zlib, off the capture path): `x.pcap` becomes `x.pcap.gz`.
 *
 * @module
 */
import { createReadStream, createWriteStream } from "node:fs";
import { pipeline } from "node:stream/promises";
import { createGzip } from "node:zlib";
import { strftime } from "../capture/rotating_writer.ts";

/** Values a template may use. */
export interface TemplateValues {
  task?: string;
  interface?: string;
  callId?: string;
  seq?: number;
}

/** Longest value put in a name (Call-IDs can be long). */
const VALUE_CHARS_MAX = 96;

/** `value` reduced to safe file name characters. */
export function safeNamePart(value: string): string {
  const safe = value.replace(/[^A-Za-z0-9._@-]/g, "_").replace(/^\.+/, "_");
  return safe.slice(0, VALUE_CHARS_MAX) || "_";
}

/** Expands `template` (see the module doc) without the extension. */
export function expandTemplate(template: string, values: TemplateValues, timeMs: number): string {
  const replaced = template
    .replaceAll("{task}", safeNamePart(values.task ?? "task"))
    .replaceAll("{interface}", safeNamePart(values.interface ?? "all"))
    .replaceAll("{call_id}", safeNamePart(values.callId ?? "call"))
    .replaceAll("{seq}", String(values.seq ?? 0).padStart(6, "0"));
  return strftime(replaced, new Date(timeMs), true);
}

/** Checks a template: names a file (no directory part) and has no unknown `{...}` field. */
export function checkTemplate(template: string, required: string[]): void {
  if (template === "" || template.includes("/")) {
    throw new TypeError(`Cannot use file name template "${template}": give a file name without a directory`);
  }
  const unknown = template.match(/\{[^}]*\}/g)?.find((field) =>
    !["{task}", "{interface}", "{call_id}", "{seq}"]
      .includes(field)
  );
  if (unknown !== undefined) {
    throw new TypeError(`Cannot use file name template "${template}": unknown field ${unknown}`);
  }
  for (const field of required) {
    if (!template.includes(field)) {
      throw new TypeError(`Cannot use file name template "${template}": it must contain ${field}`);
    }
  }
}

/** `dir/name.ext`, or with `-N` before the extension when that file (or its .gz) exists. */
export function freePath(dir: string, name: string, extension: string): string {
  for (let n = 0;; n++) {
    const path = `${dir}/${name}${n === 0 ? "" : `-${n}`}${extension}`;
    if (!exists(path) && !exists(`${path}.gz`)) return path;
  }
}

function exists(path: string): boolean {
  try {
    Deno.lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

interface KeptFile {
  path: string;
  compressing: boolean;
}

/** Gzips closed files in the background and keeps at most `filesMax` files (0: all), open ones included. */
export class FileKeeper {
  /** Files of this set open now (0 or 1), set by the owner; they count against `filesMax`. */
  open = 0;
  readonly #filesMax: number;
  readonly #gzip: boolean;
  /** Closed files in closing order (oldest first), by their current path (`.gz` once compressed). */
  readonly #files: KeptFile[] = [];
  readonly #compressing = new Set<Promise<void>>();
  filesDeleted = 0;
  filesCompressed = 0;
  compressErrors = 0;
  deleteErrors = 0;

  constructor(options: { filesMax: number; gzip: boolean }) {
    this.#filesMax = options.filesMax;
    this.#gzip = options.gzip;
  }

  /** Takes a closed file: compresses it if asked, then applies `filesMax`. */
  closed(path: string): void {
    const file: KeptFile = { path, compressing: this.#gzip };
    this.#files.push(file);
    if (this.#gzip) {
      const job: Promise<void> = compressFile(path).then(
        () => {
          this.filesCompressed++;
          file.path = `${path}.gz`;
        },
        () => {
          this.compressErrors++; // The uncompressed file stays; it is still a good capture.
        },
      ).finally(() => {
        file.compressing = false;
        this.#compressing.delete(job);
        this.#trim();
      });
      this.#compressing.add(job);
    }
    this.#trim();
  }

  /** Resolves when every compression started so far has finished. */
  async settled(): Promise<void> {
    while (this.#compressing.size > 0) await Promise.all([...this.#compressing]);
  }

  #trim(): void {
    if (this.#filesMax <= 0) return;
    // Oldest first; one still being compressed is deleted when its compression ends (it calls back here).
    while (this.#files.length > 0 && this.#files.length + this.open > this.#filesMax && !this.#files[0].compressing) {
      const oldest = this.#files.shift()!;
      try {
        Deno.removeSync(oldest.path);
        this.filesDeleted++;
      } catch {
        this.deleteErrors++;
      }
    }
  }
}

/** Gzips `path` into `path.gz` and removes `path`. */
export async function compressFile(path: string): Promise<void> {
  await pipeline(createReadStream(path), createGzip(), createWriteStream(`${path}.gz`));
  await Deno.remove(path);
}
