/**
 * The shape of the config file: each key's kind, limits and one-line description. Defaults live in
 * defaults.ts; docs/config.md is checked against both.
 * @module
 */

// The library checks the same limits at ring open; taking them from its generated ABI keeps one source.
import { Limits as RingLimits } from "../native/abi.ts";

/** What a key may hold. */
export type Field =
  | { kind: "string"; doc: string }
  | { kind: "bool"; doc: string }
  | { kind: "int"; min: number; max: number; doc: string }
  | { kind: "size"; min: number; max: number; doc: string }
  | { kind: "duration"; minMs: number; maxMs: number; doc: string }
  | { kind: "enum"; values: readonly string[]; doc: string }
  | { kind: "listen"; doc: string }
  | { kind: "mode"; doc: string }
  | { kind: "list"; item: Field; doc: string }
  | { kind: "map"; value: Field; doc: string }
  | { kind: "object"; fields: Record<string, Field> }
  | { kind: "tagged"; tag: string; variants: Record<string, Record<string, Field>>; doc: string };

const LEVELS = ["debug", "info", "warn", "error"] as const;
const str = (doc: string): Field => ({ kind: "string", doc });
const bool = (doc: string): Field => ({ kind: "bool", doc });
const int = (min: number, max: number, doc: string): Field => ({ kind: "int", min, max, doc });
const size = (min: number, max: number, doc: string): Field => ({ kind: "size", min, max, doc });
const duration = (minMs: number, maxMs: number, doc: string): Field => ({ kind: "duration", minMs, maxMs, doc });
const oneOf = (values: readonly string[], doc: string): Field => ({ kind: "enum", values, doc });
const strings = (doc: string): Field => ({ kind: "list", item: { kind: "string", doc: "" }, doc });
const object = (fields: Record<string, Field>): Field => ({ kind: "object", fields });

const APPENDER_COMMON: Record<string, Field> = {
  format: oneOf(["text", "json"], "line format"),
  level: oneOf(["", ...LEVELS], 'minimum level of this appender ("" = global.log_level)'),
};
const REMOTE_COMMON: Record<string, Field> = {
  ...APPENDER_COMMON,
  batch_size: int(1, 10_000, "lines per request"),
  flush_interval: duration(10, 60_000, "longest wait before a partial batch is sent"),
  queue_max: int(1, 1_000_000, "lines held while the sink is slow or down; beyond it the oldest are dropped"),
};

/** Fields of each `log.appenders[]` type. */
export const APPENDER_FIELDS: Record<string, Record<string, Field>> = {
  stderr: { ...APPENDER_COMMON },
  file: {
    ...APPENDER_COMMON,
    path: str("log file (required)"),
    max_size: size(4096, 2 ** 40, "size at which the file is rotated"),
    max_files: int(0, 1000, "rotated files kept"),
  },
  kafka: {
    ...REMOTE_COMMON,
    brokers: strings("bootstrap brokers, host:port (required)"),
    topic: str("topic (required)"),
  },
  loki: {
    ...REMOTE_COMMON,
    url: str("push URL base, e.g. http://loki:3100 (required)"),
    labels: { kind: "map", value: { kind: "string", doc: "" }, doc: "stream labels" },
    tenant_id: str("X-Scope-OrgID header; empty sends none"),
  },
};

/** The root of the config file. */
export const CONFIG_SCHEMA: Field = object({
  global: object({
    log_level: oneOf(LEVELS, "minimum level logged"),
    hostname: str('name matched by command targets ("" = system host name)'),
    labels: strings("extra names matched by command targets"),
  }),
  daemon: object({
    unix_socket: str("control API socket"),
    socket_mode: { kind: "mode", doc: 'socket permission bits, octal string ("0660")' },
    socket_group: str('group owning the socket ("" = the daemon\'s group)'),
    pid_file: str("pid file (stale files from dead processes are replaced)"),
    data_dir: str("persistent task definitions and spool"),
    log_dir: str("directory for file appenders with relative paths"),
    shutdown_timeout: duration(0, 600_000, "bound on draining outputs at stop"),
    metrics: object({
      enabled: bool("serve /metrics, /healthz and /readyz"),
      listen: { kind: "listen", doc: "metrics address, host:port or :port" },
    }),
  }),
  log: object({
    appenders: {
      kind: "tagged",
      tag: "type",
      variants: APPENDER_FIELDS,
      doc: "log sinks: stderr, file, kafka, loki (see below)",
    },
  }),
  command: object({
    channel: oneOf(["none", "kafka"], "where operator commands come from besides the API"),
    brokers: strings("Kafka bootstrap brokers (required when channel is kafka)"),
    consumer_topic: str("topic commands are read from"),
    consumer_group_id: str("consumer group"),
    response_topic: str("topic replies are written to, keyed by host name"),
    command_ttl: duration(1000, 86_400_000, "commands older than this are ignored"),
    hmac_secret_file: str('file with the shared HMAC secret ("" = unsigned commands accepted)'),
  }),
  capture: object({
    promiscuous: bool("put capture interfaces in promiscuous mode"),
    snaplen: size(64, 262_144, "bytes kept of each packet"),
    afpacket: object({
      block_size: size(
        RingLimits.block_bytes_min,
        RingLimits.block_bytes_max,
        "ring block size (multiple of 4KiB and of frame_size)",
      ),
      num_blocks: int(RingLimits.block_count_min, RingLimits.block_count_max, "blocks per ring"),
      frame_size: size(RingLimits.frame_bytes_min, 262_144, "frame slot size (multiple of 16)"),
      block_timeout: duration(1, 60_000, "time before a partly filled block is handed over"),
      fanout_type: oneOf(["hash", "lb", "cpu", "rollover", "random", "qm"], "PACKET_FANOUT mode across workers"),
    }),
  }),
  control: object({
    tcp: object({
      listen: { kind: "listen", doc: 'TCP address of the control API ("" = off)' },
      tls: object({
        cert: str("server certificate (PEM)"),
        key: str("server private key (PEM)"),
        ca: str("CA bundle; when set, clients must present a certificate it signed (mutual TLS)"),
      }),
      token_file: str("file holding the bearer token clients must send"),
      allow_insecure_loopback: bool("allow plaintext or unauthenticated TCP, on a loopback address only"),
    }),
  }),
});

/** One leaf key: its dotted path and field. Tagged lists appear once, as the list. */
export interface Leaf {
  path: string[];
  field: Field;
}

/** Every non-object key under `field`, depth first, in declaration order. */
export function leaves(field: Field = CONFIG_SCHEMA, path: string[] = []): Leaf[] {
  if (field.kind !== "object") return [{ path, field }];
  return Object.entries(field.fields).flatMap(([key, child]) => leaves(child, [...path, key]));
}
