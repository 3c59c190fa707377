/**
 * Picks the capture file writer for `-w` (pcap or pcapng by extension) and `-G`/`-C`/`-W` (rotating).
 * @module
 */
import { type CaptureWriter, createPcapWriter } from "../capture/pcap_writer.ts";
import { createPcapngWriter } from "../capture/pcapng_writer.ts";
import { createRotatingWriter } from "../capture/rotating_writer.ts";
import type { CaptureConfig } from "./capture_options.ts";

/** File format implied by a path: `.pcapng` (any case) writes pcapng, anything else pcap. */
export function formatOfPath(path: string): "pcap" | "pcapng" {
  return /\.pcapng$/i.test(path) ? "pcapng" : "pcap";
}

/**
 * Opens the writer `config` asks for (`config.writePath` must be set).
 * @throws {Error} `Cannot create capture file "x": ...` when the file cannot be created.
 */
export function openCaptureWriter(config: CaptureConfig, interfaces: readonly string[]): CaptureWriter {
  const path = config.writePath!;
  const format = formatOfPath(path);
  const pcap = { snaplenBytes: config.snaplenBytes };
  const pcapng = { snaplenBytes: config.snaplenBytes, interfaces };
  if (config.rotateSeconds > 0 || config.rotateBytes > 0) {
    return createRotatingWriter({
      path,
      format,
      rotateSeconds: config.rotateSeconds || undefined,
      rotateMegabytes: config.rotateBytes > 0 ? config.rotateBytes / 1_000_000 : undefined,
      fileCountMax: config.rotateFilesMax || undefined,
      pcap,
      pcapng,
    });
  }
  return format === "pcapng" ? createPcapngWriter(path, pcapng) : createPcapWriter(path, pcap);
}
