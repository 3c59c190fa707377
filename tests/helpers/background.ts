/**
 * Test helper (not a test): a long-running process in a namespace (the agent, sipp, kamailio) that the test starts,
 * waits for, and stops, with its output collected.
 * @module
 */
import type { CommandResult } from "./command.ts";
import { inNs } from "./netns.ts";

/** How `spawnBackground` starts and stops the process. */
export interface BackgroundOptions {
  /** Resolve once stderr contains this (at once when undefined). */
  readyText?: string;
  /** How long `readyText` may take before the process is killed and the start fails. */
  readyTimeoutMs?: number;
  /** How long `stop()` waits after SIGTERM before SIGKILL. */
  stopTimeoutMs?: number;
  /** Collect stdout (else it goes to /dev/null, for tools that write screens of progress). */
  stdout?: boolean;
}

/** A started process; `stop()` sends SIGTERM (SIGKILL after `stopTimeoutMs`) and returns what it printed. */
export interface Background {
  child: Deno.ChildProcess;
  stderr(): string;
  stop(): Promise<CommandResult>;
}

function killQuietly(child: Deno.ChildProcess, signal: Deno.Signal): void {
  try {
    child.kill(signal);
  } catch { /* already exited */ }
}

/** Spawns `cmd` in namespace `ns` and resolves once stderr contains `readyText`; throws when it does not start. */
export async function spawnBackground(ns: string, cmd: string[], options: BackgroundOptions = {}): Promise<Background> {
  const { readyText, readyTimeoutMs = 15_000, stopTimeoutMs = 10_000 } = options;
  const full = inNs(ns, cmd);
  const stdoutMode = options.stdout ? "piped" : "null";
  const child = new Deno.Command(full[0], { args: full.slice(1), stdin: "null", stdout: stdoutMode, stderr: "piped" })
    .spawn();
  const stdout = options.stdout ? new Response(child.stdout).text() : Promise.resolve("");
  let stderr = "";
  let markReady = () => {};
  const ready = new Promise<void>((resolve) => (markReady = resolve));
  const stderrDone = (async () => {
    const decoder = new TextDecoder();
    for await (const chunk of child.stderr) {
      stderr += decoder.decode(chunk, { stream: true });
      if (readyText !== undefined && stderr.includes(readyText)) markReady();
    }
  })();
  const stop = async (): Promise<CommandResult> => {
    killQuietly(child, "SIGTERM");
    const killer = setTimeout(() => killQuietly(child, "SIGKILL"), stopTimeoutMs);
    try {
      const status = await child.status;
      await stderrDone;
      return { code: status.code, stdout: await stdout, stderr };
    } finally {
      clearTimeout(killer);
    }
  };
  const background = { child, stderr: () => stderr, stop };
  if (readyText === undefined) return background;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const started = await Promise.race([
    ready.then(() => true),
    stderrDone.then(() => false),
    new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), readyTimeoutMs))),
  ]);
  clearTimeout(timer);
  if (!started) {
    killQuietly(child, "SIGKILL");
    const result = await stop();
    throw new Error(`${cmd[0]} did not start (exit ${result.code}): ${result.stderr}`);
  }
  return background;
}
