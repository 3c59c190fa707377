/**
 * The reference tables of docs/config.md, built from the schema and the defaults so the two cannot drift
 * (config_test.ts checks that the document contains every row).
 * @module
 */
import { APPENDER_DEFAULTS, DEFAULT_CONFIG } from "./defaults.ts";
import { envName } from "./env.ts";
import { APPENDER_FIELDS, type Field, leaves } from "./schema.ts";
import { formatDurationMs, formatSize } from "./units.ts";

function kindName(field: Field): string {
  switch (field.kind) {
    case "int":
      return `integer ${field.min}..${field.max}`;
    case "size":
      return `size ${formatSize(field.min)}..${formatSize(field.max)}`;
    case "duration":
      return `duration ${formatDurationMs(field.minMs)}..${formatDurationMs(field.maxMs)}`;
    case "enum":
      return field.values.map((value) => (value === "" ? '`""`' : `\`${value}\``)).join(" \\| ");
    case "list":
      return `list of ${kindName(field.item)}`;
    case "map":
      return "map of string";
    case "tagged":
      return "list of appenders";
    case "listen":
      return "host:port";
    case "mode":
      return "octal mode";
    default:
      return field.kind === "bool" ? "boolean" : field.kind;
  }
}

function formatDefault(field: Field, value: unknown): string {
  if (field.kind === "size") return `\`${formatSize(value as number)}\``;
  if (field.kind === "duration") return `\`${formatDurationMs(value as number)}\``;
  if (field.kind === "mode") return `\`"0${(value as number).toString(8)}"\``;
  if (field.kind === "tagged") return "one `stderr` appender";
  return `\`${JSON.stringify(value)}\``;
}

function valueAt(root: unknown, path: readonly string[]): unknown {
  return path.reduce((node, key) => (node as Record<string, unknown>)[key], root);
}

function row(cells: string[]): string {
  return `| ${cells.join(" | ")} |`;
}

/** Rows of the main table: key, type, default, environment variable, description. */
export function configRows(): string[] {
  return leaves().map(({ path, field }) => {
    const env = field.kind === "tagged" || field.kind === "map" ? "—" : `\`${envName(path)}\``;
    const doc = "doc" in field ? field.doc : "";
    return row([
      `\`${path.join(".")}\``,
      kindName(field),
      formatDefault(field, valueAt(DEFAULT_CONFIG, path)),
      env,
      doc,
    ]);
  });
}

/** Rows of the appender table: type, key, type, default, description. */
export function appenderRows(): string[] {
  return Object.entries(APPENDER_FIELDS).flatMap(([type, fields]) =>
    Object.entries(fields).map(([key, field]) => {
      const value = (APPENDER_DEFAULTS as unknown as Record<string, Record<string, unknown>>)[type]![key];
      const doc = "doc" in field ? field.doc : "";
      return row([`\`${type}\``, `\`${key}\``, kindName(field), formatDefault(field, value), doc]);
    })
  );
}
