/**
 * A task's outputs from their URLs (src/output/ implementations): `jsonl:PATH` and `kafka://BROKERS/TOPIC`.
 * `jsonl:DIR/NAME.jsonl` writes rotated files `DIR/NAME-<UTC time>-<n>.jsonl`; `jsonl:DIR` writes
 * `DIR/<task>-<UTC time>-<n>.jsonl`. A Kafka output spools to `<data_dir>/spool/<task>/<n>` while the broker is away.
 * @module
 */
import { basename, dirname } from "node:path";
import type { TaskSpec } from "../control/gen/capture_agent/v1/task_pb.ts";
import { TaskControlError } from "../control/task_control.ts";
import { JsonlOutput } from "../output/jsonl.ts";
import type { Output } from "../output/output.ts";
import { parseOutputUrl } from "./output_url.ts";

/** What outputs need besides their URL. */
export interface OutputContext {
  task: string;
  /** Host name records are attributed to. */
  agentId: string;
  dataDir: string;
}

/** Directory and file prefix of a `jsonl:` path. */
export function jsonlPlace(path: string, task: string): { dir: string; prefix: string } {
  if (path.endsWith(".jsonl")) return { dir: dirname(path), prefix: basename(path).slice(0, -".jsonl".length) };
  return { dir: path, prefix: task };
}

/**
 * Opens the output of `url` (the `index`-th of the task).
 * @throws {TaskControlError} `invalid_argument` for an unusable URL or one that cannot be opened
 */
export async function openOutput(url: string, index: number, context: OutputContext): Promise<Output> {
  const parsed = parseOutputUrl(url);
  if (!parsed.ok) throw new TaskControlError("invalid_argument", parsed.message);
  const target = parsed.value;
  try {
    if (target.kind === "jsonl") return new JsonlOutput({ name: url, ...jsonlPlace(target.path, context.task) });
    if (target.kind === "kafka") {
      // Loaded on first use: the Kafka client brings a WebAssembly module that plain tasks never need.
      const { KafkaOutput } = await import("../output/kafka/kafka_output.ts");
      return new KafkaOutput({
        name: url,
        brokers: target.brokers,
        topic: target.topic,
        taskId: context.task,
        agentId: context.agentId,
        spool: { dir: `${context.dataDir}/spool/${context.task}/${index}` },
      });
    }
  } catch (error) {
    throw new TaskControlError("invalid_argument", `output "${url}": ${(error as Error).message}`);
  }
  throw new TaskControlError("invalid_argument", `output "${url}": ${target.kind} outputs are not available yet`);
}

/** Opens every output of `spec`; on failure closes those already open and rethrows. */
export async function openOutputs(
  spec: TaskSpec,
  context: Omit<OutputContext, "task">,
): Promise<{ url: string; output: Output }[]> {
  const opened: { url: string; output: Output }[] = [];
  try {
    for (const [index, { url }] of spec.outputs.entries()) {
      opened.push({ url, output: await openOutput(url, index, { ...context, task: spec.name }) });
    }
  } catch (error) {
    for (const { output } of opened) void output.close();
    throw error;
  }
  return opened;
}
