/**
 * Outputs from plain option objects (a task spec's `outputs`, parsed from YAML or JSON):
 * `{type: "kafka" | "hep" | "pcap" | "call_pcap" | "jsonl" | "console", ...options}`.
 *
 * Option names are those of each output's options interface, in camelCase or snake_case (`rotate_bytes`). Unknown
 * names are refused (a typo must fail `task create`, not silently use a default), and each output checks its
 * values in its constructor; every error names the output and the option.
 *
 * Kafka takes `format: "native"` (default, docs/records.md) or `"otus-v1"` (otus_envelope.ts).
 *
 * @module
 */
import type { CallPcapOptions } from "./call_pcap.ts";
import { CallPcapOutput } from "./call_pcap.ts";
import { ConsoleOutput, type ConsoleOutputOptions } from "./console.ts";
import { HepOutput, type HepOutputOptions } from "./hep/hep_output.ts";
import { JsonlOutput, type JsonlOutputOptions } from "./jsonl.ts";
import type { KafkaClient, KafkaClientOptions } from "./kafka/client.ts";
import { KafkaOutput } from "./kafka/kafka_output.ts";
import type { KafkaOutputOptions } from "./kafka/options.ts";
import type { Output } from "./output.ts";
import { withOtusEnvelope } from "./otus_envelope.ts";
import { PcapOutput, type PcapOutputOptions } from "./pcap_output.ts";

/** Output types `createOutput` knows. */
export const OUTPUT_TYPES = ["kafka", "hep", "pcap", "call_pcap", "jsonl", "console"] as const;

/** One member of `OUTPUT_TYPES`. */
export type OutputType = typeof OUTPUT_TYPES[number];

/** A plain output spec: a type and that output's options. */
export type OutputSpec = { type: string; [option: string]: unknown };

/** What the task supplies rather than the spec. */
export interface OutputContext {
  taskId: string;
  agentId: string;
  /** Interface names by `PacketBatch.interfaceIndex` (pcap). */
  interfaces?: readonly string[];
  /** Kafka client factory (tests). */
  createKafkaClient?: (options: KafkaClientOptions) => KafkaClient;
}

const OPTION_NAMES: Record<OutputType, readonly string[]> = {
  kafka: [
    "name",
    "brokers",
    "topic",
    "topicPrefix",
    "keyStrategy",
    "keyField",
    "acks",
    "idempotent",
    "maxInFlight",
    "compression",
    "batchRecordsMax",
    "batchBytesMax",
    "lingerMs",
    "messageBytesMax",
    "queueRecordsMax",
    "queueBytesMax",
    "requestTimeoutMs",
    "connectTimeoutMs",
    "clientRetries",
    "sendTimeoutMs",
    "retryBackoffMinMs",
    "retryBackoffMaxMs",
    "closeTimeoutMs",
    "tls",
    "sasl",
    "spool",
    "format",
  ],
  hep: [
    "name",
    "collectors",
    "transport",
    "captureId",
    "authKey",
    "nodeName",
    "types",
    "retryMs",
    "queueBytesMax",
    "flushTimeoutMs",
    "tlsCa",
    "tlsInsecure",
  ],
  pcap: ["name", "dir", "format", "template", "rotateBytes", "rotateSeconds", "filesMax", "gzip"],
  call_pcap: ["name", "dir", "template", "callsOpenMax", "lingerMs", "idleMs", "gzip"],
  jsonl: ["name", "dir", "prefix", "rotateBytes", "filesMax"],
  console: ["name", "format"],
}; // deno-fmt-ignore

function camelCase(name: string): string {
  return name.replace(/_([a-z0-9])/g, (_match, letter: string) => letter.toUpperCase());
}

/** The spec's options in camelCase, checked against the names `type` accepts. */
function optionsOf(type: OutputType, spec: OutputSpec): Record<string, unknown> {
  const allowed = OPTION_NAMES[type];
  const options: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(spec)) {
    if (name === "type") continue;
    const camel = camelCase(name);
    if (!allowed.includes(camel)) {
      throw new TypeError(`Cannot use option "${name}" of a ${type} output: known options are ${allowed.join(", ")}`);
    }
    options[camel] = value;
  }
  return options;
}

function createKafka(options: Record<string, unknown>, context: OutputContext): Output {
  const { format = "native", ...rest } = options;
  if (format !== "native" && format !== "otus-v1") {
    throw new TypeError(`Cannot use Kafka format "${format}": use native or otus-v1`);
  }
  const brokers = rest.brokers;
  if (!Array.isArray(brokers) || brokers.length === 0 || !brokers.every((b) => typeof b === "string")) {
    throw new TypeError(`Cannot create a Kafka output without brokers: give brokers: ["host:9092"]`);
  }
  const kafkaOptions = { ...rest, taskId: context.taskId, agentId: context.agentId } as unknown as KafkaOutputOptions;
  if (context.createKafkaClient !== undefined) kafkaOptions.createClient = context.createKafkaClient;
  const output = new KafkaOutput(kafkaOptions);
  return format === "otus-v1" ? withOtusEnvelope(output, context) : output;
}

function build(type: OutputType, options: Record<string, unknown>, context: OutputContext): Output {
  const task = context.taskId;
  switch (type) {
    case "kafka":
      return createKafka(options, context);
    case "hep":
      return new HepOutput(options as unknown as HepOutputOptions);
    case "pcap":
      return new PcapOutput({ ...options, task, interfaces: context.interfaces } as unknown as PcapOutputOptions);
    case "call_pcap":
      return new CallPcapOutput({ ...options, task } as unknown as CallPcapOptions);
    case "jsonl":
      if (typeof options.dir !== "string" || options.dir === "") {
        throw new TypeError("Cannot create a jsonl output without dir");
      }
      return new JsonlOutput(options as unknown as JsonlOutputOptions);
    case "console":
      return new ConsoleOutput(options as ConsoleOutputOptions);
  }
}

/**
 * Creates the output `spec` describes.
 * @throws {TypeError|RangeError} `Cannot create output "x": ...` naming the bad type or option
 */
export function createOutput(spec: OutputSpec, context: OutputContext): Output {
  const type = spec?.type as OutputType;
  if (!OUTPUT_TYPES.includes(type)) {
    throw new TypeError(`Cannot create output of type "${spec?.type}": use one of ${OUTPUT_TYPES.join(", ")}`);
  }
  try {
    return build(type, optionsOf(type, spec), context);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const ErrorType = error instanceof RangeError ? RangeError : TypeError;
    throw new ErrorType(`Cannot create ${type} output: ${message}`, { cause: error });
  }
}
