/**
 * `capture-agent capture`: tcpdump-like capture from interfaces (`-i`) or a file (`-r`) through one path:
 * source → (write | print) → counters, with a JSONL summary on request and tcpdump's three exit lines.
 * @module
 */
import type { Command } from "commander";
import { AfPacketSource } from "../capture/afpacket.ts";
import { LinkType, type PacketBatch, PacketFlag, type PacketSource } from "../capture/batch.ts";
import { openFileSource } from "../capture/file_source.ts";
import { runAnalyze } from "./analyze.ts";
import {
  addCaptureOptions,
  type CaptureConfig,
  captureConfig,
  type CaptureFlags,
  recordRunFlags,
} from "./capture_options.ts";
import { PacketPrinter } from "./capture_output.ts";
import { CaptureReport } from "./capture_report.ts";
import { formatOfPath, openCaptureWriter } from "./capture_writer.ts";
import { PcapRecordsFlag } from "../native/pcap_records.ts";
import { type CaptureWriter, PcapWriter } from "../capture/pcap_writer.ts";
import { RotatingWriter } from "../capture/rotating_writer.ts";
import { decodeSummary } from "../decode/decode.ts";
import { summaryFromColumns } from "../decode/summary_columns.ts";
import { BatchFilter } from "../native/filter.ts";
import { createPacketSummary, type PacketSummary } from "../decode/summary.ts";

/** Adds the `capture` command to `program`; its exit code goes to `setExitCode`. */
export function registerCaptureCommand(program: Command, setExitCode: (code: number) => void): void {
  const command = program.command("capture").description("capture packets from interfaces or read a capture file");
  addCaptureOptions(command).action(async (flags: CaptureFlags) => {
    // `--protocol`: the same sources, protocol records instead of packets (the `analyze` pipeline).
    if (flags.protocol !== undefined) {
      setExitCode(await runAnalyze(recordRunFlags({ ...flags, protocol: flags.protocol })));
    } else setExitCode(await runCapture(captureConfig(flags)));
  });
}

/**
 * Runs a capture to its end (count reached, end of file, SIGINT/SIGTERM) and prints the exit lines on stderr.
 * @throws {Error} for bad input (unknown interface, bad filter, unreadable file); nothing is left open.
 */
export async function runCapture(config: CaptureConfig): Promise<number> {
  const live = config.readPath === undefined;
  const source: PacketSource = live ? openLive(config) : await openFileSource(config.readPath!);
  let writer: CaptureWriter | null = null;
  let report: CaptureReport | null = null;
  let maintenance: ReturnType<typeof setInterval> | undefined;
  const stopSignals = onStopSignal(() => stopSource(source));
  // A ring filters in the kernel; a file's batches go through the same expression in libpcap.
  const fileFilter = !live && config.filter !== "" ? new BatchFilter(config.filter) : null;
  try {
    writer = config.writePath === undefined ? null : openCaptureWriter(config, source.interfaces);
    report = new CaptureReport(source, config.summaryPath);
    const sinks: Sinks = {
      writer,
      printer: config.quiet ? null : new PacketPrinter(config.format, source),
      report,
      summary: createPacketSummary(),
    };
    // Rotation and summary lines are also due while no packet arrives; the loop leaves the event loop free.
    maintenance = setInterval(() => maintain(sinks), 1000);
    if (source instanceof AfPacketSource) console.error(listeningLine(source, config));
    const fast = fastPathWriter(source, config, sinks);
    if (fast) await pumpRecords(source as AfPacketSource, config, fast, report);
    else if (countsOnly(source, config, sinks)) await pumpCounts(source as AfPacketSource, config, report);
    else await pump(source, config, sinks, fileFilter);
  } finally {
    clearInterval(maintenance);
    fileFilter?.close();
    await source.close();
    writer?.close();
    // Only now: a signal during close must not kill the process before files are flushed.
    stopSignals();
  }
  report.finish(live);
  return 0;
}

