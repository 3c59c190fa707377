/**
 * The Connect implementations of AgentService and TaskService: thin adapters over `AgentControl` and
 * `TaskControl` that check required fields and turn refusals into Connect codes.
 * @module
 */
import { create } from "@bufbuild/protobuf";
import { Code, ConnectError, type ConnectRouter, type ServiceImpl } from "@connectrpc/connect";
import type { AgentControl } from "./agent_control.ts";
import { AgentService, ShutdownResponseSchema } from "./gen/capture_agent/v1/agent_pb.ts";
import {
  CreateTaskResponseSchema,
  DeleteTaskResponseSchema,
  GetTaskResponseSchema,
  GetTaskStatsResponseSchema,
  ListTasksResponseSchema,
  StartTaskResponseSchema,
  StopTaskResponseSchema,
  TaskService,
} from "./gen/capture_agent/v1/task_pb.ts";
import { type TaskControl, TaskControlError, type TaskControlErrorCode } from "./task_control.ts";
import { versionInfo } from "./version_info.ts";

const CODES: Record<TaskControlErrorCode, Code> = {
  not_found: Code.NotFound,
  already_exists: Code.AlreadyExists,
  invalid_argument: Code.InvalidArgument,
  failed_precondition: Code.FailedPrecondition,
  resource_exhausted: Code.ResourceExhausted,
  unavailable: Code.Unavailable,
};

/** Runs `call`, mapping `TaskControlError` to the matching `ConnectError`. */
async function mapped<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof TaskControlError) throw new ConnectError(error.message, CODES[error.code]);
    throw error;
  }
}

function requireName(name: string): string {
  if (name === "") throw new ConnectError("the task name is empty; pass the name of a task", Code.InvalidArgument);
  return name;
}

/** TaskService over `tasks`. */
export function taskService(tasks: TaskControl): ServiceImpl<typeof TaskService> {
  return {
    createTask: (req) =>
      mapped(async () => {
        if (req.spec === undefined) throw new TaskControlError("invalid_argument", "the request has no task spec");
        requireName(req.spec.name);
        const task = await tasks.create(req.spec, { start: !req.createStopped });
        return create(CreateTaskResponseSchema, { task });
      }),
    getTask: (req) =>
      mapped(async () => create(GetTaskResponseSchema, { task: await tasks.get(requireName(req.name)) })),
    listTasks: () => mapped(async () => create(ListTasksResponseSchema, { tasks: await tasks.list() })),
    startTask: (req) =>
      mapped(async () => create(StartTaskResponseSchema, { task: await tasks.start(requireName(req.name)) })),
    stopTask: (req) =>
      mapped(async () => create(StopTaskResponseSchema, { task: await tasks.stop(requireName(req.name)) })),
    deleteTask: (req) =>
      mapped(async () => {
        await tasks.delete(requireName(req.name));
        return create(DeleteTaskResponseSchema);
      }),
    getTaskStats: (req) =>
      mapped(async () => create(GetTaskStatsResponseSchema, { stats: await tasks.stats(requireName(req.name)) })),
    async *tail(req, context) {
      const filter = { types: req.types, contains: req.contains };
      const records = tasks.tail(requireName(req.name), filter, context.signal)[Symbol.asyncIterator]();
      try {
        while (true) {
          const next = await mapped(() => records.next());
          if (next.done) return;
          yield next.value;
        }
      } finally {
        await records.return?.();
      }
    },
  };
}

/** AgentService over `agent`. */
export function agentService(agent: AgentControl): ServiceImpl<typeof AgentService> {
  return {
    status: () => mapped(() => agent.status()),
    stats: () => mapped(() => agent.stats()),
    version: () => versionInfo(),
    reload: () => mapped(() => agent.reload()),
    shutdown: (req) => {
      const drainMs = req.drainTimeout === undefined
        ? 0
        : Number(req.drainTimeout.seconds) * 1000 + Math.floor(req.drainTimeout.nanos / 1e6);
      // After this call returns, so the response is on its way before the daemon starts closing.
      setTimeout(() => agent.shutdown(drainMs), 0);
      return create(ShutdownResponseSchema);
    },
  };
}

/** Registers both services on a Connect router. */
export function controlRoutes(agent: AgentControl, tasks: TaskControl): (router: ConnectRouter) => void {
  return (router) => {
    router.service(AgentService, agentService(agent));
    router.service(TaskService, taskService(tasks));
  };
}
