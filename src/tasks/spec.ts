/**
 * Task definitions: checking a `TaskSpec` (from the API, CLI flags or a task file) before anything is opened, and
 * reading task files (YAML or JSON, snake_case keys as in docs/tasks.md). Every problem is reported at once.
 * @module
 */
import { create, type JsonObject } from "@bufbuild/protobuf";
import { type Duration, DurationSchema } from "@bufbuild/protobuf/wkt";
import { parse as parseYaml } from "yaml";
import { parseDurationMs, parseSize } from "../config/units.ts";
import {
  OutputSpecSchema,
  TaskLimitsSchema,
  type TaskSpec,
  TaskSpecSchema,
} from "../control/gen/capture_agent/v1/task_pb.ts";
import { PROTOCOL_NAMES } from "../pipeline/protocols.ts";
import { parseOutputUrl } from "./output_url.ts";

/** Task names are file names under the data dir: no slashes, no leading dot. */
export const TASK_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
/** Application protocols a task may ask for. */
export const KNOWN_PROTOCOLS: readonly string[] = PROTOCOL_NAMES;
/** Bounds of `snaplen` (0 means the config's `capture.snaplen`). */
export const SNAPLEN_MIN = 64;
export const SNAPLEN_MAX = 262_144;
/** Fanout sockets per interface. */
export const WORKERS_MAX = 64;

/** Every problem of `spec`, each a sentence naming the field; empty when the spec is acceptable. */
export function checkTaskSpec(spec: TaskSpec): string[] {
  const problems: string[] = [];
  if (!TASK_NAME_PATTERN.test(spec.name)) {
    problems.push(`name "${spec.name}" is not allowed: use 1-64 of A-Z a-z 0-9 . _ - starting with a letter or digit`);
  }
  const hasList = spec.interfaces.length > 0;
  const hasRegex = spec.interfaceRegex !== "";
  if (hasList === hasRegex) problems.push("give either interfaces or interface_regex (exactly one)");
  if (hasRegex) {
    try {
      new RegExp(spec.interfaceRegex);
    } catch (error) {
      problems.push(`interface_regex "${spec.interfaceRegex}" is not a regular expression: ${message(error)}`);
    }
  }
  for (const name of spec.interfaces) {
    if (!/^[A-Za-z0-9._@:-]{1,15}$/.test(name)) problems.push(`interface name "${name}" is not valid`);
  }
  for (const protocol of spec.protocols) {
    if (!KNOWN_PROTOCOLS.includes(protocol)) {
      problems.push(`protocol "${protocol}" is unknown; known: ${KNOWN_PROTOCOLS.join(", ")}`);
    }
  }
  if (spec.snaplen !== 0 && (spec.snaplen < SNAPLEN_MIN || spec.snaplen > SNAPLEN_MAX)) {
    problems.push(`snaplen ${spec.snaplen} is outside ${SNAPLEN_MIN}..${SNAPLEN_MAX}`);
  }
  if (spec.workers > WORKERS_MAX) problems.push(`workers ${spec.workers} is above ${WORKERS_MAX}`);
  const urls = new Set<string>();
  for (const output of spec.outputs) {
    const parsed = parseOutputUrl(output.url);
    if (!parsed.ok) problems.push(parsed.message);
    if (urls.has(output.url)) problems.push(`output "${output.url}" is listed twice`);
    urls.add(output.url);
  }
  return problems;
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

const FILE_KEYS = [
  "name",
  "interfaces",
  "interface",
  "interface_regex",
  "filter",
  "protocols",
  "snaplen",
  "workers",
  "outputs",
  "limits",
  "record_options",
];
const LIMIT_KEYS = ["duration", "packets", "bytes", "max_pps"];

function durationOf(ms: number): Duration {
  return create(DurationSchema, { seconds: BigInt(Math.floor(ms / 1000)), nanos: (ms % 1000) * 1_000_000 });
}

function stringList(value: unknown, key: string, problems: string[]): string[] {
  if (value === undefined) return [];
  const list = typeof value === "string" ? [value] : value;
  if (!Array.isArray(list) || list.some((item) => typeof item !== "string")) {
    problems.push(`${key} must be a string or a list of strings`);
    return [];
  }
  return list as string[];
}

function countOf(value: unknown, key: string, problems: string[], size = false): bigint {
  if (value === undefined) return 0n;
  const parsed = size ? parseSize(value as string | number) : parseSize(Number(value));
  if (!parsed.ok || (typeof value !== "number" && !size)) {
    problems.push(`${key} must be a non-negative ${size ? "size (e.g. 1GiB)" : "integer"}`);
    return 0n;
  }
  return BigInt(parsed.value);
}

function limitsOf(raw: unknown, problems: string[]): TaskSpec["limits"] {
  if (raw === undefined) return undefined;
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    problems.push("limits must be a mapping");
    return undefined;
  }
  const limits = raw as Record<string, unknown>;
  for (const key of Object.keys(limits)) {
    if (!LIMIT_KEYS.includes(key)) problems.push(`limits.${key} is not a known key; known: ${LIMIT_KEYS.join(", ")}`);
  }
  let duration: Duration | undefined;
  if (limits.duration !== undefined) {
    const parsed = parseDurationMs(limits.duration as string | number);
    if (parsed.ok) duration = durationOf(parsed.value);
    else problems.push(`limits.duration: ${parsed.message}`);
  }
  return create(TaskLimitsSchema, {
    duration,
    packets: countOf(limits.packets, "limits.packets", problems),
    bytes: countOf(limits.bytes, "limits.bytes", problems, true),
    maxPps: countOf(limits.max_pps, "limits.max_pps", problems),
  });
}

