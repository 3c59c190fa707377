/**
 * Listen addresses as written in config: "host:port", ":port" (all interfaces), "[v6]:port".
 * @module
 */

/** A parsed listen address; `host` is "" for all interfaces. */
export interface ListenAddress {
  host: string;
  port: number;
}

/** Parses "host:port"; returns a message on failure. */
export function parseListen(input: string): { ok: true; value: ListenAddress } | { ok: false; message: string } {
  const match = /^(?:\[([0-9A-Fa-f:.]+)\]|([^:[\]\s]*)):(\d{1,5})$/.exec(input);
  const port = Number(match?.[3]);
  if (!match || port < 1 || port > 65535) {
    return { ok: false, message: `bad listen address "${input}": use "host:port", ":port" or "[::1]:port"` };
  }
  return { ok: true, value: { host: match[1] ?? match[2] ?? "", port } };
}

/** Whether `host` only accepts connections from this machine. */
export function isLoopbackHost(host: string): boolean {
  return host === "localhost" || host === "::1" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}