/** tcpdump's start line; tests wait for it before sending. */
function listeningLine(source: AfPacketSource, config: CaptureConfig): string {
  const info = source.ringInfo;
  const linkType = info.linkType === LinkType.EN10MB ? "EN10MB" : String(info.linkType);
  const sockets = config.fanoutCount > 1 ? ` (${config.fanoutCount} ${config.fanoutMode} fanout sockets each)` : "";
  return `capture-agent: listening on ${source.name}${sockets}, link-type ${linkType}, snapshot length ${info.snaplenBytes} bytes`;
}

function openLive(config: CaptureConfig): AfPacketSource {
  return AfPacketSource.open({
    interfaces: config.interfaces,
    filter: config.filter,
    snaplenBytes: config.snaplenBytes,
    blockBytes: config.blockBytes,
    blockCount: config.blockCount,
    retireTimeoutMs: config.retireTimeoutMs,
    coalesceMs: config.coalesceMs,
    fanoutCount: config.fanoutCount,
    fanoutMode: config.fanoutMode,
    promiscuous: config.promiscuous,
    // A one-shot capture serves nothing else: waiting on this thread saves thread wake-ups per block.
    inlineWait: true,
    // Printing and --summary with -w read every packet's summary: the library decodes them in its block walk
    // (`--summary` alone counts them in the library: `pumpCounts`).
    summaries: !config.quiet || (config.summaryPath !== undefined && config.writePath !== undefined),
  });
}

interface Sinks {
  writer: CaptureWriter | null;
  printer: PacketPrinter | null;
  report: CaptureReport;
  /** The one summary every packet is decoded into (when printed or counted by protocol). */
  summary: PacketSummary;
}

function maintain(sinks: Sinks): void {
  if (sinks.writer instanceof RotatingWriter) sinks.writer.rotateIfDue();
  sinks.report.tick();
}

async function pump(
  source: PacketSource,
  config: CaptureConfig,
  sinks: Sinks,
  fileFilter: BatchFilter | null,
): Promise<void> {
  const { writer, printer, report } = sinks;
  const decoding = printer !== null || config.summaryPath !== undefined;
  let captured = 0;
  while (captured < config.countMax) {
    const batch = await source.next();
    if (batch === null) break;
    let count = 0;
    try {
      // Whole packets are filtered before -s cuts them, as the kernel does for a ring.
      if (fileFilter !== null) fileFilter.apply(batch);
      count = Math.min(batch.count, config.countMax - captured);
      if (config.readPath !== undefined) applySnaplen(batch, count, config.snaplenBytes);
      if (writer) writeBatch(writer, batch, count);
      report.count(batch, count);
      if (decoding) decodeBatch(batch, count, sinks);
    } finally {
      source.release(batch);
    }
    captured += count;
    report.tick();
    // stdout gone (a closed pipe) or every -W file written: stop like tcpdump does.
    if (printer !== null && !printer.flush()) break;
    if (writer instanceof RotatingWriter && writer.finished) break;
  }
}

/**
 * Counts (and prints) the first `count` packets by their summaries: the ones the library decoded while walking a
 * ring block when the batch has them, else `decodeSummary` on the packet bytes (files).
 */
function decodeBatch(batch: PacketBatch, count: number, sinks: Sinks): void {
  const { printer, report, summary } = sinks;
  const columns = batch.summaries;
  if (columns !== undefined && printer === null) {
    report.countSummaryColumns(batch, columns, count);
    return;
  }
  for (let i = 0; i < count; i++) {
    if (columns !== undefined) summaryFromColumns(batch, columns, i, summary);
    else decodeSummary(batch, i, summary);
    report.countSummary(summary);
    printer?.add(batch, summary);
  }
}

/** The pcap writer of the fast path (`pumpRecords`), or null when the capture needs batches. */
function fastPathWriter(source: PacketSource, config: CaptureConfig, sinks: Sinks): PcapWriter | RotatingWriter | null {
  const { writer } = sinks;
  if (!(source instanceof AfPacketSource) || source.linkType === -1) return null;
  if (sinks.printer !== null || config.summaryPath !== undefined) return null;
  if (writer instanceof PcapWriter) return writer;
  if (writer instanceof RotatingWriter && formatOfPath(config.writePath!) === "pcap") return writer;
  return null;
}

