/** Command-line front end: builds the commander program and runs it. */
import { Command, CommanderError } from "commander";
import { VERSION } from "../version.ts";

/**
 * Runs the CLI with `args` (without the program name) and returns the exit code.
 * Errors are reported as one line on stderr, never as a stack trace.
 */
export async function runCli(args: string[]): Promise<number> {
  const program = new Command("capture-agent")
    .description("Network traffic capture agent")
    .version(VERSION, "-V, --version-short")
    .exitOverride()
    .showHelpAfterError();
  program.command("version").description("print version information").action(() => {
    console.log(`capture-agent ${VERSION}`);
  });
  try {
    await program.parseAsync(args, { from: "user" });
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode;
    console.error(`capture-agent: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
}
