/**
 * `capture-agent task create|list|status|start|stop|delete|tail`: drives the running agent's tasks. A task comes
 * from flags (`--name --interface --filter --protocol --output ...`) or a task file (`-f task.yaml`, every option
 * of docs/tasks.md); flags given with `-f` override the file's values.
 * @module
 */
import type { Command } from "commander";
import { create } from "@bufbuild/protobuf";
import { durationFromMs } from "@bufbuild/protobuf/wkt";
import { parseDurationMs, parseSize } from "../config/units.ts";
import {
  OutputSpecSchema,
  type Task,
  TaskLimitsSchema,
  type TaskSpec,
  TaskSpecSchema,
  TaskState,
  type TaskStats,
} from "../control/gen/capture_agent/v1/task_pb.ts";
import { parseTaskFile } from "../tasks/spec.ts";
import { addConnectOptions, type ConnectFlags, printFields, toJsonText, withAgent } from "./agent.ts";

/** Flags of `task create`. */
export interface CreateFlags extends ConnectFlags {
  file?: string;
  name?: string;
  interface: string[];
  interfaceRegex?: string;
  filter?: string;
  protocol: string[];
  snaplen?: number;
  workers?: number;
  output: string[];
  duration?: string;
  packets?: number;
  bytes?: string;
  maxPps?: number;
  stopped?: boolean;
}

const collect = (value: string, previous: string[]) => [...previous, ...value.split(",").filter((v) => v !== "")];

/** The spec `task create` sends: the file's (if any) with the flags applied over it. */
export async function specFromFlags(flags: CreateFlags): Promise<TaskSpec> {
  const spec = flags.file === undefined
    ? create(TaskSpecSchema, {})
    : parseTaskFile(await Deno.readTextFile(flags.file), flags.file);
  if (flags.name !== undefined) spec.name = flags.name;
  if (flags.interface.length > 0) spec.interfaces = flags.interface;
  if (flags.interfaceRegex !== undefined) spec.interfaceRegex = flags.interfaceRegex;
  if (flags.filter !== undefined) spec.filter = flags.filter;
  if (flags.protocol.length > 0) spec.protocols = flags.protocol;
  if (flags.snaplen !== undefined) spec.snaplen = flags.snaplen;
  if (flags.workers !== undefined) spec.workers = flags.workers;
  if (flags.output.length > 0) spec.outputs = flags.output.map((url) => create(OutputSpecSchema, { url }));
  const limits = spec.limits ?? create(TaskLimitsSchema, {});
  if (flags.duration !== undefined) {
    const parsed = parseDurationMs(flags.duration);
    if (!parsed.ok) throw new RangeError(`--duration: ${parsed.message}`);
    limits.duration = durationFromMs(parsed.value);
  }
  if (flags.packets !== undefined) limits.packets = BigInt(flags.packets);
  if (flags.bytes !== undefined) {
    const parsed = parseSize(flags.bytes);
    if (!parsed.ok) throw new RangeError(`--bytes: ${parsed.message}`);
    limits.bytes = BigInt(parsed.value);
  }
  if (flags.maxPps !== undefined) limits.maxPps = BigInt(flags.maxPps);
  spec.limits = limits;
  if (spec.name === "") throw new RangeError("give the task a name: --name NAME (or name: in the task file)");
  return spec;
}

/** Lower-case state name of the API enum. */
export function stateName(state: TaskState): string {
  return TaskState[state]?.toLowerCase() ?? "unknown";
}

function sum(values: Iterable<bigint>): bigint {
  let total = 0n;
  for (const value of values) total += value;
  return total;
}

function printTable(rows: string[][]): void {
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  for (const row of rows) console.log(row.map((cell, i) => cell.padEnd(widths[i]!)).join("  ").trimEnd());
}

function taskRow(task: Task, stats: TaskStats | undefined): string[] {
  const spec = task.spec!;
  return [
    spec.name,
    stateName(task.state),
    spec.interfaceRegex !== "" ? `/${spec.interfaceRegex}/` : spec.interfaces.join(","),
    String(sum((stats?.interfaces ?? []).map((i) => i.packets))),
    String(sum(Object.values(stats?.records ?? {}))),
    spec.outputs.map((o) => o.url).join(",") || "-",
    task.reason,
  ];
}

