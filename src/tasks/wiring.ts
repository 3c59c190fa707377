/**
 * Opens the pieces of one task run from its spec and the agent config: interfaces resolved, outputs opened,
 * capture sockets opened (the library compiles the filter and binds, so a bad filter or interface fails here),
 * record stage made. Synchronous so `task create` answers with the real outcome; on failure everything already
 * opened is closed again and a `TaskControlError` says why.
 * @module
 */
import { AfPacketSource } from "../capture/afpacket.ts";
import type { Config } from "../config/types.ts";
import type { TaskSpec } from "../control/gen/capture_agent/v1/task_pb.ts";
import { TaskControlError } from "../control/task_control.ts";
import { CaptureError } from "../native/capture_error.ts";
import type { CallPacketSink } from "../output/call_pcap.ts";
import { hostname } from "node:os";
import { openOutputs } from "./outputs.ts";
import { keyStrategyOf, PipelineStage } from "./pipeline_stage.ts";
import type { RunOutput, RunParts } from "./runtime.ts";
import { durationMs } from "./spec.ts";
import type { TailHub } from "./tail.ts";

const SYS_CLASS_NET = "/sys/class/net";

/** Names of the interfaces of this network namespace. */
export function listInterfaces(): string[] {
  const names: string[] = [];
  for (const entry of Deno.readDirSync(SYS_CLASS_NET)) names.push(entry.name);
  return names.sort();
}

/** The interfaces a spec names, checked to exist; a regex picks every match. */
export function resolveInterfaces(spec: TaskSpec, available: readonly string[] = listInterfaces()): string[] {
  if (spec.interfaceRegex !== "") {
    const regex = new RegExp(spec.interfaceRegex);
    const matched = available.filter((name) => regex.test(name));
    if (matched.length === 0) {
      throw new TaskControlError("invalid_argument", `no interface matches "${spec.interfaceRegex}"`);
    }
    return matched;
  }
  const missing = spec.interfaces.filter((name) => !available.includes(name));
  if (missing.length > 0) {
    throw new TaskControlError(
      "invalid_argument",
      `interface ${missing.map((name) => `"${name}"`).join(", ")} does not exist (have: ${available.join(", ")})`,
    );
  }
  return [...new Set(spec.interfaces)];
}

function captureRefusal(error: unknown): TaskControlError {
  if (!(error instanceof CaptureError)) return new TaskControlError("unavailable", String(error));
  const precondition = ["permission_denied", "library_missing", "abi_mismatch"].includes(error.code);
  return new TaskControlError(precondition ? "failed_precondition" : "invalid_argument", error.message);
}

/** Everything a run needs, opened; see the module doc. Answers only once everything is open (or closed again). */
export async function openRunParts(
  spec: TaskSpec,
  config: Config,
  tail: TailHub,
  warn: (message: string) => void,
): Promise<RunParts> {
  const interfaces = resolveInterfaces(spec);
  let keyStrategy;
  try {
    keyStrategy = keyStrategyOf(spec.recordOptions);
  } catch (error) {
    throw new TaskControlError("invalid_argument", (error as Error).message);
  }
  const agentId = config.global.hostname || hostname();
  const outputs: RunOutput[] = (await openOutputs(spec, { agentId, dataDir: config.daemon.data_dir, interfaces }))
    .map((opened) => ({ ...opened, spooled: 0, dropped: 0 }));
  const callSink = outputs.find((entry) => entry.feed === "calls")?.output as CallPacketSink | undefined;
  try {
    const { afpacket } = config.capture;
    let source: AfPacketSource;
    try {
      source = AfPacketSource.open({
        interfaces,
        filter: spec.filter === "" ? undefined : spec.filter,
        snaplenBytes: spec.snaplen === 0 ? config.capture.snaplen : spec.snaplen,
        blockBytes: afpacket.block_size,
        blockCount: afpacket.num_blocks,
        frameBytes: afpacket.frame_size,
        retireTimeoutMs: afpacket.block_timeout,
        fanoutCount: Math.max(1, spec.workers),
        fanoutMode: afpacket.fanout_type,
        promiscuous: config.capture.promiscuous,
      });
    } catch (error) {
      throw captureRefusal(error);
    }
    const limits = spec.limits;
    return {
      source,
      stage: new PipelineStage({ task: spec.name, interfaces, protocols: spec.protocols, keyStrategy, callSink }),
      outputs,
      tail,
      limits: {
        durationMs: durationMs(limits?.duration),
        packets: Number(limits?.packets ?? 0n),
        bytes: Number(limits?.bytes ?? 0n),
        maxPps: Number(limits?.maxPps ?? 0n),
      },
      drainTimeoutMs: config.daemon.shutdown_timeout,
      warn,
    };
  } catch (error) {
    for (const { output } of outputs) void output.close();
    throw error;
  }
}
