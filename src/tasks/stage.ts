/**
 * What a task's runtime needs from the record pipeline: packet batches in, records out, counters on demand.
 * `wiring.ts` adapts the pipeline to this shape, so the runtime does not depend on the pipeline's internals.
 * @module
 */
import type { PacketBatch } from "../capture/batch.ts";
import type { OutputRecord } from "../output/output.ts";

/** Receives the records a stage produces; the runtime batches them to the outputs. */
export type RecordSink = (record: OutputRecord) => void;

/** Counters of a stage, cumulative since it was made. */
export interface StageCounters {
  /** Decode and parse errors by reason (counted and skipped, never thrown). */
  decodeErrors: Record<string, number>;
  /** Entries in flow and reassembly tables, by table name ("flows", "tcp_streams", "calls"). */
  tables: Record<string, number>;
}

/** The record pipeline of one task run. */
export interface RecordStage {
  /** Decodes one batch; must copy any bytes it keeps after returning (the batch goes back to the ring). */
  process(batch: PacketBatch, emit: RecordSink): void;
  /** Time-driven work (flow and call timeouts); called about once a second and while idle. */
  tick(nowMs: number, emit: RecordSink): void;
  /** End of the run: emits what is still pending (open calls, partial flows). */
  finish(emit: RecordSink): void;
  counters(): StageCounters;
}
