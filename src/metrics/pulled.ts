/**
 * Metrics pulled at scrape time: a counter or gauge whose series are rebuilt from the agent's own counters at every
 * scrape, so metrics cost nothing between scrapes and a deleted task's series disappear.
 * @module
 */
import { Counter, Gauge, type Registry } from "prom-client";
import type { TaskEntry } from "../tasks/manager.ts";

/** What the metrics read. */
export interface MetricsSource {
  tasks(): readonly TaskEntry[];
  /** Log lines an appender failed to take. */
  logLinesLost(): number;
  startedAtMs: number;
  /** Counters of the Kafka command channel by outcome, when one runs. */
  commandStats?(): Readonly<Record<string, number>> | undefined;
}

/** Label values of one series. */
export type Labels<T extends string> = Partial<Record<T, string | number>>;

/** Sets one series of a pulled metric. */
export type SetSeries<T extends string> = (labels: Labels<T>, value: number) => void;

/** One pulled metric: its name, help, labels and how to read its series. */
export interface PulledMetric<T extends string> {
  kind: "counter" | "gauge";
  name: string;
  help: string;
  labelNames: readonly T[];
  read(set: SetSeries<T>): void;
}

/** Registers `metric` in `registry`. */
export function pulled<T extends string>(registry: Registry, metric: PulledMetric<T>): void {
  const { name, help, labelNames, read } = metric;
  if (metric.kind === "counter") {
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

/** Calls `each` for every task that has a current (or last) run. */
export function forRuns(
  source: MetricsSource,
  each: (task: string, run: NonNullable<TaskEntry["run"]>, entry: TaskEntry) => void,
): void {
  for (const entry of source.tasks()) if (entry.run !== null) each(entry.spec.name, entry.run, entry);
}