function printTask(task: Task, stats: TaskStats): void {
  const spec = task.spec!;
  printFields([
    ["name", spec.name],
    ["state", stateName(task.state) + (task.reason ? ` (${task.reason})` : "")],
    ["interfaces", spec.interfaceRegex !== "" ? `/${spec.interfaceRegex}/` : spec.interfaces.join(", ")],
    ["filter", spec.filter || "(none)"],
    ["protocols", spec.protocols.join(", ") || "(all)"],
    ["outputs", spec.outputs.map((o) => o.url).join(", ") || "(none)"],
    ["uptime", stats.uptime ? `${Number(stats.uptime.seconds)}s` : "-"],
  ]);
  for (const i of stats.interfaces) {
    console.log(`  ${i.name}: ${i.packets} packets, ${i.bytes} bytes, ${i.kernelDrops} kernel drops`);
  }
  for (const [type, count] of Object.entries(stats.records)) console.log(`  records ${type}: ${count}`);
  for (const [reason, count] of Object.entries(stats.decodeErrors)) console.log(`  decode errors ${reason}: ${count}`);
  for (const o of stats.outputs) {
    const latency = o.ackLatencyP99Ms > 0
      ? `, capture-to-ack p50 ${o.ackLatencyP50Ms.toFixed(1)} ms p99 ${o.ackLatencyP99Ms.toFixed(1)} ms`
      : "";
    console.log(
      `  output ${o.url}: ${o.sent} sent, ${o.failed} failed, ${o.spooled} spooled, queue ${o.queueDepth}${latency}`,
    );
  }
}

function addCreate(task: Command, setExitCode: (code: number) => void): void {
  addConnectOptions(
    task.command("create").description("create and start a task (checked at once: interfaces, filter, outputs)"),
  )
    .option("-f, --file <file>", "task file (YAML or JSON, see docs/tasks.md)")
    .option("--name <name>", "task name: 1-64 of A-Z a-z 0-9 . _ -")
    .option("-i, --interface <name>", "interface to capture on (repeatable)", collect, [])
    .option("--interface-regex <regex>", "capture on every interface whose name matches")
    .option("--filter <expr>", "tcpdump filter expression")
    .option("--protocol <name>", "protocol to decode: sip, call, rtp, rtcp, dns, http (repeatable)", collect, [])
    .option("--snaplen <bytes>", "bytes kept per packet", Number)
    .option("--workers <n>", "fanout sockets per interface", Number)
    .option(
      "-o, --output <url>",
      "jsonl:PATH, pcap:DIR, kafka://BROKER/TOPIC, hep://HOST:PORT, console (repeatable)",
      collect,
      [],
    )
    .option("--duration <time>", "complete after this long, e.g. 10m")
    .option("--packets <n>", "complete after this many packets", Number)
    .option("--bytes <size>", "complete after this many bytes, e.g. 1GiB")
    .option("--max-pps <n>", "process at most this many packets per second", Number)
    .option("--stopped", "create without starting")
    .action(async (flags: CreateFlags) => {
      setExitCode(
        await withAgent(flags, async ({ tasks }) => {
          const spec = await specFromFlags(flags);
          const { task } = await tasks.createTask({ spec, createStopped: flags.stopped ?? false });
          if (flags.format === "json") return console.log(toJsonText(task));
          console.log(`task ${task!.spec!.name} created (${stateName(task!.state)})`);
        }),
      );
    });
}

