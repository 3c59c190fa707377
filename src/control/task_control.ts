/**
 * The contract between the control API's TaskService and whatever runs tasks (the task manager). The API
 * layer only validates transport-level input and maps `TaskControlError` codes to Connect codes.
 * @module
 */
import type { TailResponse, Task, TaskSpec, TaskStats } from "./gen/capture_agent/v1/task_pb.ts";

/** Why a task operation was refused; each maps to one Connect code. */
export type TaskControlErrorCode =
  | "not_found"
  | "already_exists"
  | "invalid_argument"
  | "failed_precondition"
  | "resource_exhausted"
  | "unavailable";

/** A refused task operation, with a message an operator can act on ("interface eth9 does not exist"). */
export class TaskControlError extends Error {
  /** The kind of refusal. */
  readonly code: TaskControlErrorCode;

  constructor(code: TaskControlErrorCode, message: string) {
    super(message);
    this.name = "TaskControlError";
    this.code = code;
  }
}

/** Which records `tail` passes on; empty fields keep everything. */
export interface TailFilter {
  /** Record types to keep ("sip", "dns", ...). */
  types: string[];
  /** Substring each kept record's summary contains. */
  contains: string;
}

/**
 * Runs tasks for the control API. Every method throws `TaskControlError` for refusals; any other error is
 * reported to clients as `internal`.
 */
export interface TaskControl {
  /** Checks and creates a task (started unless `start` is false); on failure leaves nothing behind. */
  create(spec: TaskSpec, options: { start: boolean }): Promise<Task>;
  get(name: string): Promise<Task>;
  /** Every task, ordered by name. */
  list(): Promise<Task[]>;
  /** Resumes a stopped, failed or completed task. */
  start(name: string): Promise<Task>;
  /** Stops a task and keeps its definition. */
  stop(name: string): Promise<Task>;
  /** Stops a task if needed and removes its definition. */
  delete(name: string): Promise<void>;
  stats(name: string): Promise<TaskStats>;
  /**
   * Live records of a task until `signal` aborts (client gone) or the task is deleted. Must stop promptly
   * on abort and must not buffer without bound for a slow client (drop and count instead).
   */
  tail(name: string, filter: TailFilter, signal: AbortSignal): AsyncIterable<TailResponse>;
}
