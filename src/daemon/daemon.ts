/**
 * `capture-agent daemon`: a foreground process for systemd and Kubernetes. Start order: config → logs → pid file
 * check → data dir and task store → control socket (never taken from a live agent) → pid file → metrics → persisted
 * tasks. SIGTERM/SIGINT (or the Shutdown RPC) stop gracefully: not ready, control closed, tasks stopped with outputs
 * drained within `daemon.shutdown_timeout`, socket and pid file removed, exit 0. SIGHUP reloads the config.
 * @module
 */
import { create } from "@bufbuild/protobuf";
import { dirname } from "node:path";
import { hostname } from "node:os";
import { ConfigError } from "../config/errors.ts";
import { loadConfig, processEnv } from "../config/load.ts";
import type { Config } from "../config/types.ts";
import type { AgentControl } from "../control/agent_control.ts";
import { ReloadResponseSchema } from "../control/gen/capture_agent/v1/agent_pb.ts";
import { type ControlServer, startControlServer } from "../control/server.ts";
import { controlServerOptions } from "../control/server_config.ts";
import { TaskControlError } from "../control/task_control.ts";
import { createMetricsRegistry } from "../metrics/registry.ts";
import { type MetricsServer, startMetricsServer } from "../metrics/server.ts";
import { TaskManager } from "../tasks/manager.ts";
import { TaskStore } from "../tasks/store.ts";
import { type AgentFacts, agentStats, agentStatus } from "./agent_status.ts";
import type { CommandChannel } from "./command_channel/channel.ts";
import { createCommandChannel } from "./command_channel/start.ts";
import { Logger } from "./logger.ts";
import { checkPidFile, removePidFile, writePidFile } from "./pid_file.ts";
import { planReload } from "./reload.ts";

/** Exit status when the config is invalid (as `validate`). */
export const EXIT_CONFIG = 2;
/** Exit status when the daemon cannot start (socket or pid file owned by a live agent, no permission). */
export const EXIT_START = 1;

/** A started daemon; `finished` resolves with the exit status once it has stopped. */
interface Running {
  config: Config;
  configPath: string;
  logger: Logger;
  manager: TaskManager;
  control: ControlServer | null;
  metrics: MetricsServer | null;
  commands: CommandChannel | null;
  facts: { startedAtMs: number; ready: boolean; hostname: string };
  stop: (drainTimeoutMs: number) => void;
  stopped: Promise<number>;
}

/** Runs the daemon until it is stopped; returns the exit status. */
export async function runDaemon(options: { configPath?: string }): Promise<number> {
  let loaded;
  try {
    loaded = await loadConfig({ path: options.configPath, env: processEnv() });
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    for (const line of error.message.split("\n")) console.error(`capture-agent: ${line}`);
    return EXIT_CONFIG;
  }
  const config = loaded.config;
  const { logger, problems } = Logger.fromConfig(config.global.log_level, config.log.appenders, {
    hostname: config.global.hostname || hostname(),
  });
  for (const problem of problems) logger.warn(problem);
  const daemon = config.daemon;
  try {
    checkPidFile(daemon.pid_file);
    for (const dir of [daemon.data_dir, daemon.log_dir, dirname(daemon.unix_socket), dirname(daemon.pid_file)]) {
      await Deno.mkdir(dir, { recursive: true, mode: 0o750 });
    }
  } catch (error) {
    logger.error("cannot start", { reason: (error as Error).message });
    return EXIT_START;
  }
  const running = await start(config, loaded.path, logger).catch((error: Error) => {
    logger.error("cannot start", { reason: error.message });
    return null;
  });
  if (running === null) return EXIT_START;
  const removeSignals = handleSignals(running);
  const code = await running.stopped;
  removeSignals();
  return code;
}

