/**
 * `capture-agent daemon [-c FILE]`: runs the agent in the foreground until SIGTERM/SIGINT or the Shutdown RPC.
 * @module
 */
import type { Command } from "commander";
import { DEFAULT_CONFIG_PATH } from "../config/defaults.ts";
import { runDaemon } from "../daemon/daemon.ts";

/** Adds `daemon` to `program`; the process exits with the daemon's status when it stops. */
export function registerDaemonCommand(program: Command): void {
  program.command("daemon")
    .description("run the agent in the foreground (systemd, Kubernetes); SIGTERM/SIGINT stop it, SIGHUP reloads")
    .option("-c, --config <file>", `config file (default ${DEFAULT_CONFIG_PATH}, or $CAPTURE_AGENT_CONFIG)`)
    .action(async (options: { config?: string }) => {
      const code = await runDaemon({ configPath: options.config });
      // Library handles (HTTP/2 sessions, timers of closed outputs) must not keep a stopped daemon alive.
      Deno.exit(code);
    });
}
