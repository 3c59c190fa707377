/**
 * Task definitions on disk: `<data_dir>/tasks/<name>.json`, written atomically (temp file, fsync, rename) so a
 * crash leaves the old or the new file, never half of one. `desired` records what the operator asked for:
 * "running" tasks run again after any restart (crash or graceful), "stopped" ones stay stopped.
 * @module
 */
import { fromJson, type JsonValue, toJson } from "@bufbuild/protobuf";
import { type TaskSpec, TaskSpecSchema } from "../control/gen/capture_agent/v1/task_pb.ts";
import type { TaskStateName } from "./task.ts";

/** Format version of a task file. */
export const TASK_FILE_VERSION = 1;

/** What is kept of a task across restarts. */
export interface StoredTask {
  spec: TaskSpec;
  desired: "running" | "stopped";
  /** The last state written (informational: `desired` decides what happens at start). */
  state: TaskStateName;
  reason: string;
  createdAtMs: number;
}

/** A task file that could not be read, with why (the daemon logs it and goes on). */
export interface StoreProblem {
  file: string;
  message: string;
}

/** Reads and writes task files under one directory. */
export class TaskStore {
  readonly dir: string;

  constructor(dataDir: string) {
    this.dir = `${dataDir}/tasks`;
  }

  /** Creates the directory (mode 0750) if needed. */
  async init(): Promise<void> {
    await Deno.mkdir(this.dir, { recursive: true, mode: 0o750 });
  }

  #path(name: string): string {
    return `${this.dir}/${name}.json`;
  }

  /** Writes one task atomically. */
  async save(task: StoredTask): Promise<void> {
    const body = {
      version: TASK_FILE_VERSION,
      spec: toJson(TaskSpecSchema, task.spec),
      desired: task.desired,
      state: task.state,
      reason: task.reason,
      created_at: new Date(task.createdAtMs).toISOString(),
    };
    const path = this.#path(task.spec.name);
    const temp = `${path}.tmp-${Deno.pid}`;
    const file = await Deno.open(temp, { write: true, create: true, truncate: true, mode: 0o640 });
    try {
      await file.write(new TextEncoder().encode(JSON.stringify(body, null, 2) + "\n"));
      await file.sync();
    } finally {
      file.close();
    }
    await Deno.rename(temp, path);
  }

  /** Removes a task's file; a missing file is fine. */
  async remove(name: string): Promise<void> {
    await Deno.remove(this.#path(name)).catch((error) => {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    });
  }

  /** Every readable task, plus the files that were not (left in place for the operator). */
  async loadAll(): Promise<{ tasks: StoredTask[]; problems: StoreProblem[] }> {
    const tasks: StoredTask[] = [];
    const problems: StoreProblem[] = [];
    for await (const entry of Deno.readDir(this.dir)) {
      const file = `${this.dir}/${entry.name}`;
      if (entry.name.includes(".json.tmp-")) {
        // Left by a crash between write and rename: the previous file (if any) is still whole.
        await Deno.remove(file).catch(() => {});
        continue;
      }
      if (!entry.isFile || !entry.name.endsWith(".json")) continue;
      try {
        tasks.push(parseStoredTask(await Deno.readTextFile(file), entry.name.slice(0, -".json".length)));
      } catch (error) {
        problems.push({ file, message: error instanceof Error ? error.message : String(error) });
      }
    }
    tasks.sort((a, b) => a.spec.name.localeCompare(b.spec.name));
    return { tasks, problems };
  }
}

/** Parses a task file; its spec's name must match the file name. */
export function parseStoredTask(text: string, fileName: string): StoredTask {
  const body = JSON.parse(text) as Record<string, JsonValue>;
  if (body.version !== TASK_FILE_VERSION) throw new RangeError(`unsupported task file version ${body.version}`);
  const spec = fromJson(TaskSpecSchema, body.spec as JsonValue);
  if (spec.name !== fileName) throw new RangeError(`task name "${spec.name}" does not match the file name`);
  const desired = body.desired === "stopped" ? "stopped" : "running";
  const createdAtMs = Date.parse(String(body.created_at));
  return {
    spec,
    desired,
    state: String(body.state ?? "stopped") as TaskStateName,
    reason: String(body.reason ?? ""),
    createdAtMs: Number.isFinite(createdAtMs) ? createdAtMs : Date.now(),
  };
}
