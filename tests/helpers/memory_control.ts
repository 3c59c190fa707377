/**
 * In-memory `TaskControl` and `AgentControl` for control API tests: tasks are records in a map, `tail` emits a
 * numbered record every few milliseconds until its signal aborts. Test-only; the task manager is the real one.
 * @module
 */
import { create } from "@bufbuild/protobuf";
import { timestampNow } from "@bufbuild/protobuf/wkt";
import type { AgentControl } from "../../src/control/agent_control.ts";
import {
  ReloadResponseSchema,
  StatsResponseSchema,
  StatusResponseSchema,
} from "../../src/control/gen/capture_agent/v1/agent_pb.ts";
import {
  type TailResponse,
  TailResponseSchema,
  type Task,
  TaskSchema,
  type TaskSpec,
  TaskState,
  TaskStatsSchema,
} from "../../src/control/gen/capture_agent/v1/task_pb.ts";
import { type TailFilter, type TaskControl, TaskControlError } from "../../src/control/task_control.ts";

/** Tasks in a map; `tailsOpen` counts tail streams not yet finished (to check cancellation). */
export class MemoryTaskControl implements TaskControl {
  readonly tasks = new Map<string, Task>();
  tailsOpen = 0;
  tailRecordsSent = 0;

  #find(name: string): Task {
    const task = this.tasks.get(name);
    if (task === undefined) throw new TaskControlError("not_found", `no task named "${name}"`);
    return task;
  }

  create(spec: TaskSpec, options: { start: boolean }): Promise<Task> {
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(spec.name)) {
      return Promise.reject(new TaskControlError("invalid_argument", `bad task name "${spec.name}"`));
    }
    if (this.tasks.has(spec.name)) {
      return Promise.reject(new TaskControlError("already_exists", `task "${spec.name}" exists`));
    }
    const state = options.start ? TaskState.RUNNING : TaskState.STOPPED;
    const task = create(TaskSchema, { spec, state, createdAt: timestampNow() });
    this.tasks.set(spec.name, task);
    return Promise.resolve(task);
  }

  get(name: string): Promise<Task> {
    return Promise.resolve().then(() => this.#find(name));
  }

  list(): Promise<Task[]> {
    return Promise.resolve([...this.tasks.values()].sort((a, b) => a.spec!.name.localeCompare(b.spec!.name)));
  }

  start(name: string): Promise<Task> {
    return Promise.resolve().then(() => Object.assign(this.#find(name), { state: TaskState.RUNNING }));
  }

  stop(name: string): Promise<Task> {
    return Promise.resolve().then(() => Object.assign(this.#find(name), { state: TaskState.STOPPED }));
  }

  delete(name: string): Promise<void> {
    return Promise.resolve().then(() => {
      this.#find(name);
      this.tasks.delete(name);
    });
  }

  stats(name: string) {
    return Promise.resolve().then(() => {
      this.#find(name);
      return create(TaskStatsSchema, { name, records: { sip: 3n }, interfaces: [{ name: "lo", packets: 7n }] });
    });
  }

  async *tail(name: string, filter: TailFilter, signal: AbortSignal): AsyncGenerator<TailResponse> {
    this.#find(name);
    this.tailsOpen++;
    try {
      for (let index = 0; !signal.aborted; index++) {
        const type = index % 2 === 0 ? "sip" : "dns";
        const summary = `record ${index}`;
        const keep = (filter.types.length === 0 || filter.types.includes(type)) && summary.includes(filter.contains);
        if (keep) {
          this.tailRecordsSent++;
          yield create(TailResponseSchema, { task: name, type, summary, time: timestampNow(), record: { index } });
        }
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, 5);
          signal.addEventListener("abort", () => (clearTimeout(timer), resolve()), { once: true });
        });
      }
    } finally {
      this.tailsOpen--;
    }
  }
}

/** An agent whose status reports the task map; `shutdownCalls` records Shutdown requests. */
export class MemoryAgentControl implements AgentControl {
  shutdownCalls: number[] = [];
  constructor(readonly tasks: MemoryTaskControl) {}

  status() {
    return Promise.resolve(create(StatusResponseSchema, {
      version: "test",
      pid: Deno.pid,
      ready: true,
      tasksTotal: this.tasks.tasks.size,
    }));
  }

  stats() {
    return Promise.resolve(create(StatsResponseSchema, { packets: 42n, tasksRunning: 1 }));
  }

  reload() {
    return Promise.resolve(create(ReloadResponseSchema, { applied: ["global.log_level"] }));
  }

  shutdown(drainTimeoutMs: number): void {
    this.shutdownCalls.push(drainTimeoutMs);
  }
}
