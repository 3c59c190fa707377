/**
 * Per-packet output of `capture-agent capture`: one tcpdump-like text line or one JSON object per packet,
 * written to stdout once per batch. Strings are made here only because they are printed.
 * @module
 */
import type { PacketBatch, PacketSource } from "../capture/batch.ts";
import { AfPacketSource } from "../capture/afpacket.ts";
import { formatSummaryText, summaryToJson } from "../decode/format.ts";
import type { PacketSummary } from "../decode/summary.ts";

/** Collects the lines of one batch and writes them to stdout in one go. */
export class PacketPrinter {
  readonly #format: "text" | "json";
  readonly #source: PacketSource;
  readonly #out: { writeSync(bytes: Uint8Array): number };
  readonly #encoder = new TextEncoder();
  #text = "";
  #broken = false;

  /** @param out Where lines go. @default Deno.stdout */
  constructor(
    format: "text" | "json",
    source: PacketSource,
    out: { writeSync(bytes: Uint8Array): number } = Deno.stdout,
  ) {
    this.#format = format;
    this.#source = source;
    this.#out = out;
  }

  /** Adds the line of one decoded packet of `batch`. */
  add(batch: PacketBatch, summary: PacketSummary): void {
    const interfaces = this.#source.interfaces;
    if (this.#format === "text") {
      const prefix = interfaces.length > 1 ? `${interfaces[batch.interfaceIndex]} ` : "";
      this.#text += prefix + formatSummaryText(summary) + "\n";
      return;
    }
    const record = summaryToJson(summary);
    if (interfaces.length > 1 || this.#source instanceof AfPacketSource) {
      record.interface = interfaces[batch.interfaceIndex];
    }
    if (this.#source instanceof AfPacketSource) record.socket = this.#source.socketIndexOf(batch);
    this.#text += JSON.stringify(record) + "\n";
  }

  /** Writes the collected lines. Returns false once stdout is gone (closed pipe), true otherwise. */
  flush(): boolean {
    if (this.#broken) return false;
    const bytes = this.#encoder.encode(this.#text);
    this.#text = "";
    try {
      let done = 0;
      while (done < bytes.length) done += this.#out.writeSync(bytes.subarray(done));
    } catch (error) {
      if (!(error instanceof Deno.errors.BrokenPipe)) throw error;
      this.#broken = true;
    }
    return !this.#broken;
  }
}
