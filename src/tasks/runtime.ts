/**
 * One run of a task: source → record stage → outputs, until stopped, a limit is reached, or capture fails.
 *
 * Queues are bounded everywhere: the kernel ring is the queue before the stage (a full ring is counted as kernel
 * drops), each output queues and spools within its own bounds and counts what it drops, tail clients have bounded
 * queues. The stage runs inline on each batch, and the batch goes back to the ring before the next wait, so stopping
 * never leaves a block in use: stop → the source hands out what is retired → the stage finishes → outputs flush
 * within a bound → everything closes.
 * @module
 */
import type { KernelCounters } from "../capture/afpacket.ts";
import type { PacketBatch, PacketSource } from "../capture/batch.ts";
import type { Output, OutputRecord } from "../output/output.ts";
import type { PacketOutput } from "../output/pcap_output.ts";
import type { OutputFeed } from "./outputs.ts";
import type { RecordStage, StageCounters } from "./stage.ts";
import type { TailHub } from "./tail.ts";

/** How often the stage's timeouts run and limits are checked while no packet arrives. */
const TICK_MS = 1000;

/** Limits ending a run in state completed; 0 = none. */
export interface RunLimits {
  durationMs: number;
  packets: number;
  bytes: number;
  maxPps: number;
}

/** How a run ended. */
export type RunEnd =
  | { kind: "stopped" }
  | { kind: "completed"; reason: string }
  | { kind: "failed"; reason: string };

/** One output of a run with what `write()` reported. */
export interface RunOutput {
  url: string;
  output: Output;
  /** Records (the default), the task's packets, or neither (per-call pcap, fed by the stage). */
  feed?: OutputFeed;
  spooled: number;
  dropped: number;
}

/** Counters of a run, read by stats calls and metrics at scrape time. */
export interface RunCounters {
  interfaces: string[];
  /** Per interface index. */
  packets: number[];
  bytes: number[];
  records: Record<string, number>;
  /** Packets skipped by `max_pps`. */
  rateLimited: number;
  /** Batches the stage threw on (a bug; counted, capture goes on). */
  stageErrors: number;
}

/** The pieces of a run, opened by the manager. */
export interface RunParts {
  source: PacketSource & { stop?(): void };
  stage: RecordStage;
  outputs: RunOutput[];
  tail: TailHub;
  limits: RunLimits;
  /** Bound on flushing outputs at the end of the run. */
  drainTimeoutMs: number;
  /** Called with problems that do not end the run (stage errors, output close errors). */
  warn(message: string): void;
}

