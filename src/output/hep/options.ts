/**
 * Options of the HEP output, checked up front so a task spec with a typo fails when the task is created.
 *
 * @module
 */
import type { HepTransport } from "./collector.ts";

/** One collector as a task spec gives it: `"host:port"` (UDP), or an object. */
export type HepCollectorSpec = string | { host: string; port: number; transport?: HepTransport };

/** HEP output configuration. */
export interface HepOutputOptions {
  /** @default {"hep"} */
  name?: string;
  /** One or more collectors; a message goes to one of them (see collector_pick.ts). */
  collectors: HepCollectorSpec[];
  /** Transport of collectors that do not name one. @default {"udp"} */
  transport?: HepTransport;
  /** Chunk 12. @default {0} */
  captureId?: number;
  /** Chunk 14, when set. */
  authKey?: string;
  /** Chunk 19, when set. */
  nodeName?: string;
  /** Record types sent; others are skipped and counted. @default every type */
  types?: string[];
  /** Down time of a failed collector before it is tried again. @default {2000} */
  retryMs?: number;
  /** Bytes waiting per collector beyond which frames are dropped (counted). @default {8 MiB} */
  queueBytesMax?: number;
  /** How long `flush()`/`close()` wait for frames in flight. @default {5000} */
  flushTimeoutMs?: number;
  /** TLS collectors: trusted CA certificates (PEM text). */
  tlsCa?: string;
  /** TLS collectors: accept any certificate (tests only). @default {false} */
  tlsInsecure?: boolean;
}

/** A collector after parsing. */
export interface ResolvedCollector {
  host: string;
  port: number;
  transport: HepTransport;
}

/** Options with defaults filled in and collectors parsed. */
export interface ResolvedHepOptions {
  name: string;
  collectors: ResolvedCollector[];
  captureId: number;
  authKey?: string;
  nodeName?: string;
  types?: Set<string>;
  retryMs: number;
  queueBytesMax: number;
  flushTimeoutMs: number;
  tlsCa?: string;
  tlsInsecure: boolean;
}

const TRANSPORTS: readonly string[] = ["udp", "tcp", "tls"];

function parseCollector(spec: HepCollectorSpec, transport: HepTransport): ResolvedCollector {
  if (typeof spec === "string") {
    const match = /^(?:\[([0-9A-Fa-f:.]+)\]|([A-Za-z0-9._-]+)):(\d{1,5})$/.exec(spec);
    if (match === null) throw new TypeError(`Cannot parse HEP collector "${spec}": expected HOST:PORT or [IPv6]:PORT`);
    return checkPort({ host: match[1] ?? match[2], port: Number(match[3]), transport }, spec);
  }
  if (typeof spec !== "object" || spec === null || typeof spec.host !== "string" || spec.host === "") {
    throw new TypeError(`Cannot use HEP collector ${JSON.stringify(spec)}: expected {host, port, transport?}`);
  }
  const chosen = spec.transport ?? transport;
  if (!TRANSPORTS.includes(chosen)) throw new TypeError(`Cannot use HEP transport "${chosen}": use udp, tcp or tls`);
  return checkPort({ host: spec.host, port: spec.port, transport: chosen }, `${spec.host}:${spec.port}`);
}

function checkPort(collector: ResolvedCollector, text: string): ResolvedCollector {
  if (!Number.isInteger(collector.port) || collector.port < 1 || collector.port > 65535) {
    throw new RangeError(`Cannot use HEP collector "${text}": port must be 1..65535`);
  }
  return collector;
}

function positive(name: string, value: number | undefined, fallback: number): number {
  const chosen = value ?? fallback;
  if (typeof chosen !== "number" || !Number.isFinite(chosen) || chosen <= 0) {
    throw new RangeError(`Cannot use HEP option ${name} ${value}: expected a positive number`);
  }
  return chosen;
}

/** Checks and completes `options`. @throws {TypeError|RangeError} naming the bad option */
export function resolveHepOptions(options: HepOutputOptions): ResolvedHepOptions {
  const transport = options.transport ?? "udp";
  if (!TRANSPORTS.includes(transport)) {
    throw new TypeError(`Cannot use HEP transport "${transport}": use udp, tcp or tls`);
  }
  if (!Array.isArray(options.collectors) || options.collectors.length === 0) {
    throw new TypeError('Cannot create a HEP output without collectors: give collectors: ["host:9060"]');
  }
  const captureId = options.captureId ?? 0;
  if (!Number.isInteger(captureId) || captureId < 0 || captureId > 0xffffffff) {
    throw new RangeError(`Cannot use HEP captureId ${captureId}: expected an integer 0..4294967295`);
  }
  const resolved: ResolvedHepOptions = {
    name: options.name ?? "hep",
    collectors: options.collectors.map((spec) => parseCollector(spec, transport)),
    captureId,
    retryMs: positive("retryMs", options.retryMs, 2000),
    queueBytesMax: positive("queueBytesMax", options.queueBytesMax, 8 * 1024 * 1024),
    flushTimeoutMs: positive("flushTimeoutMs", options.flushTimeoutMs, 5000),
    tlsInsecure: options.tlsInsecure ?? false,
  };
  if (options.authKey !== undefined) resolved.authKey = options.authKey;
  if (options.nodeName !== undefined) resolved.nodeName = options.nodeName;
  if (options.types !== undefined) resolved.types = new Set(options.types);
  if (options.tlsCa !== undefined) resolved.tlsCa = options.tlsCa;
  return resolved;
}
