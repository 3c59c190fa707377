/**
 * The agent's Prometheus metrics. Nothing is counted twice: every value is read at scrape time from the counters
 * the tasks already keep (sources, runs, stages, outputs), so metrics cost nothing between scrapes and a deleted
 * task's series disappear. Names start with `capture_agent_`; docs/tasks.md lists them.
 * @module
 */
import { Counter, Gauge, Registry } from "prom-client";
import type { OutputStats } from "../output/output.ts";
import type { TaskEntry } from "../tasks/manager.ts";
import type { RunOutput } from "../tasks/runtime.ts";
import { TASK_STATE_NAMES } from "../tasks/task.ts";
import { VERSION } from "../version.ts";

/** What the metrics read. */
export interface MetricsSource {
  tasks(): readonly TaskEntry[];
  /** Log lines an appender failed to take. */
  logLinesLost(): number;
  startedAtMs: number;
}

type Labels<T extends string> = Partial<Record<T, string | number>>;

/** A counter or gauge whose series are rebuilt from `read` at every scrape. */
function pulled<T extends string>(
  registry: Registry,
  kind: "counter" | "gauge",
  name: string,
  help: string,
  labelNames: readonly T[],
  read: (set: (labels: Labels<T>, value: number) => void) => void,
): void {
  if (kind === "counter") {
    new Counter<T>({
      name,
      help,
      labelNames,
      registers: [registry],
      collect() {
        this.reset();
        read((labels, value) => this.inc(labels, value));
      },
    });
    return;
  }
  new Gauge<T>({
    name,
    help,
    labelNames,
    registers: [registry],
    collect() {
      this.reset();
      read((labels, value) => this.set(labels, value));
    },
  });
}

function forRuns(source: MetricsSource, each: (entry: TaskEntry, run: NonNullable<TaskEntry["run"]>) => void) {
  for (const entry of source.tasks()) if (entry.run !== null) each(entry, entry.run);
}

function captureMetrics(registry: Registry, source: MetricsSource): void {
  const P = "capture_agent_capture_";
  pulled(
    registry,
    "counter",
    `${P}packets_total`,
    "Packets captured",
    ["task", "interface"],
    (set) =>
      forRuns(
        source,
        (entry, run) =>
          run.counters.interfaces.forEach((name, index) =>
            set({ task: entry.spec.name, interface: name }, run.counters.packets[index]!)
          ),
      ),
  );
  pulled(
    registry,
    "counter",
    `${P}bytes_total`,
    "Bytes captured (wire length)",
    ["task", "interface"],
    (set) =>
      forRuns(
        source,
        (entry, run) =>
          run.counters.interfaces.forEach((name, index) =>
            set({ task: entry.spec.name, interface: name }, run.counters.bytes[index]!)
          ),
      ),
  );
  pulled(
    registry,
    "counter",
    `${P}kernel_drops_total`,
    "Packets the kernel dropped (ring full)",
    ["task"],
    (set) => forRuns(source, (entry, run) => set({ task: entry.spec.name }, run.source.stats().kernelDrops)),
  );
  pulled(
    registry,
    "counter",
    `${P}kernel_freezes_total`,
    "Kernel queue freezes",
    ["task"],
    (set) => forRuns(source, (entry, run) => set({ task: entry.spec.name }, run.source.stats().kernelFreezes)),
  );
  pulled(
    registry,
    "counter",
    `${P}rate_limited_total`,
    "Packets skipped by max_pps",
    ["task"],
    (set) => forRuns(source, (entry, run) => set({ task: entry.spec.name }, run.counters.rateLimited)),
  );
}

