/**
 * Environment overrides: `CAPTURE_AGENT_` + the key path in upper case joined by `_`
 * (`CAPTURE_AGENT_CAPTURE_AFPACKET_BLOCK_SIZE=8MiB`). Lists are comma-separated. `log.appenders` and maps
 * cannot be set this way.
 * @module
 */
import { convertScalar } from "./convert.ts";
import { ENV_CONFIG_PATH, ENV_NATIVE_SIP, ENV_PREFIX } from "./defaults.ts";
import type { ConfigIssue, ConfigSource } from "./errors.ts";
import { type Field, type Leaf, leaves } from "./schema.ts";
import { didYouMean } from "./suggest.ts";

/**
 * Variables with the prefix that name no config key: the config file itself, the launcher's library path, and the
 * switch of the native SIP parser.
 */
const NOT_CONFIG_KEYS: readonly string[] = [ENV_CONFIG_PATH, "CAPTURE_AGENT_LIB", ENV_NATIVE_SIP];

/** The environment variable that overrides a key path. */
export function envName(path: readonly string[]): string {
  return ENV_PREFIX + path.join("_").toUpperCase();
}

/** Every overridable key by variable name. */
export function envLeaves(): Map<string, Leaf> {
  const byName = new Map<string, Leaf>();
  for (const leaf of leaves()) {
    if (leaf.field.kind === "tagged" || leaf.field.kind === "map") continue;
    byName.set(envName(leaf.path), leaf);
  }
  return byName;
}

function convertEnv(field: Field, text: string) {
  if (field.kind !== "list") return convertScalar(field, text, true);
  const items: unknown[] = [];
  for (const part of text.split(",").map((item) => item.trim()).filter((item) => item !== "")) {
    const converted = convertScalar(field.item, part, true);
    if (!converted.ok) return converted;
    items.push(converted.value);
  }
  return { ok: true as const, value: items };
}

function setIn(target: Record<string, unknown>, path: readonly string[], value: unknown): void {
  let node = target;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string, unknown>;
  node[path[path.length - 1]!] = value;
}

/**
 * Applies every `CAPTURE_AGENT_*` variable in `env` to `config` (in place). Unknown names and bad values
 * become issues; `positions` learns which keys the environment set.
 */
export function applyEnv(
  config: Record<string, unknown>,
  env: Record<string, string>,
  issues: ConfigIssue[],
  positions: Map<string, ConfigSource>,
): void {
  const known = envLeaves();
  for (const [name, text] of Object.entries(env).sort(([a], [b]) => a.localeCompare(b))) {
    if (!name.startsWith(ENV_PREFIX) || NOT_CONFIG_KEYS.includes(name)) continue;
    const source: ConfigSource = { kind: "env", name };
    const leaf = known.get(name);
    if (leaf === undefined) {
      const path = name.slice(ENV_PREFIX.length).toLowerCase();
      issues.push({ source, path, message: `unknown variable${didYouMean(name, known.keys())}` });
      continue;
    }
    const converted = convertEnv(leaf.field, text);
    if (!converted.ok) {
      issues.push({ source, path: leaf.path.join("."), message: converted.message });
      continue;
    }
    setIn(config, leaf.path, converted.value);
    positions.set(leaf.path.join("."), source);
  }
}
