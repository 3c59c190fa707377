/** Command-line front end: builds the commander program and runs it. */
import { Command, CommanderError } from "commander";
import { VERSION } from "../version.ts";
import { registerCaptureCommand } from "./capture.ts";
import { registerAnalyzeCommand } from "./analyze.ts";
import { versionLines } from "./version.ts";
import { registerValidateCommand } from "./validate.ts";
import { registerAgentCommands } from "./agent.ts";
import { registerDaemonCommand } from "./daemon.ts";
import { registerTaskCommands } from "./task.ts";

/**
 * Runs the CLI with `args` (without the program name) and returns the exit code.
 * Errors are reported as one line on stderr, never as a stack trace.
 */
export async function runCli(args: string[]): Promise<number> {
  let exitCode = 0;
  const program = new Command("capture-agent")
    .description("Network traffic capture agent")
    .version(VERSION, "-V, --version-short")
    .exitOverride()
    .configureOutput({
      // Commander's own errors ("error: unknown option '-x'") become one `capture-agent: ...` line.
      outputError: (text, write) => write(`capture-agent: ${text.replace(/^error: /, "").trim()}\n`),
    });
  program.command("version").description("print version information").action(() => {
    for (const line of versionLines()) console.log(line);
  });
  registerCaptureCommand(program, (code) => (exitCode = code));
  registerValidateCommand(program, (code) => (exitCode = code));
  registerDaemonCommand(program);
  registerTaskCommands(program, (code) => (exitCode = code));
  registerAgentCommands(program, (code) => (exitCode = code));
  registerAnalyzeCommand(program, (code) => (exitCode = code));
  try {
    await program.parseAsync(args, { from: "user" });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode;
    console.error(`capture-agent: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
}
