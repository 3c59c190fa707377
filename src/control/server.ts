/**
 * The control API server: AgentService and TaskService over Connect, gRPC and gRPC-Web, on the unix socket
 * (HTTP/1.1 and h2c) and optionally on TCP (TLS with ALPN h2/http1.1, optional mutual TLS and bearer token).
 * node:http2 with connectNodeAdapter, because Deno.serve cannot send the trailers gRPC needs.
 * @module
 */
import * as http2 from "node:http2";
import type * as net from "node:net";
import type * as tls from "node:tls";
import { createContextValues, type Interceptor } from "@connectrpc/connect";
import { connectNodeAdapter } from "@connectrpc/connect-node";
import { isLoopbackHost } from "../config/listen.ts";
import type { AgentControl } from "./agent_control.ts";
import { bearerInterceptor, kPeer } from "./auth.ts";
import { createCleartextServer, type NodeHandler } from "./cleartext.ts";
import { controlRoutes } from "./services.ts";
import type { TaskControl } from "./task_control.ts";
import { claimSocketPath, setSocketAccess } from "./unix_socket.ts";

/** TCP listener settings; PEM contents, not paths. */
export interface TcpOptions {
  host: string;
  /** 0 picks a free port (see `ControlServer.tcpPort`). */
  port: number;
  tls?: { cert: string; key: string; ca?: string };
  token?: string;
  /** Permits plaintext or unauthenticated TCP when `host` is a loopback address. */
  allowInsecureLoopback?: boolean;
}

/** What `startControlServer` serves and where. */
export interface ControlServerOptions {
  agent: AgentControl;
  tasks: TaskControl;
  unixSocket?: { path: string; mode: number; group: string };
  tcp?: TcpOptions;
}

/** A running control server. */
export interface ControlServer {
  /** The bound TCP port, when TCP is on. */
  readonly tcpPort?: number;
  /** Stops accepting, lets calls finish for up to `graceMs`, then cuts the rest and removes the socket file. */
  close(graceMs?: number): Promise<void>;
}

interface Listener {
  server: net.Server;
  sockets: Set<net.Socket>;
}

function track(server: net.Server): Listener {
  const sockets = new Set<net.Socket>();
  server.on("connection", (socket: net.Socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
  });
  return { server, sockets };
}

function listen(server: net.Server, where: { path: string } | { host: string; port: number }): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    const onListening = () => {
      server.off("error", reject);
      resolve();
    };
    if ("path" in where) server.listen(where.path, onListening);
    else server.listen(where.port, where.host === "" ? undefined : where.host, onListening);
  });
}

/** Refuses TCP settings that would expose the API without TLS and authentication. */
export function checkTcpSecurity(tcp: TcpOptions): void {
  const authenticated = Boolean(tcp.tls?.ca) || Boolean(tcp.token);
  if (tcp.tls !== undefined && authenticated) return;
  if (tcp.allowInsecureLoopback && isLoopbackHost(tcp.host)) return;
  const missing = tcp.tls === undefined ? "TLS" : "client authentication (CA or token)";
  throw new RangeError(
    `Refusing the control API on TCP ${tcp.host || "*"}:${tcp.port} without ${missing}; ` +
      "configure control.tcp.tls and a token or CA, or allow_insecure_loopback on a loopback address",
  );
}

function tcpServer(tcp: TcpOptions, agent: AgentControl, tasks: TaskControl): net.Server {
  const interceptors: Interceptor[] = tcp.token ? [bearerInterceptor(tcp.token)] : [];
  const routes = controlRoutes(agent, tasks);
  if (tcp.tls === undefined) {
    const contextValues = () => createContextValues().set(kPeer, "loopback");
    return createCleartextServer(connectNodeAdapter({ routes, interceptors, contextValues }) as NodeHandler);
  }
  const contextValues = (request: { socket: unknown }) => {
    const cn = (request.socket as tls.TLSSocket).getPeerCertificate?.()?.subject?.CN;
    return createContextValues().set(kPeer, cn ? `cn=${cn}` : tcp.token ? "token" : "tls");
  };
  const mutual = Boolean(tcp.tls.ca);
  return http2.createSecureServer(
    {
      cert: tcp.tls.cert,
      key: tcp.tls.key,
      ca: tcp.tls.ca || undefined,
      requestCert: mutual,
      rejectUnauthorized: mutual,
      allowHTTP1: true,
    },
    connectNodeAdapter({ routes, interceptors, contextValues }),
  );
}

async function closeListener(listener: Listener, graceMs: number): Promise<void> {
  const closed = new Promise<void>((resolve) => listener.server.close(() => resolve()));
  const deadline = Date.now() + graceMs;
  while (listener.sockets.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  for (const socket of listener.sockets) socket.destroy();
  await closed;
}

/**
 * Starts the listeners. The unix socket refuses to replace a live agent's socket.
 * @throws when a socket is in use, TCP settings are insecure, or a listener cannot bind
 */
export async function startControlServer(options: ControlServerOptions): Promise<ControlServer> {
  const listeners: Listener[] = [];
  const { agent, tasks, unixSocket, tcp } = options;
  let tcpPort: number | undefined;
  try {
    if (unixSocket !== undefined) {
      await claimSocketPath(unixSocket.path);
      const contextValues = () => createContextValues().set(kPeer, "unix");
      const routes = controlRoutes(agent, tasks);
      const listener = track(createCleartextServer(connectNodeAdapter({ routes, contextValues }) as NodeHandler));
      await listen(listener.server, { path: unixSocket.path });
      listeners.push(listener);
      await setSocketAccess(unixSocket.path, unixSocket.mode, unixSocket.group);
    }
    if (tcp !== undefined) {
      checkTcpSecurity(tcp);
      const listener = track(tcpServer(tcp, agent, tasks));
      await listen(listener.server, tcp);
      listeners.push(listener);
      tcpPort = (listener.server.address() as net.AddressInfo).port;
    }
  } catch (error) {
    await Promise.all(listeners.map((listener) => closeListener(listener, 0)));
    throw error;
  }
  return {
    tcpPort,
    async close(graceMs = 0) {
      await Promise.all(listeners.map((listener) => closeListener(listener, graceMs)));
      if (unixSocket !== undefined) await Deno.remove(unixSocket.path).catch(() => {});
    },
  };
}
