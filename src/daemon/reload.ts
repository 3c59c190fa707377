/**
 * What a config reload changes: the log level applies at once; every other changed key needs a restart.
 * @module
 */
import type { Config } from "../config/types.ts";

/** Dotted key paths whose values differ between `before` and `after`. */
export function changedKeys(before: unknown, after: unknown, prefix = ""): string[] {
  const isObject = (value: unknown) => typeof value === "object" && value !== null && !Array.isArray(value);
  if (isObject(before) && isObject(after)) {
    const a = before as Record<string, unknown>;
    const b = after as Record<string, unknown>;
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    return keys.flatMap((key) => changedKeys(a[key], b[key], prefix === "" ? key : `${prefix}.${key}`));
  }
  return JSON.stringify(before) === JSON.stringify(after) ? [] : [prefix];
}

/** Keys a reload applies without a restart. */
export const RELOADABLE_KEYS: readonly string[] = ["global.log_level"];

/** Splits the changes between two configs into applied and restart-required key paths. */
export function planReload(before: Config, after: Config): { applied: string[]; restartRequired: string[] } {
  const changed = changedKeys(before, after);
  return {
    applied: changed.filter((key) => RELOADABLE_KEYS.includes(key)),
    restartRequired: changed.filter((key) => !RELOADABLE_KEYS.includes(key)),
  };
}
