/**
 * A `PacketSource` over a capture file: pcap or pcapng, chosen by the file's magic. The file is read in chunks into
 * one reusable buffer and parsed in place; batches point into that buffer.
 * @module
 */

import { createPacketBatch, emptySourceStats, type PacketBatch, type PacketSource, type SourceStats } from "./batch.ts";
import { type Chunk, createChunk, RECORD_BYTES_MAX, type RecordParser } from "./chunk.ts";
import { isPcapMagic, PcapParser } from "./pcap_reader.ts";
import { isPcapngMagic, PcapngParser } from "./pcapng_reader.ts";

/** Options of `openFileSource`. */
export interface FileSourceOptions {
  /** Packets per batch. @default 1024 */
  packetsMax?: number;
  /** Size of the read buffer; grows once for a record that does not fit. @default 1 MiB */
  chunkBytes?: number;
}

/**
 * Opens a capture file as a packet source.
 * @throws {Error} `Cannot open capture file "x": No such file` and similar when the file cannot be read, or
 * `Cannot read capture file "x": not a pcap or pcapng file` when the magic is unknown.
 */
export async function openFileSource(path: string, options: FileSourceOptions = {}): Promise<FileSource> {
  const file = await openFile(path);
  const source = new FileSource(path, file, options);
  try {
    await source.detect();
  } catch (error) {
    file.close();
    throw error;
  }
  return source;
}

async function openFile(path: string): Promise<Deno.FsFile> {
  let file: Deno.FsFile | undefined;
  try {
    file = await Deno.open(path, { read: true });
    if ((await file.stat()).isDirectory) throw new Deno.errors.IsADirectory("Is a directory");
    return file;
  } catch (error) {
    file?.close();
    throw new Error(`Cannot open capture file "${path}": ${describeOpenError(error)}`, { cause: error });
  }
}

function describeOpenError(error: unknown): string {
  if (error instanceof Deno.errors.NotFound) return "No such file";
  if (error instanceof Deno.errors.PermissionDenied) return "Permission denied";
  if (error instanceof Deno.errors.IsADirectory) return "Is a directory";
  return error instanceof Error ? error.message.replace(/ \(os error \d+\)$/, "") : String(error);
}

/**
 * A capture file read batch by batch. `next()` reuses the one batch and buffer: the previous batch is released
 * implicitly, so consumers copy what they keep (the `PacketSource` lifetime rule).
 */
export class FileSource implements PacketSource {
  readonly name: string;
  readonly #file: Deno.FsFile;
  readonly #batch: PacketBatch;
  readonly #stats: SourceStats = emptySourceStats();
  #chunk: Chunk;
  #parser: RecordParser | undefined;
  #endOfFile = false;
  #closed = false;
  #ownErrors = 0;

  /** Use `openFileSource`, which also detects the format. */
  constructor(path: string, file: Deno.FsFile, options: FileSourceOptions = {}) {
    this.name = path;
    this.#file = file;
    this.#batch = createPacketBatch(options.packetsMax ?? 1024);
    this.#chunk = createChunk(new Uint8Array(options.chunkBytes ?? 1024 * 1024));
  }

  /** Interface names: the file name for pcap, the IDB names for pcapng. */
  get interfaces(): readonly string[] {
    return this.#parser?.interfaces ?? [this.name];
  }

  /** Reads the first bytes and picks the parser; throws when the format is unknown. */
  async detect(): Promise<void> {
    await this.#refill(4);
    const head = this.#chunk.data.subarray(this.#chunk.start, this.#chunk.end);
    if (isPcapMagic(head)) this.#parser = new PcapParser(this.name);
    else if (isPcapngMagic(head)) this.#parser = new PcapngParser(this.name);
    else throw new Error(`Cannot read capture file "${this.name}": not a pcap or pcapng file`);
  }

  /** Next batch, or null at end of file, after a fatal read error, or after `close()`. */
  async next(): Promise<PacketBatch | null> {
    const parser = this.#parser;
    const batch = this.#batch;
    batch.count = 0;
    while (!this.#closed && parser !== undefined) {
      parser.fill(this.#chunk, batch);
      if (batch.count > 0) return this.#count(batch);
      if (parser.failed) return null;
      if (parser.needBytes === 0) {
        // A parser that neither filled the batch nor asked for bytes would spin forever: count it and stop.
        this.#ownErrors++;
        return null;
      }
      if (this.#endOfFile) {
        // Bytes left that do not make a whole record: the file was cut short.
        if (this.#chunk.end > this.#chunk.start) this.#ownErrors++;
        this.#chunk.start = this.#chunk.end;
        return null;
      }
      await this.#refill(parser.needBytes);
    }
    return null;
  }

  #count(batch: PacketBatch): PacketBatch {
    this.#stats.packets += batch.count;
    for (let i = 0; i < batch.count; i++) this.#stats.bytes += batch.capturedBytes[i];
    return batch;
  }

  /** Moves unread bytes to the buffer start and reads until `needBytes` are available or the file ends. */
  async #refill(needBytes: number): Promise<void> {
    let chunk = this.#chunk;
    if (needBytes > chunk.data.length) {
      const grown = createChunk(
        new Uint8Array(Math.min(RECORD_BYTES_MAX + 64, Math.max(needBytes, chunk.data.length * 2))),
      );
      grown.data.set(chunk.data.subarray(chunk.start, chunk.end));
      grown.end = chunk.end - chunk.start;
      this.#chunk = chunk = grown;
    } else if (chunk.start > 0) {
      chunk.data.copyWithin(0, chunk.start, chunk.end);
      chunk.end -= chunk.start;
      chunk.start = 0;
    }
    while (chunk.end - chunk.start < needBytes && !this.#endOfFile) {
      let read: number | null = null;
      try {
        read = await this.#file.read(chunk.data.subarray(chunk.end));
      } catch {
        // An I/O error (or close() during the read) ends the file; what was read stays usable.
        if (!this.#closed) this.#ownErrors++;
      }
      if (read === null || read === 0) this.#endOfFile = true;
      else chunk.end += read;
    }
  }

  /** Batches of a file need no release: the next `next()` reuses the buffer. */
  release(_batch: PacketBatch): void {}

  /** Counters; `readErrors` counts bad records and a truncated end of file. */
  stats(): SourceStats {
    this.#stats.readErrors = (this.#parser?.readErrors ?? 0) + this.#ownErrors;
    return { ...this.#stats };
  }

  /** Closes the file; `next()` returns null afterwards. */
  close(): Promise<void> {
    if (!this.#closed) {
      this.#closed = true;
      this.#file.close();
    }
    return Promise.resolve();
  }
}
