/**
 * The record pipeline (src/pipeline/) as a task runtime's `RecordStage`: batches in, `OutputRecord`s out with the
 * task's key strategy, counters for metrics and the API (decode errors by reason, parser rejections by protocol
 * and reason, the pipeline's record queue, table sizes).
 * @module
 */
import type { PacketBatch } from "../capture/batch.ts";
import type { CallPacketSink } from "../output/call_pcap.ts";
import { KEY_STRATEGIES, type KeyStrategy, Pipeline, type ProtocolName, toOutputRecord } from "../pipeline/mod.ts";
import type { RecordSink, RecordStage, StageCounters } from "./stage.ts";

/** Options of a pipeline stage. */
export interface PipelineStageOptions {
  task: string;
  interfaces: readonly string[];
  /** Empty means every protocol. */
  protocols: readonly string[];
  /** How records are keyed (`record_options.key`). @default "flow" */
  keyStrategy?: KeyStrategy;
  /** Per-call packet capture (a `pcap:DIR` output with `per_call: true`). */
  callSink?: CallPacketSink;
}

/** Reads `record_options.key` of a task; throws `RangeError` for an unknown strategy. */
export function keyStrategyOf(recordOptions: Record<string, unknown> | undefined): KeyStrategy {
  const key = recordOptions?.key;
  if (key === undefined) return "flow";
  if (typeof key !== "string" || !(KEY_STRATEGIES as readonly string[]).includes(key)) {
    throw new RangeError(`record_options.key "${key}" is unknown; use ${KEY_STRATEGIES.join(", ")}`);
  }
  return key as KeyStrategy;
}

/** See the module doc. */
export class PipelineStage implements RecordStage {
  readonly pipeline: Pipeline;
  readonly #keyStrategy: KeyStrategy;

  constructor(options: PipelineStageOptions) {
    this.pipeline = new Pipeline({
      task: options.task,
      interfaces: options.interfaces,
      protocols: options.protocols.length === 0 ? undefined : options.protocols as ProtocolName[],
      callSink: options.callSink,
    });
    this.#keyStrategy = options.keyStrategy ?? "flow";
  }

  #drain(emit: RecordSink): void {
    for (const record of this.pipeline.queue.drain()) emit(toOutputRecord(record, this.#keyStrategy));
  }

  process(batch: PacketBatch, emit: RecordSink): void {
    this.pipeline.process(batch);
    this.#drain(emit);
  }

  tick(nowMs: number, emit: RecordSink): void {
    this.pipeline.tick(nowMs);
    this.#drain(emit);
  }

  finish(emit: RecordSink): void {
    this.pipeline.finish();
    this.#drain(emit);
  }

  counters(): StageCounters {
    const stats = this.pipeline.stats();
    const decodeErrors: Record<string, number> = { ...stats.decodeErrors };
    const parserInvalid: Record<string, Record<string, number>> = {};
    for (const [protocol, reasons] of Object.entries(stats.parserInvalid)) parserInvalid[protocol] = { ...reasons };
    const tables: Record<string, number> = {};
    if (stats.tcp.connections !== undefined) tables.tcp_connections = stats.tcp.connections;
    for (const [name, value] of Object.entries(stats.protocols.calls ?? {})) {
      if (/active|open|tracked/.test(name)) tables[`calls_${name}`] = value;
    }
    const sipParser = { ...this.pipeline.counters.sipParser };
    const recordQueue = { depth: stats.queueDepth, drops: stats.queueDrops };
    return { decodeErrors, parserInvalid, recordQueue, tables, sipParser };
  }
}
