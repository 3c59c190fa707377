/**
 * A task's outputs from their URLs and per-output options (a task file's `{url: ..., <options>}` entries), made by
 * the output registry (src/output/registry.ts). The URL gives the kind and its address; the options give the rest,
 * in snake_case or camelCase, and are checked when the task is created: an unknown option or a bad value fails
 * `task create` with the output's URL and the option's name.
 *
 * - `jsonl:DIR/NAME.jsonl` writes rotated files `DIR/NAME-<UTC time>-<n>.jsonl`; `jsonl:DIR` uses the task name.
 * - `kafka://BROKERS/TOPIC` spools to `<data_dir>/spool/<task>/<n>` while the broker is away (`spool: false` turns
 *   the spool off, a `spool:` mapping sets its bounds); `topic_prefix: P` sends each record type to `P-<type>`.
 * - `hep://HOST:PORT` and `hep+tcp://` add the URL's collector in front of any `collectors` option.
 * - `pcap:DIR` writes the task's packets; with `per_call: true` one file per call instead (SIP, RTP and RTCP).
 * - `console` prints records on stdout (logs go to stderr).
 * @module
 */
import { basename, dirname } from "node:path";
import type { TaskSpec } from "../control/gen/capture_agent/v1/task_pb.ts";
import { TaskControlError } from "../control/task_control.ts";
import type { CallPacketSink } from "../output/call_pcap.ts";
import type { Output } from "../output/output.ts";
import { isPacketOutput } from "../output/pcap_output.ts";
import type { OutputSpec } from "../output/registry.ts";
import { type OutputTarget, parseOutputUrl } from "./output_url.ts";

/** What outputs need besides their URL. */
export interface OutputContext {
  task: string;
  /** Host name records are attributed to. */
  agentId: string;
  dataDir: string;
  /** Interface names of the run, by `PacketBatch.interfaceIndex` (pcap files name them). */
  interfaces?: readonly string[];
}

/** What a run hands an output: records, the task's packets, or nothing (per-call pcap is fed by the pipeline). */
export type OutputFeed = "records" | "packets" | "calls";

/** One opened output of a task. */
export interface OpenedOutput {
  url: string;
  output: Output;
  feed: OutputFeed;
}

const KAFKA_ACKS: readonly unknown[] = [0, 1, "all", "0", "1"];
const KAFKA_COMPRESSIONS: readonly unknown[] = ["none", "gzip", "snappy", "lz4", "zstd"];
const KAFKA_KEY_STRATEGIES: readonly unknown[] = ["record", "none", "field"];
const KAFKA_FORMATS: readonly unknown[] = ["native", "otus-v1"];
const SASL_MECHANISMS: readonly unknown[] = ["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"];

/** Directory and file prefix of a `jsonl:` path. */
export function jsonlPlace(path: string, task: string): { dir: string; prefix: string } {
  if (path.endsWith(".jsonl")) return { dir: dirname(path), prefix: basename(path).slice(0, -".jsonl".length) };
  return { dir: path, prefix: task };
}

function camelCase(name: string): string {
  return name.replace(/_([a-z0-9])/g, (_match, letter: string) => letter.toUpperCase());
}

/** A nested option mapping (`tls`, `sasl`, `spool`) with camelCase keys. */
function camelObject(value: unknown, option: string): Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new TypeError(`option "${option}" must be a mapping`);
  }
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [camelCase(key), item]));
}

function oneOf(options: Record<string, unknown>, name: string, allowed: readonly unknown[]): void {
  const value = options[name];
  if (value !== undefined && !allowed.includes(value)) {
    throw new RangeError(`option "${name}" is ${JSON.stringify(value)}; use one of ${allowed.join(", ")}`);
  }
}

