/**
 * capture-agent entry point: argv → the command in `cli/`. Nothing else lives here.
 * @module
 */
import { runCli } from "./cli/cli.ts";

if (import.meta.main) {
  Deno.exitCode = await runCli(Deno.args);
}
