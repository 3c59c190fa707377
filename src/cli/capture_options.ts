/**
 * Options of `capture-agent capture`: the commander definitions and their validation into one `CaptureConfig`.
 * Every bad value becomes one `CaptureOptionError` with a message fit for `capture-agent: <message>`.
 * @module
 */
import { Command, InvalidArgumentError, Option } from "commander";
import { type FanoutModeName, RETIRE_TIMEOUT_MS_DEFAULT } from "../native/ring.ts";
import { FANOUT_SOCKETS_MAX } from "../capture/afpacket_options.ts";

/**
 * Block retire timeout when nothing is printed (`-w`, `-q`): fewer, fuller blocks cost fewer wake-ups, as tcpdump's
 * buffered mode does (it waits up to 1000 ms); printing keeps the ring's default so lines appear at once.
 */
export const QUIET_RETIRE_TIMEOUT_MS = 100;
/**
 * With -w or -q nothing waits for each block: nap up to this long between takes so one wake-up serves several blocks
 * (src/capture/wake_coalescer.ts; tcpdump's -w buffers up to 1 s the same way).
 */
export const QUIET_COALESCE_MS = 500;
/** Largest `--block-timeout`: stop() waits this long for the last block. */
const RETIRE_TIMEOUT_MS_MAX = 10_000;

/** A bad option combination; the CLI prints its message as one line and exits 1. */
export class CaptureOptionError extends RangeError {
  constructor(message: string) {
    super(message);
    this.name = "CaptureOptionError";
  }
}

/** Everything `runCapture` needs, validated. */
export interface CaptureConfig {
  interfaces: string[];
  readPath?: string;
  filter: string;
  countMax: number;
  snaplenBytes: number;
  writePath?: string;
  rotateSeconds: number;
  rotateBytes: number;
  rotateFilesMax: number;
  fanoutCount: number;
  fanoutMode: FanoutModeName;
  promiscuous: boolean;
  format: "text" | "json";
  summaryPath?: string;
  blockBytes: number;
  blockCount: number;
  /** Ring block retire timeout (`--block-timeout`). */
  retireTimeoutMs: number;
  /** Nap between block takes (0 when printing: lines appear as blocks retire). */
  coalesceMs: number;
  quiet: boolean;
}

/** Raw values as commander hands them to the action. */
export interface CaptureFlags {
  interface: string[];
  read?: string;
  filter?: string;
  count?: number;
  snaplen?: number;
  rotateSeconds?: number;
  rotateMegabytes?: number;
  rotateFiles?: number;
  write?: string;
  fanout: number;
  fanoutMode: FanoutModeName;
  promisc: boolean;
  format: "text" | "json";
  summary?: string;
  blockBytes: number;
  blockCount: number;
  blockTimeout?: number;
  quiet?: boolean;
  /** Protocol records instead of packets (as `analyze --protocol`). */
  protocol?: string;
}

function positiveInteger(value: string): number {
  const number = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(number) || number < 1) {
    throw new InvalidArgumentError("Expected a positive integer");
  }
  return number;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** Adds the capture options to `command`. */
export function addCaptureOptions(command: Command): Command {
  return command
    .option("-i, --interface <name>", "interface to capture on (repeatable)", collect, [])
    .option("-r, --read <file>", "read packets from a pcap or pcapng file instead")
    .option("-f, --filter <expression>", "capture filter in tcpdump syntax (kernel for -i, libpcap for -r)")
    .option("-c, --count <packets>", "stop after this many packets", positiveInteger)
    .option("-s, --snaplen <bytes>", "bytes kept of each packet (default 262144)", positiveInteger)
    .option("-w, --write <file>", "write packets to a .pcap or .pcapng file instead of printing them")
    .option("-G, --rotate-seconds <seconds>", "start a new file every N seconds (strftime % in -w)", positiveInteger)
    .option("-C, --rotate-megabytes <mb>", "start a new file when the current one exceeds N MB", positiveInteger)
    .option("-W, --rotate-files <files>", "keep at most N files when rotating", positiveInteger)
    .option("--fanout <sockets>", "fanout sockets per interface", positiveInteger, 1)
    .addOption(
      new Option("--fanout-mode <mode>", "how the kernel spreads packets over sockets")
        .choices(["hash", "lb", "cpu", "rollover", "random", "qm"]).default("hash"),
    )
    .option("--no-promisc", "do not put the interface into promiscuous mode")
    .addOption(new Option("--format <format>", "per-packet output").choices(["text", "json"]).default("text"))
    .option("--summary <file>", "append a JSON summary line every 10 s and at exit")
    .option("--block-bytes <bytes>", "ring block size", positiveInteger, 1 << 20)
    .option("--block-count <blocks>", "ring blocks per socket", positiveInteger, 32)
    .option(
      "--block-timeout <ms>",
      `ring block retire timeout (default ${RETIRE_TIMEOUT_MS_DEFAULT} when printing, ${QUIET_RETIRE_TIMEOUT_MS} with -w or -q)`,
      positiveInteger,
    )
    .option("-q, --quiet", "do not print packets")
    .option(
      "--protocol <list>",
      "print protocol records as JSON lines instead of packets (as analyze): sip,call,rtp,rtcp,dns,http or all",
    );
}

