/**
 * Test helpers (not tests): the built `capture-agent daemon` in the receiver namespace of a veth pair, its CLI over
 * the unix socket, its /metrics over HTTP inside the namespace, and sipp calls across the veth.
 * @module
 */
import assert from "node:assert/strict";
import { AGENT, runAgent } from "../helpers/agent.ts";
import { type CommandResult, inNs, runOk, type VethPair } from "../helpers/netns.ts";

/** A daemon running in `pair.nsB` with its files in `dir`. */
export interface DaemonBed {
  pair: VethPair;
  dir: string;
  socket: string;
  metricsPort: number;
  child: Deno.ChildProcess;
  stderr(): string;
  /** SIGTERM, then SIGKILL after `timeoutMs`; resolves with the exit status and what it printed. */
  stop(timeoutMs?: number): Promise<CommandResult>;
}

/** The built daemon process, started by `spawnDaemon`. */
export interface RunningDaemon {
  child: Deno.ChildProcess;
  stderr(): string;
  /** Exit status and everything printed, after the process ends (SIGKILL after `timeoutMs`). */
  finished(timeoutMs?: number): Promise<CommandResult>;
}

/** Sends `signal` to `child` unless it has already exited. */
export function killQuietly(child: Deno.ChildProcess, signal: Deno.Signal): void {
  try {
    child.kill(signal);
  } catch { /* already exited */ }
}

/** The config's `daemon:` section up to its metrics: socket, pid file, data and logs all in `dir`. */
export function daemonSection(dir: string): string[] {
  return [
    "daemon:",
    `  unix_socket: ${dir}/agent.sock`,
    `  pid_file: ${dir}/agent.pid`,
    `  data_dir: ${dir}/data`,
    `  log_dir: ${dir}/log`,
    "  shutdown_timeout: 3s",
  ];
}

/** Writes `dir/config.yml` for a daemon keeping every file in `dir`; `globalLines` go under `global:`. */
export function writeDaemonConfig(dir: string, metricsPort: number, globalLines = ["log_level: info"]): string {
  const path = `${dir}/config.yml`;
  const lines = [
    "global:",
    ...globalLines.map((line) => `  ${line}`),
    ...daemonSection(dir),
    "  metrics:",
    "    enabled: true",
    `    listen: 127.0.0.1:${metricsPort}`,
    "capture:",
    "  snaplen: 4096",
    "  afpacket:",
    "    block_size: 256KiB",
    "    num_blocks: 4",
    "",
  ];
  Deno.writeTextFileSync(path, lines.join("\n"));
  return path;
}

/** Starts `capture-agent daemon -c config` in namespace `ns` and waits for "daemon ready" (15 s at most). */
export async function spawnDaemon(ns: string, config: string): Promise<RunningDaemon> {
  const full = inNs(ns, [AGENT, "daemon", "-c", config]);
  const child = new Deno.Command(full[0]!, { args: full.slice(1), stdout: "piped", stderr: "piped" }).spawn();
  let text = "";
  const stdout = new Response(child.stdout).text();
  const reading = (async () => {
    const decoder = new TextDecoder();
    for await (const chunk of child.stderr) text += decoder.decode(chunk, { stream: true });
  })();
  const done = child.status.then(async (status) => {
    await reading;
    return { code: status.code, stdout: await stdout, stderr: text };
  });
  const finished = async (timeoutMs = 10_000) => {
    const killer = setTimeout(() => killQuietly(child, "SIGKILL"), timeoutMs);
    try {
      return await done;
    } finally {
      clearTimeout(killer);
    }
  };
  const deadline = Date.now() + 15_000;
  while (!text.includes("daemon ready")) {
    const exited = await Promise.race([done.then(() => true), new Promise((r) => setTimeout(() => r(false), 50))]);
    if (exited || Date.now() > deadline) {
      killQuietly(child, "SIGKILL");
      throw new Error(`daemon did not start: ${(await finished()).stderr}`);
    }
  }
  return { child, stderr: () => text, finished };
}

/** Starts the daemon in `pair.nsB` with a config in `dir` and waits for "daemon ready" (15 s at most). */
export async function startDaemon(pair: VethPair, dir: string, metricsPort = 9091): Promise<DaemonBed> {
  const config = writeDaemonConfig(dir, metricsPort, ["log_level: info", "hostname: e2e-agent"]);
  const daemon = await spawnDaemon(pair.nsB, config);
  const stop = (timeoutMs = 10_000) => {
    killQuietly(daemon.child, "SIGTERM");
    return daemon.finished(timeoutMs);
  };
  return { pair, dir, socket: `${dir}/agent.sock`, metricsPort, child: daemon.child, stderr: daemon.stderr, stop };
}

/** Runs the CLI against the daemon listening on `bed.socket`. */
export function cli(bed: { socket: string }, args: string[]): Promise<CommandResult> {
  return runAgent([...args, "--socket", bed.socket]);
}

/** The daemon's /metrics text. */
export function scrape(bed: DaemonBed): Promise<string> {
  return runOk(inNs(bed.pair.nsB, ["curl", "-sf", `http://127.0.0.1:${bed.metricsPort}/metrics`]));
}

/** Sum of the samples of `name` whose labels contain every `labels` pair (0 when none). */
export function sample(metrics: string, name: string, labels: Record<string, string> = {}): number {
  let sum = 0;
  for (const line of metrics.split("\n")) {
    const match = /^([a-z_:]+)(\{[^}]*\})? (\S+)$/.exec(line);
    if (match?.[1] !== name) continue;
    const text = match[2] ?? "";
    if (Object.entries(labels).every(([key, value]) => text.includes(`${key}="${value}"`))) sum += Number(match[3]);
  }
  return sum;
}

/** Polls `check` every 200 ms until it returns true or `timeoutMs` passes; false on timeout. */
export async function waitFor(check: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return false;
}

/** `calls` sipp calls from A (built-in UAC) to B (built-in UAS) on port 5060, each held `pauseMs`. */
export async function sippCalls(pair: VethPair, calls: number, pauseMs = 200): Promise<void> {
  const uasCmd = inNs(pair.nsB, ["sipp", "-sn", "uas", "-i", pair.addrB, "-p", "5060", "-nostdin"]);
  const uas = new Deno.Command(uasCmd[0]!, { args: uasCmd.slice(1), stdin: "null", stdout: "null", stderr: "null" })
    .spawn();
  try {
    // The UAS needs a moment to bind before the first INVITE.
    await new Promise((resolve) => setTimeout(resolve, 400));
    const uacArgs = ["sipp", "-sn", "uac", `${pair.addrB}:5060`, "-i", pair.addrA, "-p", "5061", "-m", String(calls)];
    const uacCmd = inNs(pair.nsA, [...uacArgs, "-r", "10", "-d", String(pauseMs), "-nostdin", "-timeout", "20s"]);
    const uac = await new Deno.Command(uacCmd[0]!, {
      args: [...uacCmd.slice(1), "-timeout_error"],
      stdin: "null",
      stdout: "null",
      stderr: "piped",
    }).output();
    assert.equal(uac.code, 0, `sipp uac failed: ${new TextDecoder().decode(uac.stderr)}`);
  } finally {
    uas.kill("SIGKILL");
    await uas.status;
  }
}
