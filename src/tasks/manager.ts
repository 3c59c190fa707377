/**
 * The task manager: many tasks at once, each with its own sockets (its own fanout group, or none), pipeline,
 * outputs and tail feed. Implements the control API's `TaskControl`. Operations on one task are serialised; every
 * accepted change is persisted before it is answered, and a run that ends by itself (limit, capture failure)
 * updates the state with its reason.
 * @module
 */
import { create } from "@bufbuild/protobuf";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import type { Config } from "../config/types.ts";
import {
  type TailResponse,
  TailResponseSchema,
  type Task,
  TaskSchema,
  type TaskSpec,
  TaskState,
  type TaskStats,
  TaskStatsSchema,
} from "../control/gen/capture_agent/v1/task_pb.ts";
import { type TailFilter, type TaskControl, TaskControlError } from "../control/task_control.ts";
import { type RunEnd, type RunParts, TaskRun } from "./runtime.ts";
import { checkTaskSpec } from "./spec.ts";
import type { StoredTask, TaskStore } from "./store.ts";
import { TailHub } from "./tail.ts";
import { TaskLifecycle, type TaskStateName } from "./task.ts";
import { openRunParts } from "./wiring.ts";
import { taskStats } from "./task_stats.ts";

/** Where the manager reports what happens outside a request (restores, runs ending, warnings). */
export interface TaskLog {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
}

/** Opens the pieces of a run; replaceable in tests. */
export type OpenRun = (spec: TaskSpec, tail: TailHub, warn: (message: string) => void) => Promise<RunParts>;

/** One task as the manager holds it. */
export interface TaskEntry {
  spec: TaskSpec;
  lifecycle: TaskLifecycle;
  desired: "running" | "stopped";
  createdAtMs: number;
  /** The current run, or the last one (its counters stay readable after a stop). */
  run: TaskRun | null;
  tail: TailHub;
  /** Serialises operations on this task. */
  queue: Promise<unknown>;
}

const STATE_ENUM: Record<TaskStateName, TaskState> = {
  starting: TaskState.STARTING,
  running: TaskState.RUNNING,
  stopping: TaskState.STOPPING,
  stopped: TaskState.STOPPED,
  failed: TaskState.FAILED,
  completed: TaskState.COMPLETED,
};

/** Runs tasks; see the module doc. */
export class TaskManager implements TaskControl {
  readonly #tasks = new Map<string, TaskEntry>();
  readonly #store: TaskStore;
  readonly #log: TaskLog;
  readonly #openRun: OpenRun;

  constructor(options: { config: Config; store: TaskStore; log: TaskLog; openRun?: OpenRun }) {
    this.#store = options.store;
    this.#log = options.log;
    const config = options.config;
    this.#openRun = options.openRun ?? ((spec, tail, warn) => openRunParts(spec, config, tail, warn));
  }

