/**
 * Test helper (not a test): runs a command to completion and returns its exit code and decoded output.
 * @module
 */
/** A finished command: its exit code and its output as text. */
export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Where and how `runCommand` runs: `env` adds to the test's environment, `stdin` is written then closed. */
export interface RunOptions {
  env?: Record<string, string>;
  stdin?: string | Uint8Array;
  cwd?: string;
}

/** Runs `command` with `args` and collects its exit code, stdout and stderr; never throws on a non-zero exit. */
export async function runCommand(command: string, args: string[], options: RunOptions = {}): Promise<CommandResult> {
  const child = new Deno.Command(command, {
    args,
    cwd: options.cwd,
    env: options.env,
    stdin: options.stdin === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  if (options.stdin !== undefined) {
    const writer = child.stdin.getWriter();
    await writer.write(typeof options.stdin === "string" ? new TextEncoder().encode(options.stdin) : options.stdin);
    await writer.close();
  }
  const output = await child.output();
  const decoder = new TextDecoder();
  return { code: output.code, stdout: decoder.decode(output.stdout), stderr: decoder.decode(output.stderr) };
}
