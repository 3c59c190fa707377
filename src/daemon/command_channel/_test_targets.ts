/**
 * Test helpers (not used by production code): an in-memory TaskControl and AgentControl that record calls, and
 * fake Kafka consumer/producer for the channel.
 * @module
 */
import type { MessageBatch } from "../../output/kafka/message_batch.ts";
import { create } from "@bufbuild/protobuf";
import {
  ReloadResponseSchema,
  StatsResponseSchema,
  StatusResponseSchema,
} from "../../control/gen/capture_agent/v1/agent_pb.ts";
import {
  type Task,
  TaskSchema,
  type TaskSpec,
  TaskState,
  TaskStatsSchema,
} from "../../control/gen/capture_agent/v1/task_pb.ts";
import type { AgentControl } from "../../control/agent_control.ts";
import { type TaskControl, TaskControlError } from "../../control/task_control.ts";
import type { KafkaClient } from "../../output/kafka/client.ts";
import type { ConsumedMessage } from "../../output/kafka/consumer.ts";

/** Tasks in a map; `calls` lists every operation as "op name". */
export class MemoryTasks implements TaskControl {
  readonly tasks = new Map<string, Task>();
  readonly calls: string[] = [];

  create(spec: TaskSpec, options: { start: boolean }): Promise<Task> {
    this.calls.push(`create ${spec.name}`);
    if (this.tasks.has(spec.name)) {
      return Promise.reject(new TaskControlError("already_exists", `task "${spec.name}" already exists`));
    }
    const task = create(TaskSchema, { spec, state: options.start ? TaskState.RUNNING : TaskState.STOPPED });
    this.tasks.set(spec.name, task);
    return Promise.resolve(task);
  }

  get(name: string): Promise<Task> {
    const task = this.tasks.get(name);
    if (task === undefined) return Promise.reject(new TaskControlError("not_found", `task "${name}" does not exist`));
    return Promise.resolve(task);
  }

  list(): Promise<Task[]> {
    return Promise.resolve([...this.tasks.values()]);
  }

  async start(name: string): Promise<Task> {
    this.calls.push(`start ${name}`);
    const task = await this.get(name);
    task.state = TaskState.RUNNING;
    return task;
  }

  async stop(name: string): Promise<Task> {
    this.calls.push(`stop ${name}`);
    const task = await this.get(name);
    task.state = TaskState.STOPPED;
    return task;
  }

  async delete(name: string): Promise<void> {
    this.calls.push(`delete ${name}`);
    await this.get(name);
    this.tasks.delete(name);
  }

  async stats(name: string) {
    await this.get(name);
    return create(TaskStatsSchema, { name });
  }

  tail(): AsyncIterable<never> {
    throw new Error("not used");
  }
}

/** An agent whose shutdown and reload calls are counted. */
export function memoryAgent(): AgentControl & { shutdowns: number[]; reloads: number } {
  const agent = {
    shutdowns: [] as number[],
    reloads: 0,
    status: () => Promise.resolve(create(StatusResponseSchema, { version: "test", hostname: "node-1", ready: true })),
    stats: () => Promise.resolve(create(StatsResponseSchema, { packets: 5n })),
    reload: () => {
      agent.reloads++;
      return Promise.resolve(create(ReloadResponseSchema, { applied: ["global.log_level"] }));
    },
    shutdown: (drainMs: number) => void agent.shutdowns.push(drainMs),
  };
  return agent;
}

/** A consumed message whose commits are counted in `commits`. */
export function consumed(value: unknown, commits: { count: number }): ConsumedMessage {
  const text = typeof value === "string" ? value : JSON.stringify(value);
  return {
    key: null,
    value: new TextEncoder().encode(text),
    partition: 0,
    offset: 0n,
    timestampMs: Date.now(),
    commit: () => {
      commits.count++;
      return Promise.resolve();
    },
  };
}

/** A producer keeping what it was asked to send (as parsed JSON), failing while `failing` is set. */
export class MemoryProducer implements KafkaClient {
  readonly sent: { topic: string; key: string; value: Record<string, unknown> }[] = [];
  failing = false;
  closed = false;

  send(batch: MessageBatch): Promise<void> {
    const messages = batch.messages();
    if (this.failing) return Promise.reject(new Error("broker down"));
    for (const message of messages) {
      this.sent.push({
        topic: message.topic,
        key: new TextDecoder().decode(message.key ?? new Uint8Array()),
        value: JSON.parse(new TextDecoder().decode(message.value)),
      });
    }
    return Promise.resolve();
  }

  close(): Promise<void> {
    this.closed = true;
    return Promise.resolve();
  }
}
