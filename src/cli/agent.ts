/**
 * `capture-agent status | stats | reload | shutdown`, and what every command that talks to a running agent shares:
 * the connection options (`-c`, `--socket`, `--server` with `--token`/`--cert`/`--key`/`--ca`), `--format`, and
 * exit codes that say what went wrong.
 * @module
 */
import { type Command, Option } from "commander";
import { Code, ConnectError } from "@connectrpc/connect";
import { durationFromMs } from "@bufbuild/protobuf/wkt";
import { loadConfig, processEnv } from "../config/load.ts";
import { type AgentClients, createAgentClients } from "./agent_client.ts";

/** Exit codes of the agent commands (docs/tasks.md). */
export const ExitCode = {
  OK: 0,
  /** Anything else: internal errors, bad configuration of the client. */
  ERROR: 1,
  /** The request was refused as invalid (bad name, spec, filter, interface). */
  INVALID: 2,
  NOT_FOUND: 3,
  ALREADY_EXISTS: 4,
  /** The agent cannot be reached (not running, wrong socket, TLS or token refused). */
  UNAVAILABLE: 5,
  /** The request is valid but cannot be done now (missing capability, state). */
  REFUSED: 6,
} as const;

/** Options every agent command accepts. */
export interface ConnectFlags {
  config?: string;
  socket?: string;
  server?: string;
  token?: string;
  tokenFile?: string;
  cert?: string;
  key?: string;
  ca?: string;
  format: "table" | "json";
}

/** Adds the connection and format options to `command`. */
export function addConnectOptions(command: Command): Command {
  return command
    .option("-c, --config <file>", "agent config file (finds the socket); default /etc/capture-agent/config.yml")
    .option("--socket <path>", "agent unix socket (overrides the config)")
    .option("--server <url>", "remote agent, https://host:port")
    .option("--token <token>", "bearer token for --server")
    .option("--token-file <file>", "file holding the bearer token")
    .option("--cert <file>", "client certificate (PEM) for mutual TLS")
    .option("--key <file>", "client key (PEM) for mutual TLS")
    .option("--ca <file>", "CA certificate (PEM) that signed the server's certificate")
    .addOption(new Option("--format <format>", "output format").choices(["table", "json"]).default("table"));
}

/** Clients for the agent the flags point at. */
export async function connect(flags: ConnectFlags): Promise<AgentClients> {
  const read = (path?: string) => (path === undefined ? undefined : Deno.readTextFile(path));
  if (flags.server !== undefined) {
    const token = flags.token ?? (await read(flags.tokenFile))?.trim();
    return createAgentClients({
      server: flags.server,
      token,
      cert: await read(flags.cert),
      key: await read(flags.key),
      ca: await read(flags.ca),
    });
  }
  const socket = flags.socket ??
    (await loadConfig({ path: flags.config, env: processEnv() })).config.daemon.unix_socket;
  return createAgentClients({ socket });
}

const EXIT_BY_CODE: Partial<Record<Code, number>> = {
  [Code.InvalidArgument]: ExitCode.INVALID,
  [Code.NotFound]: ExitCode.NOT_FOUND,
  [Code.AlreadyExists]: ExitCode.ALREADY_EXISTS,
  [Code.Unavailable]: ExitCode.UNAVAILABLE,
  [Code.Unauthenticated]: ExitCode.UNAVAILABLE,
  [Code.DeadlineExceeded]: ExitCode.UNAVAILABLE,
  [Code.FailedPrecondition]: ExitCode.REFUSED,
  [Code.ResourceExhausted]: ExitCode.REFUSED,
};

