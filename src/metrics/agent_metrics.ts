/**
 * Agent-wide metrics: task states, build facts, uptime, lost log lines, and process metrics: prom-client's
 * defaults (CPU, file descriptors, event loop lag, heap spaces) prefixed `capture_agent_`, with the resident set
 * size read from `Deno.memoryUsage()`.
 * @module
 */
import { collectDefaultMetrics, type Registry } from "prom-client";
import { TASK_STATE_NAMES } from "../tasks/task.ts";
import { VERSION } from "../version.ts";
import { type MetricsSource, pulled } from "./pulled.ts";

/** Prefix of every agent metric, also given to prom-client's default metrics. */
export const METRIC_PREFIX = "capture_agent_";

/** Registers the agent and process metrics. */
export function registerAgentMetrics(registry: Registry, source: MetricsSource): void {
  collectDefaultMetrics({ register: registry, prefix: METRIC_PREFIX });
  // prom-client reads /proc/self/status; Deno's own figure needs no file read and works wherever Deno runs.
  registry.removeSingleMetric(`${METRIC_PREFIX}process_resident_memory_bytes`);
  pulled(registry, {
    kind: "gauge",
    name: `${METRIC_PREFIX}process_resident_memory_bytes`,
    help: "Resident set size in bytes",
    labelNames: [],
    read: (set) => set({}, Deno.memoryUsage().rss),
  });
  pulled(registry, {
    kind: "gauge",
    name: `${METRIC_PREFIX}process_heap_used_bytes`,
    help: "V8 heap in use in bytes",
    labelNames: [],
    read: (set) => set({}, Deno.memoryUsage().heapUsed),
  });
  pulled(registry, {
    kind: "gauge",
    name: `${METRIC_PREFIX}task_state`,
    help: "1 for the state a task is in, 0 for the others",
    labelNames: ["task", "state"],
    read: (set) => {
      for (const entry of source.tasks()) {
        for (const state of TASK_STATE_NAMES) {
          set({ task: entry.spec.name, state }, entry.lifecycle.state === state ? 1 : 0);
        }
      }
    },
  });
  pulled(registry, {
    kind: "gauge",
    name: `${METRIC_PREFIX}build_info`,
    help: "Build facts, value 1",
    labelNames: ["version", "deno"],
    read: (set) => set({ version: VERSION, deno: Deno.version.deno }, 1),
  });
  pulled(registry, {
    kind: "gauge",
    name: `${METRIC_PREFIX}uptime_seconds`,
    help: "Seconds since the agent started",
    labelNames: [],
    read: (set) => set({}, (Date.now() - source.startedAtMs) / 1000),
  });
  pulled(registry, {
    kind: "counter",
    name: `${METRIC_PREFIX}log_lines_lost_total`,
    help: "Log lines an appender lost (sink down or too slow)",
    labelNames: [],
    read: (set) => set({}, source.logLinesLost()),
  });
  pulled(registry, {
    kind: "counter",
    name: `${METRIC_PREFIX}command_messages_total`,
    help: "Kafka command channel messages by outcome (received, executed, expired, rejected_signature, ...)",
    labelNames: ["outcome"],
    read: (set) => {
      const stats = source.commandStats?.();
      if (stats === undefined) return;
      for (const [outcome, value] of Object.entries(stats)) set({ outcome }, value);
    },
  });
}
