/**
 * Runs the BUILT launcher `build/capture-agent` (made by `make build` or `scripts/bundle.sh`) for integration
 * tests, optionally inside a network namespace, and parses its exit lines.
 * @module
 */
import { type CommandResult, inNs, run } from "./netns.ts";

/** Absolute path of the built launcher. */
export const AGENT = new URL("../../build/capture-agent", import.meta.url).pathname;

/** Runs `capture-agent args...` to completion (inside `ns` when given). */
export function runAgent(args: string[], ns?: string): Promise<CommandResult> {
  const cmd = [AGENT, ...args];
  return run(ns === undefined ? cmd : inNs(ns, cmd));
}

/** tcpdump's three exit lines as numbers. */
export interface ExitCounts {
  captured: number;
  received: number;
  dropped: number;
}

/** Parses "N packets captured / received by filter / dropped by kernel" from stderr. */
export function exitCounts(stderr: string): ExitCounts {
  const count = (what: string): number => {
    const match = stderr.match(new RegExp(`^(\\d+) packets ${what}$`, "m"));
    if (!match) throw new Error(`no "packets ${what}" line in stderr:\n${stderr}`);
    return Number(match[1]);
  };
  return { captured: count("captured"), received: count("received by filter"), dropped: count("dropped by kernel") };
}

/** A capture running in the background. */
export interface RunningCapture {
  pid: number;
  /** Sends `signal` to the agent (the launcher execs deno, and `ip netns exec` execs the launcher). */
  kill(signal?: Deno.Signal): void;
  /** Waits for the exit (SIGKILL after `timeoutMs`, so a test cannot hang) and returns what it printed. */
  result(timeoutMs?: number): Promise<CommandResult>;
}

/**
 * Starts `capture-agent capture args...` in `ns` and resolves once it printed "listening on" (its ring is open),
 * so packets sent afterwards are captured. Rejects with the agent's output if it exits first.
 */
export async function startCapture(ns: string, args: string[], readyTimeoutMs = 15_000): Promise<RunningCapture> {
  const full = inNs(ns, [AGENT, "capture", ...args]);
  const child = new Deno.Command(full[0], { args: full.slice(1), stdin: "null", stdout: "piped", stderr: "piped" })
    .spawn();
  const stdout = new Response(child.stdout).text();
  let stderr = "";
  let markReady: () => void = () => {};
  const ready = new Promise<void>((resolve) => (markReady = resolve));
  const stderrDone = (async () => {
    const decoder = new TextDecoder();
    for await (const chunk of child.stderr) {
      stderr += decoder.decode(chunk, { stream: true });
      if (stderr.includes("listening on")) markReady();
    }
  })();
  const finished = (async () => {
    const status = await child.status;
    await stderrDone;
    return { code: status.code, stdout: await stdout, stderr };
  })();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<"timeout">((resolve) => (timer = setTimeout(() => resolve("timeout"), readyTimeoutMs)));
  const first = await Promise.race([ready.then(() => "ready" as const), finished, timeout]);
  clearTimeout(timer);
  if (first !== "ready") {
    if (first === "timeout") child.kill("SIGKILL");
    const output = await finished;
    throw new Error(`capture did not start (exit ${output.code}): ${output.stderr}${output.stdout}`);
  }
  const result = async (timeoutMs = 20_000) => {
    const killer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    try {
      return await finished;
    } finally {
      clearTimeout(killer);
    }
  };
  return { pid: child.pid, kill: (signal = "SIGINT") => child.kill(signal), result };
}

/** Reads a pcap/pcapng file with tshark: one entry per frame with its raw bytes (hex) and selected fields. */
export async function tsharkFrames(path: string, fields: string[] = []): Promise<{ hex: string; fields: string[] }[]> {
  const raw = await run([
    "tshark",
    "-r",
    path,
    "-T",
    "fields",
    "-e",
    "frame.number",
    ...fields.flatMap((f) => ["-e", f]),
  ]);
  if (raw.code !== 0) throw new Error(`tshark failed: ${raw.stderr}`);
  const hexDump = await run(["tshark", "-r", path, "-T", "json", "-x"]);
  if (hexDump.code !== 0) throw new Error(`tshark -x failed: ${hexDump.stderr}`);
  const packets = JSON.parse(hexDump.stdout) as { _source: { layers: { frame_raw: [string] } } }[];
  const lines = raw.stdout.split("\n").filter((line) => line.length > 0);
  return packets.map((packet, k) => ({
    hex: packet._source.layers.frame_raw[0],
    fields: (lines[k] ?? "").split("\t").slice(1),
  }));
}
