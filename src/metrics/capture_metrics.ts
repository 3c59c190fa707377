/**
 * Capture metrics per task and interface: packets and bytes the task took, kernel drops and freezes of the
 * interface's sockets, packets skipped by `max_pps`, malformed ring entries.
 * @module
 */
import type { Registry } from "prom-client";
import type { TaskRun } from "../tasks/runtime.ts";
import { forRuns, type MetricsSource, pulled } from "./pulled.ts";

/** Registers the capture metrics. */
export function registerCaptureMetrics(registry: Registry, source: MetricsSource): void {
  const P = "capture_agent_capture_";
  const perInterface =
    (read: (run: TaskRun, index: number) => number) =>
    (set: (labels: { task: string; interface: string }, value: number) => void) =>
      forRuns(source, (task, run) => {
        run.counters.interfaces.forEach((name, index) => set({ task, interface: name }, read(run, index)));
      });
  const labelNames = ["task", "interface"] as const;
  pulled(registry, {
    kind: "counter",
    name: `${P}packets_total`,
    help: "Packets the task captured on the interface (after its filter)",
    labelNames,
    read: perInterface((run, index) => run.counters.packets[index]!),
  });
  pulled(registry, {
    kind: "counter",
    name: `${P}bytes_total`,
    help: "Bytes the task captured on the interface (wire length)",
    labelNames,
    read: perInterface((run, index) => run.counters.bytes[index]!),
  });
  pulled(registry, {
    kind: "counter",
    name: `${P}kernel_drops_total`,
    help: "Packets the kernel dropped because the task's ring on the interface was full",
    labelNames,
    read: perInterface((run, index) => run.kernelCounters()[index]?.kernelDrops ?? 0),
  });
  pulled(registry, {
    kind: "counter",
    name: `${P}kernel_freezes_total`,
    help: "Times the kernel froze the task's queue on the interface (every ring block held)",
    labelNames,
    read: perInterface((run, index) => run.kernelCounters()[index]?.kernelFreezes ?? 0),
  });
  pulled(registry, {
    kind: "counter",
    name: `${P}rate_limited_total`,
    help: "Packets skipped by the task's max_pps limit",
    labelNames: ["task"],
    read: (set) => forRuns(source, (task, run) => set({ task }, run.counters.rateLimited)),
  });
  pulled(registry, {
    kind: "counter",
    name: `${P}read_errors_total`,
    help: "Ring entries the capture could not read (bad lengths or offsets), skipped",
    labelNames: ["task"],
    read: (set) => forRuns(source, (task, run) => set({ task }, run.source.stats().readErrors)),
  });
}