function pipelineMetrics(registry: Registry, source: MetricsSource): void {
  pulled(
    registry,
    "counter",
    "capture_agent_pipeline_records_total",
    "Records produced",
    ["task", "type"],
    (set) =>
      forRuns(source, (entry, run) => {
        for (const [type, count] of Object.entries(run.counters.records)) set({ task: entry.spec.name, type }, count);
      }),
  );
  pulled(
    registry,
    "counter",
    "capture_agent_decode_errors_total",
    "Decode errors",
    ["task", "reason"],
    (set) =>
      forRuns(source, (entry, run) => {
        for (const [reason, count] of Object.entries(run.stageCounters().decodeErrors)) {
          set({ task: entry.spec.name, reason }, count);
        }
      }),
  );
  pulled(registry, "counter", "capture_agent_pipeline_stage_errors_total", "Batches the stage failed on", ["task"], (
    set,
  ) => forRuns(source, (entry, run) => set({ task: entry.spec.name }, run.counters.stageErrors)));
  pulled(registry, "gauge", "capture_agent_pipeline_table_entries", "Flow/reassembly table sizes", ["task", "table"], (
    set,
  ) =>
    forRuns(source, (entry, run) => {
      for (const [table, count] of Object.entries(run.stageCounters().tables)) {
        set({ task: entry.spec.name, table }, count);
      }
    }));
  pulled(
    registry,
    "gauge",
    "capture_agent_queue_depth",
    "Records waiting in a task's outputs",
    ["task"],
    (set) => forRuns(source, (entry, run) => set({ task: entry.spec.name }, run.queueDepth())),
  );
}

function outputMetrics(registry: Registry, source: MetricsSource): void {
  const labels = ["task", "output"] as const;
  const each =
    (read: (stats: OutputStats, output: RunOutput) => number) =>
    (set: (labels: Labels<"task" | "output">, value: number) => void) =>
      forRuns(source, (entry, run) => {
        for (const output of run.outputs) {
          set({ task: entry.spec.name, output: output.url }, read(output.output.stats(), output));
        }
      });
  const O = "capture_agent_output_";
  pulled(registry, "counter", `${O}sent_total`, "Records delivered", labels, each((s) => s.sentRecords));
  pulled(registry, "counter", `${O}failed_total`, "Records dropped", labels, each((s) => s.droppedRecords));
  pulled(registry, "counter", `${O}spooled_total`, "Records spooled to disk", labels, each((_, e) => e.spooled));
  pulled(registry, "counter", `${O}bytes_total`, "Bytes delivered", labels, each((s) => s.sentBytes));
  pulled(
    registry,
    "gauge",
    `${O}queue_depth`,
    "Records accepted, not yet delivered or dropped",
    labels,
    each((s) => Math.max(0, s.writtenRecords - s.sentRecords - s.droppedRecords)),
  );
}

function agentMetrics(registry: Registry, source: MetricsSource): void {
  pulled(registry, "gauge", "capture_agent_task_state", "1 for the state a task is in", ["task", "state"], (set) => {
    for (const entry of source.tasks()) {
      for (const state of TASK_STATE_NAMES) {
        set({ task: entry.spec.name, state }, entry.lifecycle.state === state ? 1 : 0);
      }
    }
  });
  pulled(
    registry,
    "gauge",
    "capture_agent_build_info",
    "Build facts",
    ["version", "deno"],
    (set) => set({ version: VERSION, deno: Deno.version.deno }, 1),
  );
  pulled(
    registry,
    "gauge",
    "capture_agent_process_resident_memory_bytes",
    "Resident set size",
    [],
    (set) => set({}, Deno.memoryUsage().rss),
  );
  pulled(
    registry,
    "gauge",
    "capture_agent_process_heap_used_bytes",
    "V8 heap in use",
    [],
    (set) => set({}, Deno.memoryUsage().heapUsed),
  );
  pulled(
    registry,
    "gauge",
    "capture_agent_uptime_seconds",
    "Seconds since the agent started",
    [],
    (set) => set({}, (Date.now() - source.startedAtMs) / 1000),
  );
  pulled(
    registry,
    "counter",
    "capture_agent_log_lines_lost_total",
    "Log lines an appender lost",
    [],
    (set) => set({}, source.logLinesLost()),
  );
}

/** A registry with every agent metric, reading from `source` at scrape time. */
export function createMetricsRegistry(source: MetricsSource): Registry {
  const registry = new Registry();
  captureMetrics(registry, source);
  pipelineMetrics(registry, source);
  outputMetrics(registry, source);
  agentMetrics(registry, source);
  return registry;
}
