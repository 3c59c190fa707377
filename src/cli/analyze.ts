/**
 * `capture-agent analyze`: the record pipeline without the daemon. Reads a file (`-r`) or captures live (`-i`),
 * runs decode → parsers → records, and prints one JSON record per line on stdout or into `-w FILE`. `--stats` adds
 * one JSON line of counters on stderr at the end. SIGINT/SIGTERM end a live capture: calls and streams still open
 * are flushed into records before exit.
 * @module
 */
import type { Command } from "commander";
import { AfPacketSource } from "../capture/afpacket.ts";
import type { PacketSource } from "../capture/batch.ts";
import { openFileSource } from "../capture/file_source.ts";
import { BatchFilter } from "../native/filter.ts";
import { parseProtocolList, Pipeline, type PipelineRecord } from "../pipeline/mod.ts";
import { valueJson } from "../output/prebuilt_json.ts";

/** Flags as commander parses them. */
interface AnalyzeFlags {
  read?: string;
  interface: string[];
  filter?: string;
  protocol: string;
  write?: string;
  stats?: boolean;
  task?: string;
  count?: number;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function positiveInteger(value: string): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1) throw new TypeError(`Expected a positive integer, got "${value}"`);
  return number;
}

/** Adds the `analyze` command to `program`; its exit code goes to `setExitCode`. */
export function registerAnalyzeCommand(program: Command, setExitCode: (code: number) => void): void {
  program.command("analyze")
    .description("decode packets into protocol records (SIP, calls, RTP/RTCP, DNS, HTTP) printed as JSON lines")
    .option("-r, --read <file>", "read packets from a pcap or pcapng file")
    .option("-i, --interface <name>", "capture live on this interface (repeatable)", collect, [])
    .option("-f, --filter <expression>", "capture filter in tcpdump syntax (kernel for -i, libpcap for -r)")
    .option(
      "--protocol <list>",
      "protocols: sip,call,rtp,rtcp,dns,http or all; add rtp_packet for one record per RTP packet",
      "all",
    )
    .option("-w, --write <file>", "write records to this JSONL file instead of stdout")
    .option("--stats", "print a JSON line of counters on stderr at the end")
    .option("--task <name>", "task name put in every record")
    .option("-c, --count <packets>", "stop after this many packets", positiveInteger)
    .action(async (flags: AnalyzeFlags) => setExitCode(await runAnalyze(flags)));
}

/** Writes JSON lines to a file or stdout, whole writes only (a record is never cut). */
class LineWriter {
  readonly #file: Deno.FsFile | null;
  readonly #encoder = new TextEncoder();

  constructor(path: string | undefined) {
    this.#file = path === undefined ? null : Deno.openSync(path, { write: true, create: true, truncate: true });
  }

  /** Stdout was closed by its reader (`| head`): the rest is dropped quietly, as tcpdump does. */
  broken = false;

  write(records: readonly PipelineRecord[]): void {
    if (records.length === 0 || this.broken) return;
    let text = "";
    for (const record of records) text += valueJson(record) + "\n";
    let bytes = this.#encoder.encode(text);
    try {
      while (bytes.length > 0) {
        const written = this.#file !== null ? this.#file.writeSync(bytes) : Deno.stdout.writeSync(bytes);
        bytes = bytes.subarray(written);
      }
    } catch (error) {
      if (this.#file !== null || !(error instanceof Deno.errors.BrokenPipe)) throw error;
      this.broken = true;
    }
  }

  close(): void {
    this.#file?.close();
  }
}

/**
 * Runs the analysis to its end (end of file, count reached, or a stop signal) and returns the exit code.
 * @throws {Error} for bad input (unknown protocol, unknown interface, bad filter, unreadable file).
 */
export async function runAnalyze(flags: AnalyzeFlags): Promise<number> {
  const live = flags.interface.length > 0;
  if (live === (flags.read !== undefined)) throw new Error("Give either -r FILE or -i IFACE");
  const protocols = parseProtocolList(flags.protocol);
  const source: PacketSource = live
    ? AfPacketSource.open({ interfaces: flags.interface, filter: flags.filter ?? "" })
    : await openFileSource(flags.read!);
  // A ring filters in the kernel; a file's batches go through the same expression in libpcap.
  const fileFilter = !live && flags.filter ? new BatchFilter(flags.filter) : null;
  const writer = new LineWriter(flags.write);
  const pipeline = new Pipeline({ protocols, interfaces: source.interfaces, task: flags.task });
  const stop = () => source instanceof AfPacketSource ? source.stop() : void source.close();
  const signals: Deno.Signal[] = ["SIGINT", "SIGTERM"];
  for (const signal of signals) Deno.addSignalListener(signal, stop);
  // A quiet live capture still ends calls and queries on time.
  const ticker = setInterval(() => {
    pipeline.tick(Date.now());
    writer.write(pipeline.queue.drain());
  }, 1000);
  try {
    if (live) console.error(`capture-agent: listening on ${source.name}, analyzing ${protocols.join(",")}`);
    await pump(source, pipeline, writer, flags.count ?? Infinity, fileFilter);
    pipeline.finish();
    writer.write(pipeline.queue.drain());
  } finally {
    clearInterval(ticker);
    for (const signal of signals) Deno.removeSignalListener(signal, stop);
    await source.close();
    fileFilter?.close();
    writer.close();
  }
  if (flags.stats) console.error(JSON.stringify({ source: source.stats(), pipeline: pipeline.stats() }));
  return 0;
}

async function pump(
  source: PacketSource,
  pipeline: Pipeline,
  writer: LineWriter,
  countMax: number,
  fileFilter: BatchFilter | null,
): Promise<void> {
  let packets = 0;
  while (packets < countMax && !writer.broken) {
    const batch = await source.next();
    if (batch === null) return;
    try {
      fileFilter?.apply(batch);
      batch.count = Math.min(batch.count, countMax - packets);
      packets += batch.count;
      pipeline.process(batch);
    } finally {
      source.release(batch);
    }
    writer.write(pipeline.queue.drain());
  }
}