/** A running task pipeline; `done` resolves once everything is closed. */
export class TaskRun {
  readonly counters: RunCounters;
  readonly startedAtMs = Date.now();
  readonly done: Promise<RunEnd>;
  #parts: RunParts;
  #pending: OutputRecord[] = [];
  readonly #recordOutputs: RunOutput[];
  readonly #packetOutputs: PacketOutput[];
  #end: RunEnd | null = null;
  #windowStartMs = 0;
  #windowPackets = 0;
  #ticker: ReturnType<typeof setInterval>;
  #durationTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(parts: RunParts) {
    this.#parts = parts;
    this.#recordOutputs = parts.outputs.filter((entry) => (entry.feed ?? "records") === "records");
    this.#packetOutputs = parts.outputs.filter((entry) => entry.feed === "packets")
      .map((entry) => entry.output as PacketOutput);
    const interfaces = [...parts.source.interfaces];
    this.counters = {
      interfaces,
      packets: interfaces.map(() => 0),
      bytes: interfaces.map(() => 0),
      records: {},
      rateLimited: 0,
      stageErrors: 0,
    };
    this.#ticker = setInterval(() => this.#tick(), TICK_MS);
    if (parts.limits.durationMs > 0) {
      this.#durationTimer = setTimeout(
        () => this.#finish({ kind: "completed", reason: `duration limit ${parts.limits.durationMs} ms reached` }),
        parts.limits.durationMs,
      );
    }
    this.done = this.#run();
  }

  /** Source counters (kernel drops, freezes). */
  get source(): PacketSource {
    return this.#parts.source;
  }

  get outputs(): readonly RunOutput[] {
    return this.#parts.outputs;
  }

  /**
   * Kernel drops and freezes per interface (indexed like `counters.interfaces`). A source that only reports
   * totals has them on its first interface.
   */
  kernelCounters(): { kernelDrops: number; kernelFreezes: number }[] {
    const source = this.#parts.source as PacketSource & { kernelStatsByInterface?(): KernelCounters[] };
    if (source.kernelStatsByInterface !== undefined) return source.kernelStatsByInterface();
    const { kernelDrops, kernelFreezes } = source.stats();
    return this.counters.interfaces.map((_, index) =>
      index === 0 ? { kernelDrops, kernelFreezes } : {
        kernelDrops: 0,
        kernelFreezes: 0,
      }
    );
  }

  stageCounters(): StageCounters {
    return this.#parts.stage.counters();
  }

  /** Records waiting in outputs (accepted, not yet sent or dropped). */
  queueDepth(): number {
    let depth = 0;
    for (const { output } of this.#recordOutputs) {
      const stats = output.stats();
      depth += Math.max(0, stats.writtenRecords - stats.sentRecords - stats.droppedRecords);
    }
    return depth;
  }

  /** Asks the run to end; `done` resolves when it has. */
  stop(): Promise<RunEnd> {
    this.#finish({ kind: "stopped" });
    return this.done;
  }

  #finish(end: RunEnd): void {
    if (this.#end !== null) return;
    this.#end = end;
    const source = this.#parts.source;
    if (source.stop) source.stop();
    else void source.close();
  }

  async #run(): Promise<RunEnd> {
    const { source } = this.#parts;
    try {
      for (;;) {
        const batch = await source.next();
        if (batch === null) break;
        try {
          this.#take(batch);
        } finally {
          source.release(batch);
        }
        this.#flushPending();
      }
      if (this.#end === null) this.#end = { kind: "completed", reason: "the source ended" };
    } catch (error) {
      this.#end = { kind: "failed", reason: error instanceof Error ? error.message : String(error) };
    }
    return await this.#closeAll(this.#end!);
  }

  #take(batch: PacketBatch): void {
    const { limits } = this.#parts;
    const total = this.counters.packets.reduce((sum, value) => sum + value, 0);
    if (limits.packets > 0 && total + batch.count >= limits.packets) {
      batch.count = Math.max(0, limits.packets - total);
      this.#finish({ kind: "completed", reason: `packet limit ${limits.packets} reached` });
    }
    if (limits.maxPps > 0) this.#rateLimit(batch, limits.maxPps);
    let bytes = 0;
    for (let i = 0; i < batch.count; i++) bytes += batch.wireBytes[i]!;
    this.counters.packets[batch.interfaceIndex]! += batch.count;
    this.counters.bytes[batch.interfaceIndex]! += bytes;
    if (limits.bytes > 0 && this.counters.bytes.reduce((sum, value) => sum + value, 0) >= limits.bytes) {
      this.#finish({ kind: "completed", reason: `byte limit ${limits.bytes} reached` });
    }
    for (const output of this.#packetOutputs) {
      try {
        output.writePackets(batch);
      } catch (error) {
        this.counters.stageErrors++;
        this.#parts.warn(`${output.name} failed on a batch: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    try {
      this.#parts.stage.process(batch, this.#emit);
    } catch (error) {
      this.counters.stageErrors++;
      this.#parts.warn(`record stage failed on a batch: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  #rateLimit(batch: PacketBatch, maxPps: number): void {
    const nowMs = Date.now();
    if (nowMs - this.#windowStartMs >= 1000) {
      this.#windowStartMs = nowMs;
      this.#windowPackets = 0;
    }
    const allowed = Math.max(0, Math.min(batch.count, maxPps - this.#windowPackets));
    this.counters.rateLimited += batch.count - allowed;
    batch.count = allowed;
    this.#windowPackets += allowed;
  }

  #emit = (record: OutputRecord): void => {
    this.#pending.push(record);
    this.counters.records[record.type] = (this.counters.records[record.type] ?? 0) + 1;
  };

  #flushPending(): void {
    if (this.#pending.length === 0) return;
    const records = this.#pending;
    this.#pending = [];
    for (const entry of this.#recordOutputs) {
      const result = entry.output.write(records);
      entry.spooled += result.spooled;
      entry.dropped += result.dropped;
    }
    if (this.#parts.tail.active) this.#parts.tail.publish(records);
  }

  #tick(): void {
    const nowMs = Date.now();
    try {
      this.#parts.stage.tick(nowMs, this.#emit);
    } catch (error) {
      this.counters.stageErrors++;
      this.#parts.warn(`record stage tick failed: ${error instanceof Error ? error.message : String(error)}`);
    }
    this.#flushPending();
  }

  async #closeAll(end: RunEnd): Promise<RunEnd> {
    clearInterval(this.#ticker);
    clearTimeout(this.#durationTimer);
    const { source, stage, outputs, drainTimeoutMs, warn } = this.#parts;
    await source.close().catch((error) => warn(`closing capture: ${error}`));
    try {
      stage.finish(this.#emit);
    } catch (error) {
      warn(`record stage finish failed: ${error instanceof Error ? error.message : String(error)}`);
    }
    this.#flushPending();
    await closeOutputs(outputs.map((entry) => entry.output), drainTimeoutMs, warn);
    return end;
  }
}

/** Flushes then closes `outputs`, giving up on flushing after `timeoutMs` (close still runs). */
export async function closeOutputs(outputs: Output[], timeoutMs: number, warn: (message: string) => void) {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<"timeout">((resolve) => (timer = setTimeout(() => resolve("timeout"), timeoutMs)));
  const flushed = Promise.all(outputs.map((output) => output.flush().catch((error) => warn(`flush: ${error}`))));
  if (await Promise.race([flushed, deadline]) === "timeout") warn(`outputs not drained within ${timeoutMs} ms`);
  clearTimeout(timer);
  const closed = Promise.all(
    outputs.map((output) => output.close().catch((error) => warn(`close ${output.name}: ${error}`))),
  );
  const closeDeadline = new Promise<"timeout">((resolve) => (timer = setTimeout(() => resolve("timeout"), timeoutMs)));
  if (await Promise.race([closed, closeDeadline]) === "timeout") warn(`outputs not closed within ${timeoutMs} ms`);
  clearTimeout(timer);
}
