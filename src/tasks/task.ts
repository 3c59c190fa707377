/**
 * The life cycle of one task: which state changes are allowed, with the reason of a failure or completion and
 * the times of the last start and stop. The runtime and the manager drive it; nothing else changes a state.
 * @module
 */

/** States of a task (docs/tasks.md). */
export type TaskStateName = "starting" | "running" | "stopping" | "stopped" | "failed" | "completed";

/** Every state, in the order metrics list them. */
export const TASK_STATE_NAMES: readonly TaskStateName[] = [
  "starting",
  "running",
  "stopping",
  "stopped",
  "failed",
  "completed",
];

const ALLOWED: Record<TaskStateName, readonly TaskStateName[]> = {
  starting: ["running", "failed", "stopping"],
  running: ["stopping", "failed", "completed"],
  stopping: ["stopped", "completed", "failed"],
  stopped: ["starting"],
  failed: ["starting"],
  completed: ["starting"],
};

/** A state change the life cycle does not allow (a bug in the caller, not bad input). */
export class TaskStateError extends Error {
  constructor(from: TaskStateName, to: TaskStateName) {
    super(`Cannot go from ${from} to ${to}`);
    this.name = "TaskStateError";
  }
}

/** One task's state, reason and times (milliseconds since the epoch; 0 = never). */
export class TaskLifecycle {
  #state: TaskStateName;
  #reason = "";
  startedAtMs = 0;
  stoppedAtMs = 0;
  #listeners: ((state: TaskStateName) => void)[] = [];

  constructor(initial: TaskStateName = "stopped", reason = "") {
    this.#state = initial;
    this.#reason = reason;
  }

  get state(): TaskStateName {
    return this.#state;
  }

  /** Why the task failed or completed; "" otherwise. */
  get reason(): string {
    return this.#reason;
  }

  /** Whether the task is between a start and the end of its stop. */
  get active(): boolean {
    return this.#state === "starting" || this.#state === "running" || this.#state === "stopping";
  }

  /** Whether `to` is allowed from the current state. */
  can(to: TaskStateName): boolean {
    return ALLOWED[this.#state].includes(to);
  }

  /**
   * Moves to `to`, keeping `reason` for failed and completed.
   * @throws {TaskStateError} when the life cycle does not allow it
   */
  moveTo(to: TaskStateName, reason = "", nowMs = Date.now()): void {
    if (!this.can(to)) throw new TaskStateError(this.#state, to);
    this.#state = to;
    this.#reason = to === "failed" || to === "completed" ? reason : "";
    if (to === "running") this.startedAtMs = nowMs;
    if (to === "stopped" || to === "failed" || to === "completed") this.stoppedAtMs = nowMs;
    for (const listener of this.#listeners) listener(to);
  }

  /** Calls `listener` after every change. */
  onChange(listener: (state: TaskStateName) => void): void {
    this.#listeners.push(listener);
  }
}
