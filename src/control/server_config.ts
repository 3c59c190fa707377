/**
 * Turns the `daemon` and `control` config sections into `startControlServer` options, reading the token and
 * PEM files. Errors name the config key whose file could not be read.
 * @module
 */
import { parseListen } from "../config/listen.ts";
import type { Config } from "../config/types.ts";
import type { AgentControl } from "./agent_control.ts";
import { readTokenFile } from "./auth.ts";
import type { ControlServerOptions, TcpOptions } from "./server.ts";
import type { TaskControl } from "./task_control.ts";

async function readKeyFile(key: string, path: string): Promise<string> {
  try {
    return key.endsWith("token_file") ? await readTokenFile(path) : await Deno.readTextFile(path);
  } catch (error) {
    throw new Error(`${key}: cannot read "${path}": ${error instanceof Error ? error.message : String(error)}`);
  }
}

async function tcpOptions(tcp: Config["control"]["tcp"]): Promise<TcpOptions | undefined> {
  if (tcp.listen === "") return undefined;
  const address = parseListen(tcp.listen);
  if (!address.ok) throw new Error(`control.tcp.listen: ${address.message}`);
  const options: TcpOptions = { ...address.value, allowInsecureLoopback: tcp.allow_insecure_loopback };
  if (tcp.tls.cert !== "") {
    options.tls = {
      cert: await readKeyFile("control.tcp.tls.cert", tcp.tls.cert),
      key: await readKeyFile("control.tcp.tls.key", tcp.tls.key),
      ca: tcp.tls.ca === "" ? undefined : await readKeyFile("control.tcp.tls.ca", tcp.tls.ca),
    };
  }
  if (tcp.token_file !== "") options.token = await readKeyFile("control.tcp.token_file", tcp.token_file);
  return options;
}

/** Server options for `config`, serving `agent` and `tasks`. */
export async function controlServerOptions(
  config: Config,
  agent: AgentControl,
  tasks: TaskControl,
): Promise<ControlServerOptions> {
  const { unix_socket, socket_mode, socket_group } = config.daemon;
  return {
    agent,
    tasks,
    unixSocket: { path: unix_socket, mode: socket_mode, group: socket_group },
    tcp: await tcpOptions(config.control.tcp),
  };
}