function outputsOf(raw: unknown, problems: string[]): TaskSpec["outputs"] {
  if (raw === undefined) return [];
  if (!Array.isArray(raw)) {
    problems.push("outputs must be a list");
    return [];
  }
  return raw.flatMap((item) => {
    if (typeof item === "string") return [create(OutputSpecSchema, { url: item })];
    if (typeof item === "object" && item !== null && typeof item.url === "string") {
      const { url, ...options } = item as Record<string, unknown>;
      const output = create(OutputSpecSchema, { url: url as string });
      if (Object.keys(options).length > 0) output.options = options as JsonObject;
      return [output];
    }
    problems.push(`each output is a URL string or a mapping with "url"`);
    return [];
  });
}

/** A spec from a task file's parsed content (keys as in docs/tasks.md); throws `RangeError` listing every problem. */
export function taskSpecFromObject(raw: unknown, source: string): TaskSpec {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    throw new RangeError(`${source}: a task file holds one mapping (name, interfaces, filter, ...)`);
  }
  const body = raw as Record<string, unknown>;
  const problems: string[] = [];
  for (const key of Object.keys(body)) {
    if (!FILE_KEYS.includes(key)) problems.push(`${key} is not a known key; known: ${FILE_KEYS.join(", ")}`);
  }
  const intOf = (key: string) => Number(countOf(body[key], key, problems));
  const spec = create(TaskSpecSchema, {
    name: typeof body.name === "string" ? body.name : String(body.name ?? ""),
    interfaces: [
      ...stringList(body.interfaces, "interfaces", problems),
      ...stringList(body.interface, "interface", problems),
    ],
    interfaceRegex: typeof body.interface_regex === "string" ? body.interface_regex : "",
    filter: typeof body.filter === "string" ? body.filter : "",
    protocols: stringList(body.protocols, "protocols", problems),
    snaplen: intOf("snaplen"),
    workers: intOf("workers"),
    outputs: outputsOf(body.outputs, problems),
    limits: limitsOf(body.limits, problems),
  });
  if (body.record_options !== undefined) spec.recordOptions = body.record_options as JsonObject;
  if (problems.length > 0) throw new RangeError(`${source}: ${problems.join("; ")}`);
  return spec;
}

/** Reads a task file: `.json` as JSON, anything else as YAML (which also accepts JSON). */
export function parseTaskFile(text: string, fileName: string): TaskSpec {
  let raw: unknown;
  try {
    raw = fileName.endsWith(".json") ? JSON.parse(text) : parseYaml(text);
  } catch (error) {
    throw new RangeError(`${fileName}: cannot parse: ${message(error)}`);
  }
  return taskSpecFromObject(raw, fileName);
}

/** Milliseconds of a protobuf duration (0 when absent). */
export function durationMs(duration: Duration | undefined): number {
  if (duration === undefined) return 0;
  return Number(duration.seconds) * 1000 + Math.floor(duration.nanos / 1_000_000);
}
