/**
 * tcpdump filter expressions applied to packets already in memory (capture files): libpcap compiles the
 * expression for the batch's link type and runs it over the whole batch in one FFI call
 * (`cap_filter_run_batch`, docs/abi.md), so `-r FILE -f EXPR` keeps exactly the packets `tcpdump -r FILE EXPR`
 * keeps. Live rings filter in the kernel instead (`Ring.open`).
 * @module
 */
import { ErrorInfo, Status } from "./abi.ts";
import { CaptureError, codeFromStatus } from "./capture_error.ts";
import { captureLibrary, cString } from "./lib.ts";
import { throwErrorInfo } from "./ring.ts";
import type { PacketBatch } from "../capture/batch.ts";

/** libpcap's MAXIMUM_SNAPLEN; a program's accept value only, it never changes which packets match. */
const SNAPLEN_BYTES_DEFAULT = 262144;
/** `data_bytes` is a u32: a larger buffer is passed as its first 4 GiB (packets beyond never match). */
const DATA_BYTES_MAX = 0xffff_ffff;

/** One compiled program for one link type; `close` frees it. */
export class PacketFilter {
  readonly expression: string;
  readonly linkType: number;
  #handle: Deno.PointerObject | null;

  private constructor(expression: string, linkType: number, handle: Deno.PointerObject) {
    this.expression = expression;
    this.linkType = linkType;
    this.#handle = handle;
  }

  /**
   * Compiles `expression` for packets of `linkType` (tcpdump.org LINKTYPE_); empty accepts everything.
   * @throws {CaptureError} `filter_invalid` with libpcap's message, e.g. for `udp port banana`.
   */
  static compile(expression: string, linkType: number, snaplenBytes = SNAPLEN_BYTES_DEFAULT): PacketFilter {
    const errorInfo = new Uint8Array(ErrorInfo.size);
    const handle = captureLibrary().cap_filter_new(cString(expression), linkType, snaplenBytes, errorInfo);
    if (handle === null) throwErrorInfo(errorInfo, Status.filter_invalid);
    return new PacketFilter(expression, linkType, handle);
  }

  /**
   * Sets `match[i]` to 1 for each of the batch's first `batch.count` packets the filter accepts, else 0, and
   * returns how many matched. `match` needs at least `batch.count` entries.
   */
  run(batch: PacketBatch, match: Uint8Array): number {
    if (this.#handle === null) throw new CaptureError("closed", `Filter "${this.expression}" is closed`);
    if (match.length < batch.count) {
      throw new CaptureError("invalid_argument", `Match array holds ${match.length} of ${batch.count} packets`);
    }
    const status = captureLibrary().cap_filter_run_batch(
      this.#handle,
      batch.data,
      Math.min(batch.data.length, DATA_BYTES_MAX),
      batch.offsets,
      batch.capturedBytes,
      batch.wireBytes,
      batch.count,
      match,
    );
    if (status < 0) throw new CaptureError(codeFromStatus(status), `Filter "${this.expression}" failed: ${status}`);
    return status;
  }

  /** Frees the program; further `run` calls throw. */
  close(): void {
    if (this.#handle === null) return;
    captureLibrary().cap_filter_free(this.#handle);
    this.#handle = null;
  }
}

/**
 * One expression over batches of any link type: compiled once per link type on first sight, then applied by
 * compacting each batch to its matching packets.
 */
export class BatchFilter {
  readonly expression: string;
  readonly #filters = new Map<number, PacketFilter>();
  #match = new Uint8Array(0);
  /** Packets removed by the filter so far. */
  rejectedPackets = 0;

  constructor(expression: string) {
    this.expression = expression;
  }

  /**
   * Keeps only the matching packets in `batch`: the per-packet arrays are compacted in place (order kept,
   * `data` untouched) and `batch.count` shrinks. Returns the number of packets kept.
   * @throws {CaptureError} `filter_invalid` when the expression does not compile for the batch's link type.
   */
  apply(batch: PacketBatch): number {
    if (batch.count === 0) return 0;
    if (this.#match.length < batch.count) this.#match = new Uint8Array(batch.offsets.length);
    const kept = this.#filterFor(batch.linkType).run(batch, this.#match);
    if (kept === batch.count) return kept;
    this.rejectedPackets += batch.count - kept;
    compactBatch(batch, this.#match);
    return kept;
  }

  #filterFor(linkType: number): PacketFilter {
    let filter = this.#filters.get(linkType);
    if (filter === undefined) {
      filter = PacketFilter.compile(this.expression, linkType);
      this.#filters.set(linkType, filter);
    }
    return filter;
  }

  /** Frees every compiled program. */
  close(): void {
    for (const filter of this.#filters.values()) filter.close();
    this.#filters.clear();
  }
}

/** Moves the entries of packets with `keep[i] !== 0` to the front, in order, and sets `batch.count`. */
export function compactBatch(batch: PacketBatch, keep: Uint8Array): void {
  let kept = 0;
  for (let i = 0; i < batch.count; i++) {
    if (keep[i] === 0) continue;
    if (kept !== i) {
      batch.offsets[kept] = batch.offsets[i];
      batch.capturedBytes[kept] = batch.capturedBytes[i];
      batch.wireBytes[kept] = batch.wireBytes[i];
      batch.timestampSec[kept] = batch.timestampSec[i];
      batch.timestampNsec[kept] = batch.timestampNsec[i];
      batch.vlanTci[kept] = batch.vlanTci[i];
      batch.vlanTpid[kept] = batch.vlanTpid[i];
      batch.flags[kept] = batch.flags[i];
      batch.packetType[kept] = batch.packetType[i];
    }
    kept++;
  }
  batch.count = kept;
}