/**
 * `-w` to pcap from a live source without printing or `--summary`: the library turns each ring block into pcap
 * records in one call and releases it at once; no `PacketBatch`, no per-packet JavaScript.
 */
async function pumpRecords(
  source: AfPacketSource,
  config: CaptureConfig,
  writer: PcapWriter | RotatingWriter,
  report: CaptureReport,
): Promise<void> {
  const linkType = source.linkType;
  const flags = (writer.nanosecond ? PcapRecordsFlag.NANOSECOND : 0) |
    (linkType === LinkType.EN10MB ? PcapRecordsFlag.VLAN_REINSERT : 0);
  const blockBytes = source.ringInfo.blockBytes;
  let captured = 0;
  while (captured < config.countMax) {
    // The library converts the block straight into the file's write buffer.
    const target = writer.recordsTarget(blockBytes, linkType);
    if (target === null) break;
    const records = await source.nextRecords(target, flags, config.countMax - captured);
    if (records === null) break;
    writer.commitRecords(records.bytes, records.packets);
    report.countTotals(records.packets, records.wireBytes);
    captured += records.packets;
    report.tick();
  }
}

/** `-q --summary` from a live source without `-w`: only counters are needed, no batch (`pumpCounts`). */
function countsOnly(source: PacketSource, config: CaptureConfig, sinks: Sinks): boolean {
  if (!(source instanceof AfPacketSource)) return false;
  return sinks.printer === null && sinks.writer === null && config.summaryPath !== undefined;
}

/**
 * `-q --summary` from a live source: the library walks each ring block, decodes every packet's summary and returns
 * only the block's counters (protocol classes as `protocolClassOf` defines them) in one call, and the block goes back
 * to the kernel at once; no `PacketBatch`, nothing per packet crosses into JavaScript.
 */
async function pumpCounts(source: AfPacketSource, config: CaptureConfig, report: CaptureReport): Promise<void> {
  let captured = 0;
  while (captured < config.countMax) {
    const counts = await source.nextCounts(config.countMax - captured);
    if (counts === null) break;
    report.countTotals(counts.packets, counts.wireBytes);
    report.countProtocolClasses(counts.protocolClasses, counts.malformedPackets);
    captured += counts.packets;
    report.tick();
  }
}

function writeBatch(writer: CaptureWriter, batch: PacketBatch, count: number): void {
  if (writer instanceof RotatingWriter) writer.rotateIfDue();
  // pcap: one library call per batch (a ring block), no per-packet JavaScript.
  if (writer instanceof RotatingWriter || writer instanceof PcapWriter) writer.writeRange(batch, 0, count);
  else for (let i = 0; i < count; i++) writer.writePacket(batch, i);
}

/** Cuts packets of a file to the snap length, as a live ring would have. */
function applySnaplen(batch: PacketBatch, count: number, snaplenBytes: number): void {
  for (let i = 0; i < count; i++) {
    if (batch.capturedBytes[i] <= snaplenBytes) continue;
    batch.capturedBytes[i] = snaplenBytes;
    batch.flags[i] |= PacketFlag.TRUNCATED;
  }
}

function stopSource(source: PacketSource): void {
  // A live source hands out what is already captured, then ends; a file just ends.
  if (source instanceof AfPacketSource) source.stop();
  else void source.close();
}

/** Calls `onStop` on SIGINT/SIGTERM; a second signal exits at once. Returns the uninstaller. */
function onStopSignal(onStop: () => void): () => void {
  let signalled = false;
  const handler = () => {
    if (signalled) Deno.exit(130);
    signalled = true;
    onStop();
  };
  const signals: Deno.Signal[] = ["SIGINT", "SIGTERM"];
  for (const signal of signals) Deno.addSignalListener(signal, handler);
  return () => {
    for (const signal of signals) Deno.removeSignalListener(signal, handler);
  };
}
