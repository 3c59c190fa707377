/**
 * Clients of a running agent's control API: over the local unix socket (default) or a remote TCP server
 * (`--server https://host:port`) with a bearer token and/or client certificate, in any of the three wire
 * protocols. Call `close()` when done: HTTP/2 sessions stay open otherwise.
 * @module
 */
import * as net from "node:net";
import * as tls from "node:tls";
import { type Client, createClient, type Interceptor, type Transport } from "@connectrpc/connect";
import {
  createConnectTransport,
  createGrpcTransport,
  createGrpcWebTransport,
  Http2SessionManager,
} from "@connectrpc/connect-node";
import { AgentService } from "../control/gen/capture_agent/v1/agent_pb.ts";
import { TaskService } from "../control/gen/capture_agent/v1/task_pb.ts";

/** Longest wait in `close()` for failed TLS sockets to finish closing. */
const CLOSE_WAIT_MS = 500;

/** Wire protocol spoken to the agent. */
export type AgentProtocol = "connect" | "grpc" | "grpc-web";

/** Where and how to reach the agent. Exactly one of `socket` and `server`. */
export interface AgentClientOptions {
  /** Path of the agent's unix socket. */
  socket?: string;
  /** Base URL of a TCP listener, `https://host:port` (or `http://` for an insecure loopback listener). */
  server?: string;
  token?: string;
  /** PEM contents: CA that signed the server's certificate, and the client's certificate and key (mTLS). */
  ca?: string;
  cert?: string;
  key?: string;
  /** @default "connect" */
  protocol?: AgentProtocol;
  /** HTTP/1.1 works for Connect and gRPC-Web only. @default "2" */
  httpVersion?: "1.1" | "2";
  /** Deadline of each unary call. @default 10000 */
  timeoutMs?: number;
}

/** Clients of both services sharing one connection. */
export interface AgentClients {
  agent: Client<typeof AgentService>;
  tasks: Client<typeof TaskService>;
  transport: Transport;
  /** Closes the HTTP/2 session. */
  close(): Promise<void>;
}

function tokenInterceptor(token: string): Interceptor {
  return (next) => (request) => {
    request.header.set("authorization", `Bearer ${token}`);
    return next(request);
  };
}

function endpoint(options: AgentClientOptions): { baseUrl: string; tls: boolean } {
  if ((options.socket === undefined) === (options.server === undefined)) {
    throw new RangeError("Cannot reach the agent: give either a socket path or a server URL");
  }
  if (options.socket !== undefined) return { baseUrl: "http://localhost", tls: false };
  const url = new URL(options.server!);
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw new RangeError(`Cannot use server URL "${options.server}": use https://host:port`);
  }
  return { baseUrl: url.origin, tls: url.protocol === "https:" };
}

/**
 * A TLS connection for HTTP/2 whose late errors (a server's "certificate required" alert arrives after the
 * handshake under TLS 1.3) cannot escape as uncaught: the HTTP/2 session reports them to the call instead.
 */
function tlsConnect(
  url: URL,
  options: { ca?: string; cert?: string; key?: string },
  failed: Set<Promise<void>>,
): tls.TLSSocket {
  const host = url.hostname.replace(/^\[|\]$/g, "");
  const socket = tls.connect({
    ...options,
    host,
    port: Number(url.port || 443),
    servername: net.isIP(host) ? undefined : host,
    ALPNProtocols: ["h2"],
  });
  socket.on("error", () => {
    // Deno reads once more from a TLS socket torn down right after an alert and throws that read's error
    // uncaught; close() lets such a socket finish closing on its own before aborting the session.
    failed.add(new Promise((resolve) => socket.once("close", () => setTimeout(resolve, 10))));
  });
  return socket;
}

/** A transport to the agent as `options` describe. */
export function createAgentTransport(options: AgentClientOptions): { transport: Transport; close(): Promise<void> } {
  const { baseUrl, tls } = endpoint(options);
  const socket = options.socket;
  const interceptors = options.token ? [tokenInterceptor(options.token)] : [];
  const protocol = options.protocol ?? "connect";
  const common = { baseUrl, interceptors, defaultTimeoutMs: options.timeoutMs ?? 10_000 };
  const tlsOptions = tls ? { ca: options.ca, cert: options.cert, key: options.key } : {};
  if ((options.httpVersion ?? "2") === "1.1") {
    if (protocol === "grpc") throw new RangeError("Cannot speak gRPC over HTTP/1.1");
    const nodeOptions = socket !== undefined ? { socketPath: socket } : tlsOptions;
    const create = protocol === "connect" ? createConnectTransport : createGrpcWebTransport;
    return { transport: create({ ...common, httpVersion: "1.1", nodeOptions }), close: () => Promise.resolve() };
  }
  const failed = new Set<Promise<void>>();
  const nodeOptions = socket !== undefined
    ? { createConnection: () => net.connect(socket) }
    : tls
    ? { ...tlsOptions, createConnection: (url: URL) => tlsConnect(url, tlsOptions, failed) }
    : {};
  const sessionManager = new Http2SessionManager(baseUrl, {}, nodeOptions);
  const create = protocol === "connect"
    ? createConnectTransport
    : protocol === "grpc"
    ? createGrpcTransport
    : createGrpcWebTransport;
  const transport = create({ ...common, httpVersion: "2", sessionManager, nodeOptions });
  const close = async () => {
    await Promise.race([Promise.all(failed), new Promise((resolve) => setTimeout(resolve, CLOSE_WAIT_MS))]);
    sessionManager.abort();
  };
  return { transport, close };
}

/** Clients of AgentService and TaskService. */
export function createAgentClients(options: AgentClientOptions): AgentClients {
  const { transport, close } = createAgentTransport(options);
  return {
    agent: createClient(AgentService, transport),
    tasks: createClient(TaskService, transport),
    transport,
    close,
  };
}
