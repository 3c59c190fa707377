/**
 * Converts one scalar (from YAML or, as text, from an environment variable) to the value its field expects.
 * @module
 */
import { parseListen } from "./listen.ts";
import type { Field } from "./schema.ts";
import { didYouMean } from "./suggest.ts";
import { formatDurationMs, formatSize, parseDurationMs, parseSize } from "./units.ts";

/** A converted value, or why it does not fit. */
export type Converted = { ok: true; value: unknown } | { ok: false; message: string };

/** Describes a raw value for messages: `string "yes"`, `number 3`. */
export function describe(value: unknown): string {
  if (value === null || value === undefined) return "no value";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a mapping";
  return typeof value === "string" ? `string "${value}"` : `${typeof value} ${String(value)}`;
}

const fail = (message: string): Converted => ({ ok: false, message });

function convertInt(field: Extract<Field, { kind: "int" }>, raw: unknown, fromText: boolean): Converted {
  const value = fromText && typeof raw === "string" && /^-?\d+$/.test(raw.trim()) ? Number(raw) : raw;
  if (typeof value !== "number" || !Number.isSafeInteger(value)) {
    return fail(`expected an integer, got ${describe(raw)}`);
  }
  if (value < field.min || value > field.max) return fail(`${value} is outside ${field.min}..${field.max}`);
  return { ok: true, value };
}

function convertSize(field: Extract<Field, { kind: "size" }>, raw: unknown): Converted {
  if (typeof raw !== "number" && typeof raw !== "string") {
    return fail(`expected a size such as "8MiB" or 8388608, got ${describe(raw)}`);
  }
  const parsed = parseSize(raw);
  if (!parsed.ok) return parsed;
  if (parsed.value < field.min || parsed.value > field.max) {
    return fail(`size ${formatSize(parsed.value)} is outside ${formatSize(field.min)}..${formatSize(field.max)}`);
  }
  return parsed;
}

function convertDuration(field: Extract<Field, { kind: "duration" }>, raw: unknown): Converted {
  if (typeof raw !== "number" && typeof raw !== "string") {
    return fail(`expected a duration such as "5s" or "100ms", got ${describe(raw)}`);
  }
  const parsed = parseDurationMs(raw);
  if (!parsed.ok) return parsed;
  if (parsed.value < field.minMs || parsed.value > field.maxMs) {
    const range = `${formatDurationMs(field.minMs)}..${formatDurationMs(field.maxMs)}`;
    return fail(`duration ${formatDurationMs(parsed.value)} is outside ${range}`);
  }
  return parsed;
}

function convertBool(raw: unknown, fromText: boolean): Converted {
  if (typeof raw === "boolean") return { ok: true, value: raw };
  if (fromText && (raw === "true" || raw === "false")) return { ok: true, value: raw === "true" };
  return fail(`expected true or false, got ${describe(raw)}`);
}

function convertMode(raw: unknown): Converted {
  if (typeof raw === "string" && /^0?[0-7]{3}$/.test(raw)) return { ok: true, value: parseInt(raw, 8) };
  return fail(`expected a quoted octal mode such as "0660", got ${describe(raw)}`);
}

/**
 * Converts a scalar for `field` (any kind but list, map, object, tagged). `fromText` accepts numbers and
 * booleans written as text, as environment variables carry them.
 */
export function convertScalar(field: Field, raw: unknown, fromText: boolean): Converted {
  switch (field.kind) {
    case "string":
      return typeof raw === "string" ? { ok: true, value: raw } : fail(`expected a string, got ${describe(raw)}`);
    case "bool":
      return convertBool(raw, fromText);
    case "int":
      return convertInt(field, raw, fromText);
    case "size":
      return convertSize(field, raw);
    case "duration":
      return convertDuration(field, raw);
    case "mode":
      return convertMode(raw);
    case "enum":
      if (typeof raw === "string" && field.values.includes(raw)) return { ok: true, value: raw };
      return fail(
        `expected one of ${field.values.map((v) => `"${v}"`).join(", ")}, got ${describe(raw)}` +
          (typeof raw === "string" ? didYouMean(raw, field.values) : ""),
      );
    case "listen": {
      if (raw === "") return { ok: true, value: "" };
      if (typeof raw !== "string") return fail(`expected "host:port", got ${describe(raw)}`);
      const parsed = parseListen(raw);
      return parsed.ok ? { ok: true, value: raw } : parsed;
    }
    default:
      return fail(`expected ${field.kind === "list" ? "a list" : "a mapping"}, got ${describe(raw)}`);
  }
}
