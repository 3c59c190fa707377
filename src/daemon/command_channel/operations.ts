/**
 * What each channel command does: the same operations as the Connect API (TaskControl, AgentControl), with the
 * reference agent's command names, payload keys (`task_id`, `config`) and result fields, plus fuller detail under
 * extra keys (`task`, `stats`). Results are plain JSON; refusals are `CommandError`s with Connect code names.
 * @module
 */
import { toJson } from "@bufbuild/protobuf";
import type { AgentControl } from "../../control/agent_control.ts";
import { StatsResponseSchema, StatusResponseSchema } from "../../control/gen/capture_agent/v1/agent_pb.ts";
import { type Task, TaskSchema, TaskState, TaskStatsSchema } from "../../control/gen/capture_agent/v1/task_pb.ts";
import { type TaskControl, TaskControlError } from "../../control/task_control.ts";
import { taskSpecFromObject } from "../../tasks/spec.ts";

/** Every command the channel knows. */
export const COMMAND_NAMES = [
  "task_create",
  "task_delete",
  "task_list",
  "task_status",
  "task_stop",
  "task_start",
  "config_reload",
  "daemon_status",
  "daemon_stats",
  "daemon_shutdown",
] as const;

/** A refused command; `code` is a Connect code name ("not_found", "invalid_argument", ...). */
export class CommandError extends Error {
  readonly code: string;

  constructor(code: string, message: string) {
    super(message);
    this.name = "CommandError";
    this.code = code;
  }
}

/** What commands act on. */
export interface CommandTargets {
  tasks: TaskControl;
  agent: AgentControl;
  /** daemon_shutdown is refused unless this is true (the daemon allows it only for signed commands). */
  shutdownAllowed: boolean;
  /** The channel's own counters, added to daemon_stats. */
  channelStats?: () => Record<string, number>;
}

/** A command's result, and what to do once the reply is on its way (shutdown starts after answering). */
export interface CommandOutcome {
  result: Record<string, unknown>;
  after?: () => void;
}

// Field names as in task files and the config; zero values kept so replies always have the same keys.
const JSON_OPTIONS = { useProtoFieldName: true, alwaysEmitImplicit: true } as const;

function stateName(state: TaskState): string {
  return (TaskState[state] ?? "unspecified").toLowerCase();
}

function taskJson(task: Task): unknown {
  return toJson(TaskSchema, task, JSON_OPTIONS);
}

function taskIdOf(payload: Record<string, unknown>): string {
  const id = payload.task_id ?? payload.name;
  if (typeof id !== "string" || id === "") throw new CommandError("invalid_argument", "payload needs a task_id");
  return id;
}

async function createTask(tasks: TaskControl, payload: Record<string, unknown>): Promise<CommandOutcome> {
  const definition = payload.config ?? payload.task;
  if (definition === undefined) throw new CommandError("invalid_argument", "payload needs config (a task definition)");
  let spec;
  try {
    spec = taskSpecFromObject(definition, "payload.config");
  } catch (error) {
    throw new CommandError("invalid_argument", (error as Error).message);
  }
  const task = await tasks.create(spec, { start: payload.start !== false });
  return {
    result: {
      task_id: task.spec?.name ?? spec.name,
      status: "created",
      state: stateName(task.state),
      task: taskJson(task),
    },
  };
}

async function taskStatus(tasks: TaskControl, payload: Record<string, unknown>): Promise<CommandOutcome> {
  if (payload.task_id === undefined && payload.name === undefined) {
    const states: Record<string, string> = {};
    for (const task of await tasks.list()) states[task.spec?.name ?? ""] = stateName(task.state);
    return { result: { tasks: states } };
  }
  const id = taskIdOf(payload);
  const task = await tasks.get(id);
  const stats = toJson(TaskStatsSchema, await tasks.stats(id), JSON_OPTIONS);
  return { result: { task_id: id, status: stateName(task.state), reason: task.reason, task: taskJson(task), stats } };
}

async function taskList(tasks: TaskControl): Promise<CommandOutcome> {
  const list = await tasks.list();
  const states: Record<string, string> = {};
  for (const task of list) states[task.spec?.name ?? ""] = stateName(task.state);
  return { result: { tasks: Object.keys(states), count: list.length, states } };
}

async function daemonStatus(targets: CommandTargets): Promise<CommandOutcome> {
  const status = await targets.agent.status();
  const names = (await targets.tasks.list()).map((task) => task.spec?.name ?? "");
  const uptimeSec = Number(status.uptime?.seconds ?? 0n);
  const fields = toJson(StatusResponseSchema, status, JSON_OPTIONS) as Record<string, unknown>;
  return { result: { ...fields, uptime_sec: uptimeSec, tasks: names, task_count: names.length } };
}

async function daemonStats(targets: CommandTargets): Promise<CommandOutcome> {
  const fields = toJson(StatsResponseSchema, await targets.agent.stats(), JSON_OPTIONS) as Record<string, unknown>;
  const tasks: Record<string, { state: string }> = {};
  for (const task of await targets.tasks.list()) tasks[task.spec?.name ?? ""] = { state: stateName(task.state) };
  return { result: { ...fields, tasks, command_channel: targets.channelStats?.() ?? {} } };
}

function daemonShutdown(targets: CommandTargets, payload: Record<string, unknown>): CommandOutcome {
  if (!targets.shutdownAllowed) {
    throw new CommandError("permission_denied", "daemon_shutdown needs signed commands (set command.hmac_secret_file)");
  }
  const drainMs = typeof payload.drain_timeout_ms === "number" ? Math.max(0, payload.drain_timeout_ms) : 0;
  return { result: { status: "shutting_down" }, after: () => targets.agent.shutdown(drainMs) };
}

async function dispatch(command: string, payload: Record<string, unknown>, targets: CommandTargets) {
  const { tasks, agent } = targets;
  switch (command) {
    case "task_create":
      return await createTask(tasks, payload);
    case "task_delete": {
      const id = taskIdOf(payload);
      await tasks.delete(id);
      return { result: { task_id: id, status: "deleted" } };
    }
    case "task_list":
      return await taskList(tasks);
    case "task_status":
      return await taskStatus(tasks, payload);
    case "task_stop":
    case "task_start": {
      const id = taskIdOf(payload);
      const task = command === "task_stop" ? await tasks.stop(id) : await tasks.start(id);
      return { result: { task_id: id, status: stateName(task.state), reason: task.reason } };
    }
    case "config_reload": {
      const reloaded = await agent.reload();
      return { result: { status: "reloaded", applied: reloaded.applied, restart_required: reloaded.restartRequired } };
    }
    case "daemon_status":
      return await daemonStatus(targets);
    case "daemon_stats":
      return await daemonStats(targets);
    case "daemon_shutdown":
      return daemonShutdown(targets, payload);
  }
  throw new CommandError("unimplemented", `command "${command}" is unknown; known: ${COMMAND_NAMES.join(", ")}`);
}

/** Runs `command`; throws `CommandError` only (other failures become code "internal"). */
export async function runCommand(
  command: string,
  payload: Record<string, unknown>,
  targets: CommandTargets,
): Promise<CommandOutcome> {
  try {
    return await dispatch(command, payload, targets);
  } catch (error) {
    if (error instanceof CommandError) throw error;
    if (error instanceof TaskControlError) throw new CommandError(error.code, error.message);
    throw new CommandError("internal", error instanceof Error ? error.message : String(error));
  }
}