function addSimple(task: Command, setExitCode: (code: number) => void): void {
  const verbs = [["start", "resume a stopped, failed or completed task"], ["stop", "stop a task, keeping it"]] as const;
  for (const [verb, description] of verbs) {
    addConnectOptions(task.command(`${verb} <name>`).description(description))
      .action(async (name: string, flags: ConnectFlags) => {
        setExitCode(
          await withAgent(flags, async ({ tasks }) => {
            const { task: result } = verb === "start"
              ? await tasks.startTask({ name })
              : await tasks.stopTask({ name });
            if (flags.format === "json") return console.log(toJsonText(result));
            console.log(`task ${name} ${stateName(result!.state)}${result!.reason ? ` (${result!.reason})` : ""}`);
          }),
        );
      });
  }
  addConnectOptions(task.command("delete <name>").description("stop a task if needed and remove it"))
    .action(async (name: string, flags: ConnectFlags) => {
      setExitCode(
        await withAgent(flags, async ({ tasks }) => {
          await tasks.deleteTask({ name });
          if (flags.format === "json") return console.log(toJsonText({ name, deleted: true }));
          console.log(`task ${name} deleted`);
        }),
      );
    });
}

function addViews(task: Command, setExitCode: (code: number) => void): void {
  addConnectOptions(task.command("list").description("list tasks with their state and counters"))
    .action(async (flags: ConnectFlags) => {
      setExitCode(
        await withAgent(flags, async ({ tasks }) => {
          const list = (await tasks.listTasks({})).tasks;
          const stats = await Promise.all(
            list.map((t) => tasks.getTaskStats({ name: t.spec!.name }).then((r) => r.stats)),
          );
          if (flags.format === "json") {
            return console.log(toJsonText(list.map((t, i) => ({ task: t, stats: stats[i] }))));
          }
          if (list.length === 0) return console.log("no tasks");
          printTable([
            ["NAME", "STATE", "INTERFACES", "PACKETS", "RECORDS", "OUTPUTS", "REASON"],
            ...list.map((t, i) => taskRow(t, stats[i])),
          ]);
        }),
      );
    });
  addConnectOptions(task.command("status <name>").description("show a task's definition, state and statistics"))
    .action(async (name: string, flags: ConnectFlags) => {
      setExitCode(
        await withAgent(flags, async ({ tasks }) => {
          const { task: found } = await tasks.getTask({ name });
          const { stats } = await tasks.getTaskStats({ name });
          if (flags.format === "json") return console.log(toJsonText({ task: found, stats }));
          printTask(found!, stats!);
        }),
      );
    });
}

const COLOURS: Record<string, string> = { sip: "\x1b[36m", call: "\x1b[35m", dns: "\x1b[33m", http: "\x1b[32m" };

function addTail(task: Command, setExitCode: (code: number) => void): void {
  addConnectOptions(task.command("tail <name>").description("print a task's records as they come, until Ctrl-C"))
    .option("--type <type>", "record type to keep (repeatable)", collect, [])
    .option("--contains <text>", "keep records whose summary contains this text", "")
    .action(async (name: string, flags: ConnectFlags & { type: string[]; contains: string }) => {
      const abort = new AbortController();
      const onInt = () => abort.abort();
      Deno.addSignalListener("SIGINT", onInt);
      const colour = Deno.stdout.isTerminal() && !Deno.noColor;
      try {
        setExitCode(
          await withAgent(flags, async ({ tasks }) => {
            const stream = tasks.tail({ name, types: flags.type, contains: flags.contains }, { signal: abort.signal });
            try {
              for await (const item of stream) {
                if (flags.format === "json") console.log(JSON.stringify(item.record));
                else {
                  const time = new Date(Number(item.time?.seconds ?? 0n) * 1000).toISOString().slice(11, 19);
                  const type = colour ? `${COLOURS[item.type] ?? "\x1b[1m"}${item.type}\x1b[0m` : item.type;
                  console.log(`${time} ${type} ${item.summary}`);
                }
              }
            } catch (error) {
              if (!abort.signal.aborted) throw error;
            }
          }),
        );
      } finally {
        Deno.removeSignalListener("SIGINT", onInt);
      }
    });
}

/** Adds `task` and its subcommands to `program`. */
export function registerTaskCommands(program: Command, setExitCode: (code: number) => void): void {
  const task = program.command("task").description("create, list, inspect, start, stop, delete and tail tasks");
  addCreate(task, setExitCode);
  addViews(task, setExitCode);
  addSimple(task, setExitCode);
  addTail(task, setExitCode);
}
