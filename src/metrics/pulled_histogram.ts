/**
 * A histogram pulled at scrape time: its series are copied from fixed-bucket counters an output keeps itself
 * (src/output/kafka/histogram.ts), so the hot path never calls prom-client. prom-client's `Histogram` cannot be set
 * from existing bucket counts, so this is a metric object of its own that the registry prints like a histogram:
 * `_bucket` series (cumulative, `le` last), `_sum` and `_count`.
 * @module
 */
import type { Metric, Registry } from "prom-client";
import type { HistogramSnapshot } from "../output/kafka/histogram.ts";
import type { Labels } from "./pulled.ts";

/** Sets one series of a pulled histogram from a snapshot. */
export type SetHistogram<T extends string> = (labels: Labels<T>, snapshot: HistogramSnapshot) => void;

/** One pulled histogram: its name, help, labels and how to read its series. */
export interface PulledHistogram<T extends string> {
  name: string;
  help: string;
  labelNames: readonly T[];
  read(set: SetHistogram<T>): void;
}

/** One printed line: what prom-client's registry reads from a metric's `get()`. */
interface Value {
  metricName: string;
  labels: Record<string, string | number>;
  value: number;
}

/** Appends the `_bucket`, `_sum` and `_count` series of one snapshot to `values`. */
export function histogramValues(
  name: string,
  labels: Labels<string>,
  snapshot: HistogramSnapshot,
  values: Value[],
): void {
  const base: Record<string, string | number> = {};
  for (const [key, value] of Object.entries(labels)) if (value !== undefined) base[key] = value;
  let cumulative = 0;
  for (let bucket = 0; bucket < snapshot.upperBounds.length; bucket++) {
    cumulative += snapshot.counts[bucket];
    values.push({
      metricName: `${name}_bucket`,
      labels: { ...base, le: snapshot.upperBounds[bucket] },
      value: cumulative,
    });
  }
  values.push({ metricName: `${name}_bucket`, labels: { ...base, le: "+Inf" }, value: snapshot.count });
  values.push({ metricName: `${name}_sum`, labels: base, value: snapshot.sum });
  values.push({ metricName: `${name}_count`, labels: base, value: snapshot.count });
}

/** Registers `metric` in `registry`. */
export function pulledHistogram<T extends string>(registry: Registry, metric: PulledHistogram<T>): void {
  const { name, help, labelNames, read } = metric;
  const collector = {
    name,
    help,
    type: "histogram",
    aggregator: "sum",
    labelNames,
    get() {
      const values: Value[] = [];
      read((labels, snapshot) => histogramValues(name, labels, snapshot, values));
      return Promise.resolve({ name, help, type: "histogram", values, aggregator: "sum" });
    },
    // Nothing to reset: every scrape reads the outputs' counters afresh.
    reset(): void {},
  };
  registry.registerMetric(collector as unknown as Metric);
}
