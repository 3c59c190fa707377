/**
 * The agent's Prometheus registry. Nothing is counted twice: every value is read at scrape time from the counters
 * the tasks already keep (sources, runs, stages, outputs), so metrics cost nothing between scrapes and a deleted
 * task's series disappear. Names start with `capture_agent_`; docs/metrics.md lists every one.
 * @module
 */
import { Registry } from "prom-client";
import { registerAgentMetrics } from "./agent_metrics.ts";
import { registerCaptureMetrics } from "./capture_metrics.ts";
import { registerOutputMetrics } from "./output_metrics.ts";
import { registerPipelineMetrics } from "./pipeline_metrics.ts";
import type { MetricsSource } from "./pulled.ts";

export type { MetricsSource };

/** A registry with every agent metric, reading from `source` at scrape time. */
export function createMetricsRegistry(source: MetricsSource): Registry {
  const registry = new Registry();
  registerCaptureMetrics(registry, source);
  registerPipelineMetrics(registry, source);
  registerOutputMetrics(registry, source);
  registerAgentMetrics(registry, source);
  return registry;
}
