/**
 * The agent's configuration after loading: every key present, units resolved (sizes in bytes, durations in
 * milliseconds). Keys keep the config file's snake_case names so error paths and code read the same.
 * @module
 */

/** Log levels, least to most severe. */
export type LogLevel = "debug" | "info" | "warn" | "error";
/** Structured log line formats. */
export type LogFormat = "text" | "json";
/** PACKET_FANOUT modes. */
export type FanoutType = "hash" | "lb" | "cpu" | "rollover" | "random" | "qm";

/** Fields every log appender has. `level` "" inherits `global.log_level`. */
export interface AppenderBase {
  format: LogFormat;
  level: LogLevel | "";
}

/** Log lines on standard error. */
export interface StderrAppender extends AppenderBase {
  type: "stderr";
}

/** Log lines in a file rotated at `max_size` bytes, keeping `max_files` old files. */
export interface FileAppender extends AppenderBase {
  type: "file";
  path: string;
  max_size: number;
  max_files: number;
}

/** Fields of appenders that batch lines to a remote sink without ever blocking the agent. */
export interface RemoteAppenderBase extends AppenderBase {
  batch_size: number;
  /** Milliseconds. */
  flush_interval: number;
  /** Lines held while the sink is unreachable; older lines are dropped and counted beyond it. */
  queue_max: number;
}

/** Log lines produced to a Kafka topic. */
export interface KafkaAppender extends RemoteAppenderBase {
  type: "kafka";
  brokers: string[];
  topic: string;
}

/** Log lines pushed to Grafana Loki. */
export interface LokiAppender extends RemoteAppenderBase {
  type: "loki";
  url: string;
  labels: Record<string, string>;
  tenant_id: string;
}

/** One entry of `log.appenders`. */
export type Appender = StderrAppender | FileAppender | KafkaAppender | LokiAppender;

/** The whole configuration. */
export interface Config {
  global: {
    log_level: LogLevel;
    /** Name commands target; "" means the system host name. */
    hostname: string;
    labels: string[];
  };
  daemon: {
    unix_socket: string;
    /** Permission bits of the socket file. */
    socket_mode: number;
    /** Group owning the socket ("" keeps the daemon's group). */
    socket_group: string;
    pid_file: string;
    data_dir: string;
    log_dir: string;
    /** Milliseconds allowed for draining outputs on stop. */
    shutdown_timeout: number;
    metrics: { enabled: boolean; listen: string };
  };
  log: { appenders: Appender[] };
  command: {
    channel: "none" | "kafka";
    brokers: string[];
    consumer_topic: string;
    consumer_group_id: string;
    response_topic: string;
    /** Milliseconds after which a command is ignored as expired. */
    command_ttl: number;
    /** File holding the HMAC secret; "" accepts unsigned commands. */
    hmac_secret_file: string;
  };
  capture: {
    promiscuous: boolean;
    /** Bytes kept of each packet. */
    snaplen: number;
    afpacket: {
      /** Bytes per ring block. */
      block_size: number;
      num_blocks: number;
      /** Bytes per frame slot. */
      frame_size: number;
      /** Milliseconds before the kernel retires a partly filled block. */
      block_timeout: number;
      fanout_type: FanoutType;
    };
  };
  control: {
    tcp: {
      /** "" disables the TCP listener. */
      listen: string;
      tls: { cert: string; key: string; ca: string };
      token_file: string;
      allow_insecure_loopback: boolean;
    };
  };
}
