/**
 * Loads the agent's configuration: defaults, then the YAML file, then `CAPTURE_AGENT_*` environment variables,
 * then cross-key checks. Every problem is reported at once as a `ConfigError`.
 * @module
 */
import { LineCounter, parseDocument } from "yaml";
import { checkConfig } from "./check.ts";
import { APPENDER_DEFAULTS, DEFAULT_CONFIG, DEFAULT_CONFIG_PATH, ENV_CONFIG_PATH } from "./defaults.ts";
import { applyEnv } from "./env.ts";
import { ConfigError, type ConfigIssue, type ConfigSource } from "./errors.ts";
import { CONFIG_SCHEMA } from "./schema.ts";
import type { Appender, Config } from "./types.ts";
import { pathAtOffset, readNode, sourceAt, type WalkContext } from "./walk.ts";

/** A loaded config and where each key set explicitly came from. */
export interface LoadedConfig {
  config: Config;
  /** The file read, or "" when none was (no `-c`, and the default path does not exist). */
  path: string;
  /** Sources of keys set by the file or the environment, by dotted path. */
  sources: Map<string, ConfigSource>;
}

/** Options of `loadConfig`. */
export interface LoadOptions {
  /** File given with `-c`; else `CAPTURE_AGENT_CONFIG`, else the default path (which may be absent). */
  path?: string;
  /** Environment to read overrides from. @default {} (none) */
  env?: Record<string, string>;
}

function mergeInto(base: Record<string, unknown>, top: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(top)) {
    const under = base[key];
    const isObject = (v: unknown) => typeof v === "object" && v !== null && !Array.isArray(v);
    out[key] = isObject(under) && isObject(value)
      ? mergeInto(under as Record<string, unknown>, value as Record<string, unknown>)
      : value;
  }
  return out;
}

function withAppenderDefaults(raw: Record<string, unknown>): Record<string, unknown> {
  const log = raw.log as { appenders?: Record<string, unknown>[] } | undefined;
  if (log?.appenders === undefined) return raw;
  const appenders = log.appenders.map((item) =>
    mergeInto(APPENDER_DEFAULTS[item.type as Appender["type"]] as unknown as Record<string, unknown>, item)
  );
  return { ...raw, log: { ...log, appenders } };
}

/**
 * Parses config `text` read from `file` (the name used in messages) and applies `env` overrides.
 * @throws {ConfigError} with every problem, each as `file:line:column key.path: message`
 */
export function parseConfig(text: string, file: string, env: Record<string, string> = {}): LoadedConfig {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const issues: ConfigIssue[] = [];
  const ctx: WalkContext = { file, doc, lineCounter, issues, positions: new Map() };
  for (const error of doc.errors) {
    const offset = error.pos[0];
    const message = error.message.split(/ at line \d+/)[0]!;
    issues.push({ source: sourceAt(ctx, { range: [offset] }), path: pathAtOffset(ctx, offset), message });
  }
  if (issues.length > 0) throw new ConfigError(issues);
  const raw = readNode(ctx, doc.contents, CONFIG_SCHEMA, []) as Record<string, unknown> | undefined;
  const merged = mergeInto(DEFAULT_CONFIG as unknown as Record<string, unknown>, withAppenderDefaults(raw ?? {}));
  applyEnv(merged, env, issues, ctx.positions);
  if (issues.length === 0) checkConfig(merged as unknown as Config, ctx.positions, file, issues);
  if (issues.length > 0) throw new ConfigError(issues);
  return { config: merged as unknown as Config, path: file, sources: ctx.positions };
}

/**
 * Reads and parses the config file. Without an explicit path (`path` or `CAPTURE_AGENT_CONFIG`), a missing
 * default file means "defaults only"; a missing explicit file is an error.
 * @throws {ConfigError} for unreadable files and every problem in the file or environment
 */
export async function loadConfig(options: LoadOptions = {}): Promise<LoadedConfig> {
  const env = options.env ?? {};
  const explicit = options.path ?? env[ENV_CONFIG_PATH];
  const file = explicit ?? DEFAULT_CONFIG_PATH;
  let text: string;
  try {
    text = await Deno.readTextFile(file);
  } catch (error) {
    if (explicit === undefined && error instanceof Deno.errors.NotFound) {
      return { ...parseConfig("", file, env), path: "" };
    }
    const reason = error instanceof Error ? error.message : String(error);
    throw new ConfigError([{ source: { kind: "file-only", file }, path: "", message: `cannot read: ${reason}` }]);
  }
  return parseConfig(text, file, env);
}

/** The process environment, or {} when env access is not permitted (overrides are then ignored). */
export function processEnv(): Record<string, string> {
  try {
    return Deno.env.toObject();
  } catch {
    return {};
  }
}
