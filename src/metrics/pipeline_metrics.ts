/**
 * Record pipeline metrics per task: records by type, decode errors by reason, parser rejections by protocol and
 * reason, the pipeline's record queue, flow and reassembly table sizes, and records waiting in the task's outputs.
 * @module
 */
import type { Registry } from "prom-client";
import { forRuns, type MetricsSource, pulled } from "./pulled.ts";

/** Registers the pipeline metrics. */
export function registerPipelineMetrics(registry: Registry, source: MetricsSource): void {
  pulled(registry, {
    kind: "counter",
    name: "capture_agent_pipeline_records_total",
    help: "Records the task's pipeline produced, by record type",
    labelNames: ["task", "type"],
    read: (set) =>
      forRuns(source, (task, run) => {
        for (const [type, count] of Object.entries(run.counters.records)) set({ task, type }, count);
      }),
  });
  pulled(registry, {
    kind: "counter",
    name: "capture_agent_decode_errors_total",
    help: "Packets that could not be decoded, by reason (counted and skipped)",
    labelNames: ["task", "reason"],
    read: (set) =>
      forRuns(source, (task, run) => {
        for (const [reason, count] of Object.entries(run.stageCounters().decodeErrors)) set({ task, reason }, count);
      }),
  });
  pulled(registry, {
    kind: "counter",
    name: "capture_agent_parser_invalid_total",
    help: "Payloads a protocol parser rejected, by protocol and reason",
    labelNames: ["task", "protocol", "reason"],
    read: (set) =>
      forRuns(source, (task, run) => {
        for (const [protocol, reasons] of Object.entries(run.stageCounters().parserInvalid ?? {})) {
          for (const [reason, count] of Object.entries(reasons)) set({ task, protocol, reason }, count);
        }
      }),
  });
  pulled(registry, {
    kind: "counter",
    name: "capture_agent_sip_parser_payloads_total",
    help: "SIP payloads by parser: native (the capture library), fallback (handed to the TypeScript parser)",
    labelNames: ["task", "parser"],
    read: (set) =>
      forRuns(source, (task, run) => {
        for (const [parser, count] of Object.entries(run.stageCounters().sipParser ?? {})) set({ task, parser }, count);
      }),
  });
  pulled(registry, {
    kind: "counter",
    name: "capture_agent_pipeline_stage_errors_total",
    help: "Batches the record stage or a packet output threw on (a bug; capture goes on)",
    labelNames: ["task"],
    read: (set) => forRuns(source, (task, run) => set({ task }, run.counters.stageErrors)),
  });
  pulled(registry, {
    kind: "gauge",
    name: "capture_agent_pipeline_table_entries",
    help: "Entries in the pipeline's flow and reassembly tables (TCP connections, calls in flight)",
    labelNames: ["task", "table"],
    read: (set) =>
      forRuns(source, (task, run) => {
        for (const [table, count] of Object.entries(run.stageCounters().tables)) set({ task, table }, count);
      }),
  });
  pulled(registry, {
    kind: "gauge",
    name: "capture_agent_pipeline_queue_depth",
    help: "Records waiting in the pipeline's record queue",
    labelNames: ["task"],
    read: (set) => forRuns(source, (task, run) => set({ task }, run.stageCounters().recordQueue?.depth ?? 0)),
  });
  pulled(registry, {
    kind: "counter",
    name: "capture_agent_pipeline_queue_drops_total",
    help: "Records the pipeline's record queue dropped because it was full",
    labelNames: ["task"],
    read: (set) => forRuns(source, (task, run) => set({ task }, run.stageCounters().recordQueue?.drops ?? 0)),
  });
  pulled(registry, {
    kind: "gauge",
    name: "capture_agent_queue_depth",
    help: "Records the task's outputs accepted and have not delivered or dropped yet (memory queues and spools)",
    labelNames: ["task"],
    read: (set) => forRuns(source, (task, run) => set({ task }, run.queueDepth())),
  });
}