/** Kafka options the output itself does not check up front (they would fail at send time). */
function kafkaSpec(
  target: Extract<OutputTarget, { kind: "kafka" }>,
  options: Record<string, unknown>,
  spoolDir: string,
) {
  oneOf(options, "acks", KAFKA_ACKS);
  oneOf(options, "compression", KAFKA_COMPRESSIONS);
  oneOf(options, "keyStrategy", KAFKA_KEY_STRATEGIES);
  oneOf(options, "format", KAFKA_FORMATS);
  const spec: Record<string, unknown> = { type: "kafka", brokers: target.brokers, topic: target.topic, ...options };
  if (typeof spec.acks === "string" && spec.acks !== "all") spec.acks = Number(spec.acks);
  if (options.topicPrefix !== undefined && options.topic === undefined) delete spec.topic;
  if (options.tls !== undefined) spec.tls = camelObject(options.tls, "tls");
  if (options.sasl !== undefined) {
    const sasl = camelObject(options.sasl, "sasl");
    oneOf(sasl, "mechanism", SASL_MECHANISMS);
    if (typeof sasl.username !== "string" || typeof sasl.password !== "string") {
      throw new TypeError(`option "sasl" needs username and password`);
    }
    spec.sasl = sasl;
  }
  if (options.spool === false) delete spec.spool;
  else spec.spool = { dir: spoolDir, ...(options.spool === undefined ? {} : camelObject(options.spool, "spool")) };
  return spec;
}

/** The registry spec of `target` with `rawOptions`; `perCall` is the pcap option choosing per-call files. */
export function outputSpecOf(
  url: string,
  target: OutputTarget,
  rawOptions: Record<string, unknown>,
  spoolDir: string,
  task: string,
): OutputSpec {
  const options = Object.fromEntries(Object.entries(rawOptions).map(([key, value]) => [camelCase(key), value]));
  if ("type" in options || "url" in options) throw new TypeError(`option "type" comes from the URL`);
  const named = (spec: Record<string, unknown>): OutputSpec => ({ name: url, ...spec }) as unknown as OutputSpec;
  switch (target.kind) {
    case "jsonl":
      return named({ type: "jsonl", ...jsonlPlace(target.path, task), ...options });
    case "kafka":
      return named(kafkaSpec(target, options, spoolDir));
    case "hep": {
      const extra = options.collectors === undefined ? [] : options.collectors;
      if (!Array.isArray(extra)) throw new TypeError(`option "collectors" must be a list`);
      const first = { host: target.host, port: target.port, transport: target.transport };
      return named({ type: "hep", ...options, collectors: [first, ...extra] });
    }
    case "pcap": {
      const { perCall, ...rest } = options;
      if (perCall !== undefined && typeof perCall !== "boolean") throw new TypeError(`option "per_call" is a boolean`);
      return named({ type: perCall ? "call_pcap" : "pcap", dir: target.dir, ...rest });
    }
    case "console":
      return named({ type: "console", ...options });
  }
}

/** How a run feeds `output`. */
export function feedOf(output: Output): OutputFeed {
  if (isPacketOutput(output)) return "packets";
  if (typeof (output as Partial<CallPacketSink>).callPacket === "function") return "calls";
  return "records";
}

/**
 * Opens the output of `url` with `options` (the `index`-th of the task).
 * @throws {TaskControlError} `invalid_argument` for an unusable URL, option or value, or one that cannot be opened
 */
export async function openOutput(
  url: string,
  options: Record<string, unknown> | undefined,
  index: number,
  context: OutputContext,
): Promise<OpenedOutput> {
  const parsed = parseOutputUrl(url);
  if (!parsed.ok) throw new TaskControlError("invalid_argument", parsed.message);
  try {
    const spoolDir = `${context.dataDir}/spool/${context.task}/${index}`;
    const spec = outputSpecOf(url, parsed.value, options ?? {}, spoolDir, context.task);
    // Loaded on first use: the registry brings the Kafka client and its WebAssembly, which plain tasks never need.
    const { createOutput } = await import("../output/registry.ts");
    const output = createOutput(spec, {
      taskId: context.task,
      agentId: context.agentId,
      interfaces: context.interfaces,
    });
    return { url, output, feed: feedOf(output) };
  } catch (error) {
    throw new TaskControlError("invalid_argument", `output "${url}": ${(error as Error).message}`);
  }
}

/** Opens every output of `spec`; on failure closes those already open and rethrows. */
export async function openOutputs(
  spec: TaskSpec,
  context: Omit<OutputContext, "task">,
): Promise<OpenedOutput[]> {
  const opened: OpenedOutput[] = [];
  try {
    for (const [index, { url, options }] of spec.outputs.entries()) {
      const output = await openOutput(url, options, index, { ...context, task: spec.name });
      if (output.feed === "calls" && opened.some((entry) => entry.feed === "calls")) {
        void output.output.close();
        throw new TaskControlError("invalid_argument", `output "${url}": only one per-call pcap output per task`);
      }
      opened.push(output);
    }
  } catch (error) {
    for (const { output } of opened) void output.close();
    throw error;
  }
  return opened;
}
