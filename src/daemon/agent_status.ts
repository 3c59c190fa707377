/**
 * AgentService answers from the daemon's state: status (readiness, listeners, tasks by state) and stats (every
 * task's counters summed, plus process memory).
 * @module
 */
import { create } from "@bufbuild/protobuf";
import { durationFromMs, timestampFromMs } from "@bufbuild/protobuf/wkt";
import {
  type StatsResponse,
  StatsResponseSchema,
  type StatusResponse,
  StatusResponseSchema,
} from "../control/gen/capture_agent/v1/agent_pb.ts";
import { outputCounters } from "../metrics/output_counters.ts";
import type { TaskEntry } from "../tasks/manager.ts";
import { allStageErrors } from "../tasks/stage.ts";
import { VERSION } from "../version.ts";

/** What status and stats read from the daemon. */
export interface AgentFacts {
  startedAtMs: number;
  ready: boolean;
  hostname: string;
  configPath: string;
  unixSocket: string;
  tcpListen: string;
  tasks: readonly TaskEntry[];
}

/** AgentService.Status. */
export function agentStatus(facts: AgentFacts): StatusResponse {
  const byState: Record<string, number> = {};
  for (const entry of facts.tasks) byState[entry.lifecycle.state] = (byState[entry.lifecycle.state] ?? 0) + 1;
  return create(StatusResponseSchema, {
    version: VERSION,
    hostname: facts.hostname,
    pid: Deno.pid,
    startedAt: timestampFromMs(facts.startedAtMs),
    uptime: durationFromMs(Date.now() - facts.startedAtMs),
    ready: facts.ready,
    configPath: facts.configPath,
    unixSocket: facts.unixSocket,
    tcpListen: facts.tcpListen,
    tasksTotal: facts.tasks.length,
    tasksByState: byState,
  });
}

/** AgentService.Stats: sums over the current (or last) run of every task. */
export function agentStats(facts: AgentFacts): StatsResponse {
  const sum = { packets: 0, bytes: 0, kernelDrops: 0, decodeErrors: 0, records: 0, sent: 0, failed: 0, spooled: 0 };
  let running = 0;
  for (const entry of facts.tasks) {
    if (entry.lifecycle.state === "running") running++;
    const run = entry.run;
    if (run === null) continue;
    for (const value of run.counters.packets) sum.packets += value;
    for (const value of run.counters.bytes) sum.bytes += value;
    for (const value of Object.values(run.counters.records)) sum.records += value;
    for (const value of Object.values(allStageErrors(run.stageCounters()))) sum.decodeErrors += value;
    sum.kernelDrops += run.source.stats().kernelDrops;
    for (const output of run.outputs) {
      const stats = output.output.stats();
      sum.sent += stats.sentRecords;
      sum.failed += stats.droppedRecords;
      sum.spooled += outputCounters(output).spooled;
    }
  }
  const memory = Deno.memoryUsage();
  return create(StatsResponseSchema, {
    packets: BigInt(sum.packets),
    bytes: BigInt(sum.bytes),
    kernelDrops: BigInt(sum.kernelDrops),
    decodeErrors: BigInt(sum.decodeErrors),
    records: BigInt(sum.records),
    outputSent: BigInt(sum.sent),
    outputFailed: BigInt(sum.failed),
    outputSpooled: BigInt(sum.spooled),
    tasksRunning: running,
    rssBytes: BigInt(memory.rss),
    heapUsedBytes: BigInt(memory.heapUsed),
    uptime: durationFromMs(Date.now() - facts.startedAtMs),
  });
}
