/**
 * The metrics HTTP server on `daemon.metrics.listen`: `/metrics` (Prometheus text), `/healthz` (the process
 * answers) and `/readyz` (the daemon finished starting and is not shutting down).
 * @module
 */
import type { Registry } from "prom-client";
import { parseListen } from "../config/listen.ts";

/** A running metrics server. */
export interface MetricsServer {
  /** The bound port (useful with port 0). */
  readonly port: number;
  close(): Promise<void>;
}

/**
 * Serves `registry` on `listen` ("host:port", ":port").
 * @throws {RangeError} for a bad address; the listen error when the port is taken
 */
export function startMetricsServer(listen: string, registry: Registry, ready: () => boolean): MetricsServer {
  const address = parseListen(listen);
  if (!address.ok) throw new RangeError(`daemon.metrics.listen: ${address.message}`);
  const server = Deno.serve({
    hostname: address.value.host === "" ? "0.0.0.0" : address.value.host,
    port: address.value.port,
    onListen: () => {},
  }, async (request) => {
    const path = new URL(request.url).pathname;
    if (path === "/metrics") {
      return new Response(await registry.metrics(), { headers: { "content-type": registry.contentType } });
    }
    if (path === "/healthz") return new Response("ok\n");
    if (path === "/readyz") return ready() ? new Response("ready\n") : new Response("not ready\n", { status: 503 });
    return new Response("not found: try /metrics, /healthz or /readyz\n", { status: 404 });
  });
  return { port: server.addr.port, close: () => server.shutdown() };
}