/** Prints an error as one line and returns its exit code. */
export function reportError(error: unknown): number {
  if (error instanceof ConnectError) {
    // The node transport reports a missing or dead socket as "internal" with the errno in the message.
    const unreachable = /connect (ENOENT|ECONNREFUSED|EACCES)/.test(error.rawMessage);
    const hint = unreachable ? " (is the daemon running? see --socket / -c)" : "";
    console.error(`capture-agent: ${error.rawMessage}${hint}`);
    return unreachable ? ExitCode.UNAVAILABLE : EXIT_BY_CODE[error.code] ?? ExitCode.ERROR;
  }
  console.error(`capture-agent: ${error instanceof Error ? error.message : String(error)}`);
  return ExitCode.ERROR;
}

/** Runs `body` with clients, closing them after; returns the exit code. */
export async function withAgent(flags: ConnectFlags, body: (clients: AgentClients) => Promise<void>): Promise<number> {
  let clients: AgentClients | undefined;
  try {
    clients = await connect(flags);
    await body(clients);
    return ExitCode.OK;
  } catch (error) {
    return reportError(error);
  } finally {
    await clients?.close();
  }
}

/** JSON text of a message-like value (bigints as numbers when safe). */
export function toJsonText(value: unknown): string {
  return JSON.stringify(
    value,
    (key, field) => (key === "$typeName" ? undefined : typeof field === "bigint" ? Number(field) : field),
    2,
  );
}

/** Prints `key: value` lines aligned. */
export function printFields(fields: [string, unknown][]): void {
  const width = Math.max(...fields.map(([key]) => key.length));
  for (const [key, value] of fields) console.log(`${`${key}:`.padEnd(width + 2)}${value}`);
}

/** Adds status, stats, reload and shutdown to `program`. */
export function registerAgentCommands(program: Command, setExitCode: (code: number) => void): void {
  addConnectOptions(program.command("status").description("show whether the agent is ready, and its tasks"))
    .action(async (flags: ConnectFlags) => {
      setExitCode(
        await withAgent(flags, async ({ agent }) => {
          const status = await agent.status({});
          if (flags.format === "json") return console.log(toJsonText(status));
          const states = Object.entries(status.tasksByState).map(([state, n]) => `${n} ${state}`).join(", ");
          printFields([
            ["version", status.version],
            ["host", status.hostname],
            ["pid", status.pid],
            ["ready", status.ready],
            ["uptime", `${Number(status.uptime?.seconds ?? 0n)}s`],
            ["config", status.configPath || "(defaults)"],
            ["socket", status.unixSocket],
            ["tasks", `${status.tasksTotal}${states ? ` (${states})` : ""}`],
          ]);
        }),
      );
    });
  addConnectOptions(program.command("stats").description("show the agent's counters summed over all tasks"))
    .action(async (flags: ConnectFlags) => {
      setExitCode(
        await withAgent(flags, async ({ agent }) => {
          const stats = await agent.stats({});
          if (flags.format === "json") return console.log(toJsonText(stats));
          const { $typeName: _, uptime: __, ...fields } = stats;
          printFields(Object.entries(fields).map(([key, value]) => [key, String(value)]));
        }),
      );
    });
  addConnectOptions(program.command("reload").description("re-read the config file (as SIGHUP)"))
    .action(async (flags: ConnectFlags) => {
      setExitCode(
        await withAgent(flags, async ({ agent }) => {
          const result = await agent.reload({});
          if (flags.format === "json") return console.log(toJsonText(result));
          console.log(`applied: ${result.applied.join(", ") || "(nothing)"}`);
          if (result.restartRequired.length > 0) console.log(`restart required: ${result.restartRequired.join(", ")}`);
        }),
      );
    });
  addConnectOptions(program.command("shutdown").description("stop every task, drain outputs and exit the agent"))
    .option("--drain-timeout <ms>", "bound on draining outputs in milliseconds (default: the config's)", Number)
    .action(async (flags: ConnectFlags & { drainTimeout?: number }) => {
      setExitCode(
        await withAgent(flags, async ({ agent }) => {
          const drain = flags.drainTimeout ? durationFromMs(flags.drainTimeout) : undefined;
          await agent.shutdown({ drainTimeout: drain });
          console.log("agent is shutting down");
        }),
      );
    });
}
