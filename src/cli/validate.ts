/**
 * `capture-agent validate [-c FILE] [--print]`: loads the config exactly as the daemon would (file, then
 * `CAPTURE_AGENT_*` environment) and reports every problem as `file:line:column key.path: message`.
 * Exit status: 0 valid, 2 invalid, 1 other errors.
 * @module
 */
import { Command } from "commander";
import { stringify } from "yaml";
import { DEFAULT_CONFIG_PATH } from "../config/defaults.ts";
import { ConfigError } from "../config/errors.ts";
import { loadConfig, processEnv } from "../config/load.ts";

/** Exit status of `validate` for a config with problems. */
export const EXIT_INVALID_CONFIG = 2;

/** Adds `validate` to `program`; `setExitCode` receives the command's exit status. */
export function registerValidateCommand(program: Command, setExitCode: (code: number) => void): void {
  program.command("validate")
    .description(
      `check a config file (default ${DEFAULT_CONFIG_PATH}) and the CAPTURE_AGENT_* environment; ` +
        `exit 0 when valid, ${EXIT_INVALID_CONFIG} when not`,
    )
    .option("-c, --config <file>", "config file to check")
    .option("--print", "print the effective configuration (defaults, file and environment merged) as YAML")
    .action(async (options: { config?: string; print?: boolean }) => {
      setExitCode(await runValidate(options));
    });
}

/** Runs `validate` and returns its exit status. */
export async function runValidate(options: { config?: string; print?: boolean }): Promise<number> {
  try {
    const loaded = await loadConfig({ path: options.config, env: processEnv() });
    if (options.print) console.log(stringify(loaded.config).trimEnd());
    else console.log(`${loaded.path || "(defaults)"}: valid`);
    return 0;
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    for (const line of error.message.split("\n")) console.error(`capture-agent: ${line}`);
    return EXIT_INVALID_CONFIG;
  }
}