  /** Every task, for metrics and agent status (no copies: read, don't change). */
  entries(): readonly TaskEntry[] {
    return [...this.#tasks.values()];
  }

  /** Loads persisted tasks and starts those an operator left running; returns how many were loaded. */
  async restore(): Promise<number> {
    await this.#store.init();
    const { tasks, problems } = await this.#store.loadAll();
    for (const problem of problems) {
      this.#log.warn("task file skipped", { file: problem.file, reason: problem.message });
    }
    for (const stored of tasks) {
      const entry = this.#entryOf(stored);
      this.#tasks.set(stored.spec.name, entry);
      if (stored.desired === "running") {
        await this.#serial(entry, () => this.#startRun(entry)).catch((error) => {
          this.#log.warn("task could not be restarted", { task: stored.spec.name, reason: String(error.message) });
        });
      }
    }
    return tasks.length;
  }

  #entryOf(stored: StoredTask): TaskEntry {
    const terminal = stored.state === "failed" || stored.state === "completed";
    const lifecycle = new TaskLifecycle(terminal ? stored.state : "stopped", terminal ? stored.reason : "");
    return {
      spec: stored.spec,
      lifecycle,
      desired: stored.desired,
      createdAtMs: stored.createdAtMs,
      run: null,
      tail: new TailHub(),
      queue: Promise.resolve(),
    };
  }

  #serial<T>(entry: TaskEntry, operation: () => Promise<T>): Promise<T> {
    const next = entry.queue.then(operation, operation);
    entry.queue = next.catch(() => {});
    return next;
  }

  #find(name: string): TaskEntry {
    const entry = this.#tasks.get(name);
    if (entry === undefined) throw new TaskControlError("not_found", `no task named "${name}"`);
    return entry;
  }

  #persist(entry: TaskEntry): Promise<void> {
    return this.#store.save({
      spec: entry.spec,
      desired: entry.desired,
      state: entry.lifecycle.state,
      reason: entry.lifecycle.reason,
      createdAtMs: entry.createdAtMs,
    });
  }

  async create(spec: TaskSpec, options: { start: boolean }): Promise<Task> {
    const problems = checkTaskSpec(spec);
    if (problems.length > 0) throw new TaskControlError("invalid_argument", problems.join("; "));
    if (this.#tasks.has(spec.name)) throw new TaskControlError("already_exists", `task "${spec.name}" exists`);
    const entry = this.#entryOf({ spec, desired: "stopped", state: "stopped", reason: "", createdAtMs: Date.now() });
    this.#tasks.set(spec.name, entry);
    try {
      // Opening validates interfaces, filter, sockets and outputs even for a task created stopped.
      const parts = await this.#openRun(spec, entry.tail, (message) => this.#log.warn(message, { task: spec.name }));
      if (options.start) {
        entry.lifecycle.moveTo("starting");
        this.#attach(entry, new TaskRun(parts));
        entry.desired = "running";
      } else {
        await new TaskRun(parts).stop();
      }
      await this.#persist(entry);
    } catch (error) {
      this.#tasks.delete(spec.name);
      if (entry.run !== null) await entry.run.stop();
      await this.#store.remove(spec.name).catch(() => {});
      throw error;
    }
    this.#log.info("task created", { task: spec.name, state: entry.lifecycle.state });
    return this.#task(entry);
  }

  /** Wires a started run to the entry: running now, and the state follows the run's end. */
  #attach(entry: TaskEntry, run: TaskRun): void {
    entry.run = run;
    entry.lifecycle.moveTo("running");
    run.done.then((end) => this.#onRunEnd(entry, run, end));
  }

  #onRunEnd(entry: TaskEntry, run: TaskRun, end: RunEnd): void {
    if (entry.run !== run || end.kind === "stopped" || entry.lifecycle.state !== "running") return;
    entry.lifecycle.moveTo(end.kind, end.reason);
    if (end.kind === "completed") entry.desired = "stopped";
    this.#log[end.kind === "failed" ? "warn" : "info"](`task ${end.kind}`, {
      task: entry.spec.name,
      reason: end.reason,
    });
    if (this.#tasks.get(entry.spec.name) === entry) {
      this.#persist(entry).catch((error) => this.#log.warn("cannot save task", { reason: String(error) }));
    }
  }

  async #startRun(entry: TaskEntry): Promise<void> {
    if (entry.lifecycle.active) return;
    entry.lifecycle.moveTo("starting");
    let parts: RunParts;
    try {
      parts = await this.#openRun(
        entry.spec,
        entry.tail,
        (message) => this.#log.warn(message, { task: entry.spec.name }),
      );
    } catch (error) {
      entry.lifecycle.moveTo("failed", error instanceof Error ? error.message : String(error));
      throw error;
    }
    this.#attach(entry, new TaskRun(parts));
    this.#log.info("task started", { task: entry.spec.name });
  }

  async #stopRun(entry: TaskEntry): Promise<void> {
    if (!entry.lifecycle.active || entry.run === null) return;
    entry.lifecycle.moveTo("stopping");
    const end = await entry.run.stop();
    entry.lifecycle.moveTo(end.kind === "stopped" ? "stopped" : end.kind, end.kind === "stopped" ? "" : end.reason);
  }

  get(name: string): Promise<Task> {
    return Promise.resolve().then(() => this.#task(this.#find(name)));
  }

  list(): Promise<Task[]> {
    const entries = [...this.#tasks.values()].sort((a, b) => a.spec.name.localeCompare(b.spec.name));
    return Promise.resolve(entries.map((entry) => this.#task(entry)));
  }

  start(name: string): Promise<Task> {
    const entry = this.#find(name);
    return this.#serial(entry, async () => {
      entry.desired = "running";
      try {
        await this.#startRun(entry);
      } finally {
        await this.#persist(entry);
      }
      return this.#task(entry);
    });
  }

  stop(name: string): Promise<Task> {
    const entry = this.#find(name);
    return this.#serial(entry, async () => {
      entry.desired = "stopped";
      await this.#persist(entry);
      await this.#stopRun(entry);
      await this.#persist(entry);
      this.#log.info("task stopped", { task: name });
      return this.#task(entry);
    });
  }

  delete(name: string): Promise<void> {
    const entry = this.#find(name);
    return this.#serial(entry, async () => {
      if (this.#tasks.get(name) !== entry) return;
      await this.#stopRun(entry);
      await this.#store.remove(name);
      this.#tasks.delete(name);
      entry.tail.closeAll();
      this.#log.info("task deleted", { task: name });
    });
  }

  stats(name: string): Promise<TaskStats> {
    return Promise.resolve().then(() => create(TaskStatsSchema, taskStats(this.#find(name))));
  }

  async *tail(name: string, filter: TailFilter, signal: AbortSignal): AsyncGenerator<TailResponse> {
    const entry = this.#find(name);
    for await (const item of entry.tail.subscribe(filter, signal)) {
      yield create(TailResponseSchema, {
        task: name,
        type: item.type,
        summary: item.summary,
        time: timestampFromMs(item.timestampMs),
        record: JSON.parse(JSON.stringify(item.record)),
      });
    }
  }

  /** Stops every run for a daemon shutdown; definitions and desired states stay as they are on disk. */
  async shutdown(): Promise<void> {
    await Promise.all([...this.#tasks.values()].map((entry) => this.#serial(entry, () => this.#stopRun(entry))));
    for (const entry of this.#tasks.values()) entry.tail.closeAll();
  }

  #task(entry: TaskEntry): Task {
    const { lifecycle } = entry;
    return create(TaskSchema, {
      spec: entry.spec,
      state: STATE_ENUM[lifecycle.state],
      reason: lifecycle.reason,
      createdAt: timestampFromMs(entry.createdAtMs),
      startedAt: lifecycle.startedAtMs > 0 ? timestampFromMs(lifecycle.startedAtMs) : undefined,
      stoppedAt: lifecycle.stoppedAtMs > 0 ? timestampFromMs(lifecycle.stoppedAtMs) : undefined,
    });
  }
}
