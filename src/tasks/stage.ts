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
  /** Packets that could not be decoded, by reason (counted and skipped, never thrown). */
  decodeErrors: Record<string, number>;
  /** Payloads a protocol parser rejected: `parserInvalid.sip.bad_cseq`. */
  parserInvalid?: Record<string, Record<string, number>>;
  /** The stage's own record queue: records waiting in it and records it dropped because it was full. */
  recordQueue?: { depth: number; drops: number };
  /** SIP payloads by parser (`native`, `fallback`: handed to the TypeScript parser). */
  sipParser?: { native: number; fallback: number };
  /** Entries in flow and reassembly tables, by table name ("flows", "tcp_streams", "calls"). */
  tables: Record<string, number>;
}

/**
 * Every error of `counters` in one map, as the control API reports them: decode errors by reason, parser
 * rejections as `<protocol>_<reason>`, records the stage's queue dropped as `record_queue_full`.
 */
export function allStageErrors(counters: StageCounters): Record<string, number> {
  const errors: Record<string, number> = { ...counters.decodeErrors };
  for (const [protocol, reasons] of Object.entries(counters.parserInvalid ?? {})) {
    for (const [reason, count] of Object.entries(reasons)) errors[`${protocol}_${reason}`] = count;
  }
  if ((counters.recordQueue?.drops ?? 0) > 0) errors.record_queue_full = counters.recordQueue!.drops;
  return errors;
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