async function start(config: Config, configPath: string, logger: Logger): Promise<Running> {
  const manager = new TaskManager({ config, store: new TaskStore(config.daemon.data_dir), log: logger });
  let stopRequested: (drainTimeoutMs: number) => void = () => {};
  const stopAsked = new Promise<number>((resolve) => (stopRequested = resolve));
  const running: Running = {
    config,
    configPath,
    logger,
    manager,
    control: null,
    metrics: null,
    commands: null,
    facts: { startedAtMs: Date.now(), ready: false, hostname: config.global.hostname || hostname() },
    stop: (drainTimeoutMs) => stopRequested(drainTimeoutMs),
    stopped: stopAsked.then((drainTimeoutMs) => shutdown(running, drainTimeoutMs)),
  };
  // Before anything is opened: an unreadable HMAC secret file fails the start with nothing left behind.
  running.commands = await createCommandChannel(config, running.facts.hostname, {
    tasks: manager,
    agent: agentControl(running),
  }, logger);
  running.control = await startControlServer(await controlServerOptions(config, agentControl(running), manager));
  try {
    writePidFile(config.daemon.pid_file);
    if (config.daemon.metrics.enabled) {
      const registry = createMetricsRegistry({
        tasks: () => manager.entries(),
        logLinesLost: () => logger.lostLines,
        startedAtMs: running.facts.startedAtMs,
        commandStats: () => running.commands?.stats as Readonly<Record<string, number>> | undefined,
      });
      running.metrics = startMetricsServer(config.daemon.metrics.listen, registry, () => running.facts.ready);
    }
    const restored = await manager.restore();
    running.commands?.start();
    running.facts.ready = true;
    logger.info("daemon ready", {
      pid: Deno.pid,
      socket: config.daemon.unix_socket,
      metrics: running.metrics ? config.daemon.metrics.listen : "off",
      tasks: restored,
    });
  } catch (error) {
    await running.control.close();
    removePidFile(config.daemon.pid_file);
    throw error;
  }
  return running;
}

function facts(running: Running): AgentFacts {
  return {
    ...running.facts,
    configPath: running.configPath,
    unixSocket: running.config.daemon.unix_socket,
    tcpListen: running.config.control.tcp.listen,
    tasks: running.manager.entries(),
  };
}

function agentControl(running: Running): AgentControl {
  return {
    status: () => Promise.resolve(agentStatus(facts(running))),
    stats: () => Promise.resolve(agentStats(facts(running))),
    reload: () => reload(running),
    shutdown: (drainTimeoutMs) => running.stop(drainTimeoutMs),
  };
}

async function reload(running: Running) {
  let next: Config;
  try {
    next = (await loadConfig({ path: running.configPath || undefined, env: processEnv() })).config;
  } catch (error) {
    if (error instanceof ConfigError) throw new TaskControlError("invalid_argument", error.message);
    throw error;
  }
  const plan = planReload(running.config, next);
  if (plan.applied.includes("global.log_level")) running.logger.level = next.global.log_level;
  running.config = { ...running.config, global: { ...running.config.global, log_level: next.global.log_level } };
  running.logger.info("config reloaded", { applied: plan.applied, restart_required: plan.restartRequired });
  return create(ReloadResponseSchema, { applied: plan.applied, restartRequired: plan.restartRequired });
}

async function shutdown(running: Running, drainTimeoutMs: number): Promise<number> {
  const { logger, config } = running;
  running.facts.ready = false;
  const boundMs = drainTimeoutMs > 0 ? drainTimeoutMs : config.daemon.shutdown_timeout;
  logger.info("shutting down", { drain_timeout_ms: boundMs });
  await running.commands?.close(2000);
  const tasksStopped = running.manager.shutdown();
  // Tasks drain their outputs within the bound each; the extra second covers closing sockets and files.
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<"timeout">((resolve) => (timer = setTimeout(() => resolve("timeout"), boundMs + 1000)));
  const outcome = await Promise.race([tasksStopped.then(() => "done" as const), deadline]);
  clearTimeout(timer);
  if (outcome === "timeout") logger.warn("tasks did not stop within the bound; exiting anyway");
  await running.control?.close(1000);
  await running.metrics?.close();
  removePidFile(config.daemon.pid_file);
  logger.info("stopped");
  await logger.flushAndClose(2000);
  return 0;
}

function handleSignals(running: Running): () => void {
  const stop = () => running.stop(0);
  const hup = () => {
    reload(running).catch((error) => running.logger.error("reload failed", { reason: String(error.message) }));
  };
  const added: [Deno.Signal, () => void][] = [["SIGTERM", stop], ["SIGINT", stop], ["SIGHUP", hup]];
  for (const [signal, handler] of added) Deno.addSignalListener(signal, handler);
  return () => {
    for (const [signal, handler] of added) Deno.removeSignalListener(signal, handler);
  };
}