/**
 * The `analyze` flags of a `capture --protocol` run.
 * @throws {CaptureOptionError} for a packet-output option, which has no meaning for records.
 */
export function recordRunFlags(flags: CaptureFlags & { protocol: string }): {
  read?: string;
  interface: string[];
  filter?: string;
  protocol: string;
  count?: number;
} {
  const packetOnly: [string, boolean][] = [
    ["-w", flags.write !== undefined],
    [
      "-G/-C/-W",
      flags.rotateSeconds !== undefined || flags.rotateMegabytes !== undefined || flags.rotateFiles !== undefined,
    ],
    ["--summary", flags.summary !== undefined],
    ["-q", flags.quiet === true],
    ["--fanout", flags.fanout !== 1],
  ];
  const given = packetOnly.filter(([, set]) => set).map(([name]) => name);
  if (given.length > 0) {
    throw new CaptureOptionError(
      `${given.join(", ")} not with --protocol: packet options (analyze -w writes records to a file)`,
    );
  }
  const { read, interface: interfaces, filter, protocol, count } = flags;
  return { read, interface: interfaces, filter, protocol, count };
}

/**
 * Validates flags into a config.
 * @throws {CaptureOptionError} for a contradiction or a value outside its limits.
 */
export function captureConfig(flags: CaptureFlags): CaptureConfig {
  const live = flags.interface.length > 0;
  if (live && flags.read !== undefined) throw new CaptureOptionError("Use either -i or -r, not both");
  if (!live && flags.read === undefined) throw new CaptureOptionError("Nothing to capture: give -i IFACE or -r FILE");
  const rotating = flags.rotateSeconds !== undefined || flags.rotateMegabytes !== undefined;
  if ((rotating || flags.rotateFiles !== undefined) && flags.write === undefined) {
    throw new CaptureOptionError("-G, -C and -W need -w FILE");
  }
  if (flags.rotateFiles !== undefined && !rotating) throw new CaptureOptionError("-W needs -G or -C");
  const snaplenBytes = flags.snaplen ?? 262144;
  if (snaplenBytes > 262144) throw new CaptureOptionError(`Snap length ${snaplenBytes} is above 262144`);
  if (flags.fanout > FANOUT_SOCKETS_MAX) {
    throw new CaptureOptionError(`Fanout ${flags.fanout} is above ${FANOUT_SOCKETS_MAX} sockets`);
  }
  const quiet = flags.quiet === true || flags.write !== undefined;
  const retireTimeoutMs = flags.blockTimeout ?? (quiet ? QUIET_RETIRE_TIMEOUT_MS : RETIRE_TIMEOUT_MS_DEFAULT);
  if (retireTimeoutMs > RETIRE_TIMEOUT_MS_MAX) {
    throw new CaptureOptionError(`Block timeout ${retireTimeoutMs} ms is above ${RETIRE_TIMEOUT_MS_MAX} ms`);
  }
  return {
    interfaces: flags.interface,
    readPath: flags.read,
    filter: flags.filter ?? "",
    countMax: flags.count ?? Infinity,
    snaplenBytes,
    writePath: flags.write,
    rotateSeconds: flags.rotateSeconds ?? 0,
    rotateBytes: (flags.rotateMegabytes ?? 0) * 1_000_000,
    rotateFilesMax: flags.rotateFiles ?? 0,
    fanoutCount: flags.fanout,
    fanoutMode: flags.fanoutMode,
    promiscuous: flags.promisc,
    format: flags.format,
    summaryPath: flags.summary,
    blockBytes: flags.blockBytes,
    blockCount: flags.blockCount,
    retireTimeoutMs,
    coalesceMs: quiet ? QUIET_COALESCE_MS : 0,
    quiet,
  };
}
