/**
 * Every configuration default, in one place. docs/config.md lists them (checked by config_test.ts).
 * @module
 */
import type { Appender, Config } from "./types.ts";

/** Where the agent looks for its config when `-c` is not given. */
export const DEFAULT_CONFIG_PATH = "/etc/capture-agent/config.yml";

/** Prefix of environment variables that override config keys (`CAPTURE_AGENT_DAEMON_UNIX_SOCKET`). */
export const ENV_PREFIX = "CAPTURE_AGENT_";

/** Environment variable naming the config file, used when `-c` is not given. */
export const ENV_CONFIG_PATH = "CAPTURE_AGENT_CONFIG";

/** Environment variable that, set to `0`, keeps SIP off the native parser (every message parsed in TypeScript). */
export const ENV_NATIVE_SIP = "CAPTURE_AGENT_NATIVE_SIP";

/** Defaults of the fields of each log appender type (required fields have "" or [] and are checked). */
export const APPENDER_DEFAULTS: { [K in Appender["type"]]: Extract<Appender, { type: K }> } = {
  stderr: { type: "stderr", format: "text", level: "" },
  file: { type: "file", format: "json", level: "", path: "", max_size: 100 * 1024 ** 2, max_files: 5 },
  kafka: {
    type: "kafka",
    format: "json",
    level: "",
    brokers: [],
    topic: "",
    batch_size: 100,
    flush_interval: 1000,
    queue_max: 10_000,
  },
  loki: {
    type: "loki",
    format: "json",
    level: "",
    url: "",
    labels: { job: "capture-agent" },
    tenant_id: "",
    batch_size: 100,
    flush_interval: 1000,
    queue_max: 10_000,
  },
};

/** The configuration used for every key a file and the environment leave out. */
export const DEFAULT_CONFIG: Config = {
  global: { log_level: "info", hostname: "", labels: [] },
  daemon: {
    unix_socket: "/run/capture-agent/capture-agent.sock",
    socket_mode: 0o660,
    socket_group: "",
    pid_file: "/run/capture-agent/capture-agent.pid",
    data_dir: "/var/lib/capture-agent",
    log_dir: "/var/log/capture-agent",
    shutdown_timeout: 10_000,
    metrics: { enabled: true, listen: ":9091" },
  },
  log: { appenders: [APPENDER_DEFAULTS.stderr] },
  command: {
    channel: "none",
    brokers: [],
    consumer_topic: "capture-agent-commands",
    consumer_group_id: "capture-agent",
    response_topic: "capture-agent-responses",
    command_ttl: 300_000,
    hmac_secret_file: "",
  },
  capture: {
    promiscuous: true,
    snaplen: 262_144,
    afpacket: { block_size: 1024 ** 2, num_blocks: 256, frame_size: 2048, block_timeout: 20, fanout_type: "hash" },
  },
  control: {
    tcp: { listen: "", tls: { cert: "", key: "", ca: "" }, token_file: "", allow_insecure_loopback: false },
  },
};
