/**
 * Checks that span several keys (required appender fields, ring geometry, TCP security), after defaults,
 * file and environment are merged. Each problem points at the most specific key that was written down.
 * @module
 */
import { Limits as RingLimits } from "../native/abi.ts";
import type { ConfigIssue, ConfigSource } from "./errors.ts";
import { isLoopbackHost, parseListen } from "./listen.ts";
import type { Config } from "./types.ts";

type Report = (path: string, message: string) => void;

/** The source of `path` or of its nearest written ancestor, else the file itself. */
export function nearestSource(positions: Map<string, ConfigSource>, path: string, file: string): ConfigSource {
  for (let probe = path; probe !== ""; probe = probe.replace(/(\.[^.[\]]+|\[\d+\])$/, "")) {
    const source = positions.get(probe);
    if (source !== undefined) return source;
    if (!/[.[]/.test(probe)) break;
  }
  return { kind: "file-only", file };
}

function checkAppenders(config: Config, report: Report): void {
  config.log.appenders.forEach((appender, index) => {
    const at = `log.appenders[${index}]`;
    if (appender.type === "file" && appender.path === "") report(`${at}.path`, "a file appender needs a path");
    if (appender.type === "kafka") {
      if (appender.brokers.length === 0) report(`${at}.brokers`, "a kafka appender needs at least one broker");
      if (appender.topic === "") report(`${at}.topic`, "a kafka appender needs a topic");
    }
    if (appender.type === "loki" && !/^https?:\/\/./.test(appender.url)) {
      report(`${at}.url`, `a loki appender needs an http(s) URL, got "${appender.url}"`);
    }
  });
}

function checkRing(config: Config, report: Report): void {
  const ring = config.capture.afpacket;
  if (ring.frame_size % 16 !== 0) report("capture.afpacket.frame_size", `${ring.frame_size} is not a multiple of 16`);
  if (ring.block_size % 4096 !== 0 || ring.block_size % ring.frame_size !== 0) {
    report(
      "capture.afpacket.block_size",
      `${ring.block_size} must be a multiple of 4096 and of frame_size (${ring.frame_size})`,
    );
  }
  if (ring.block_size * ring.num_blocks > RingLimits.ring_bytes_max) {
    report(
      "capture.afpacket.num_blocks",
      `block_size × num_blocks = ${
        ring.block_size * ring.num_blocks
      } bytes exceeds the ${RingLimits.ring_bytes_max} byte ring limit`,
    );
  }
}

function checkTcp(config: Config, report: Report): void {
  const tcp = config.control.tcp;
  if (tcp.listen === "") return;
  const host = parseListen(tcp.listen);
  const loopback = host.ok && isLoopbackHost(host.value.host);
  const hasTls = tcp.tls.cert !== "" || tcp.tls.key !== "";
  if (hasTls && (tcp.tls.cert === "" || tcp.tls.key === "")) {
    report("control.tcp.tls", "set both cert and key");
  }
  if (tcp.tls.ca !== "" && !hasTls) report("control.tcp.tls.ca", "mutual TLS needs the server's cert and key too");
  const authenticated = tcp.tls.ca !== "" || tcp.token_file !== "";
  if ((!hasTls || !authenticated) && !(tcp.allow_insecure_loopback && loopback)) {
    const missing = !hasTls ? "TLS (tls.cert, tls.key)" : "authentication (tls.ca or token_file)";
    report(
      "control.tcp.listen",
      `TCP without ${missing} is refused; set allow_insecure_loopback: true and a loopback address to allow it`,
    );
  }
}

/** Runs every cross-key check and appends the problems to `issues`. */
export function checkConfig(
  config: Config,
  positions: Map<string, ConfigSource>,
  file: string,
  issues: ConfigIssue[],
): void {
  const report: Report = (path, message) =>
    issues.push({ source: nearestSource(positions, path, file), path, message });
  checkAppenders(config, report);
  checkRing(config, report);
  checkTcp(config, report);
  if (config.command.channel === "kafka" && config.command.brokers.length === 0) {
    report("command.brokers", "the kafka command channel needs at least one broker");
  }
}
