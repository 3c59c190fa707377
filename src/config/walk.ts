/**
 * Reads a parsed YAML document against the schema, keeping each node's line and column so every problem
 * names its place. Produces only the keys the file sets; the loader merges them over the defaults.
 * @module
 */
import { type Document, isAlias, isMap, isScalar, isSeq, type LineCounter } from "yaml";
import { convertScalar, describe } from "./convert.ts";
import { type ConfigIssue, type ConfigSource, joinPath } from "./errors.ts";
import type { Field } from "./schema.ts";
import { didYouMean } from "./suggest.ts";

/** State of one walk. */
export interface WalkContext {
  file: string;
  doc: Document;
  lineCounter: LineCounter;
  issues: ConfigIssue[];
  /** Where each key path set by the file is written (its key, or its list item). */
  positions: Map<string, ConfigSource>;
}

type Path = (string | number)[];
type YamlNode = { range?: [number, number, number] | null };

/** The file position of a node's first character. */
export function sourceAt(ctx: WalkContext, node: unknown): ConfigSource {
  const offset = (node as YamlNode | null)?.range?.[0] ?? 0;
  const { line, col } = ctx.lineCounter.linePos(offset);
  return { kind: "file", file: ctx.file, line, column: col };
}

function issue(ctx: WalkContext, node: unknown, path: Path, message: string): undefined {
  ctx.issues.push({ source: sourceAt(ctx, node), path: joinPath(path), message });
  return undefined;
}

function plain(node: unknown): unknown {
  if (node === null || node === undefined) return null;
  if (isScalar(node)) return node.value;
  if (isMap(node)) return {};
  if (isSeq(node)) return [];
  return node;
}

function readObject(ctx: WalkContext, node: unknown, fields: Record<string, Field>, path: Path) {
  if (plain(node) === null) return {};
  if (!isMap(node)) return issue(ctx, node, path, `expected a mapping, got ${describe(plain(node))}`);
  const out: Record<string, unknown> = {};
  for (const pair of node.items) {
    const key = isScalar(pair.key) ? String(pair.key.value) : undefined;
    if (key === undefined) {
      issue(ctx, pair.key, path, "keys must be plain names");
      continue;
    }
    const field = fields[key];
    if (field === undefined) {
      const known = Object.keys(fields);
      issue(ctx, pair.key, [...path, key], `unknown key${didYouMean(key, known)} (known: ${known.join(", ")})`);
      continue;
    }
    ctx.positions.set(joinPath([...path, key]), sourceAt(ctx, pair.key));
    const value = readNode(ctx, pair.value, field, [...path, key]);
    if (value !== undefined) out[key] = value;
  }
  return out;
}

const quoted = (values: string[]) => values.map((value) => `"${value}"`).join(", ");

function readTagged(ctx: WalkContext, node: unknown, field: Extract<Field, { kind: "tagged" }>, path: Path) {
  if (!isMap(node)) return issue(ctx, node, path, `expected a mapping, got ${describe(plain(node))}`);
  const tagNode = node.items.find((pair) => isScalar(pair.key) && pair.key.value === field.tag);
  const tag = isScalar(tagNode?.value) ? tagNode.value.value : undefined;
  const kinds = Object.keys(field.variants);
  if (tagNode === undefined) return issue(ctx, node, path, `missing "${field.tag}" (one of ${quoted(kinds)})`);
  const fields = typeof tag === "string" ? field.variants[tag] : undefined;
  if (fields === undefined) {
    const hint = typeof tag === "string" ? didYouMean(tag, kinds) : "";
    return issue(
      ctx,
      tagNode.value,
      [...path, field.tag],
      `expected one of ${quoted(kinds)}, got ${describe(tag)}${hint}`,
    );
  }
  const tagField: Field = { kind: "string", doc: "" };
  return readObject(ctx, node, { [field.tag]: tagField, ...fields }, path);
}

function readList(ctx: WalkContext, node: unknown, item: Field | undefined, path: Path, tagged?: Field) {
  if (!isSeq(node)) return issue(ctx, node, path, `expected a list, got ${describe(plain(node))}`);
  const out: unknown[] = [];
  node.items.forEach((child, index) => {
    ctx.positions.set(joinPath([...path, index]), sourceAt(ctx, child));
    const value = tagged?.kind === "tagged"
      ? readTagged(ctx, resolve(ctx, child), tagged, [...path, index])
      : readNode(ctx, child, item!, [...path, index]);
    if (value !== undefined) out.push(value);
  });
  return out;
}

function resolve(ctx: WalkContext, node: unknown): unknown {
  return isAlias(node) ? node.resolve(ctx.doc) : node;
}

/** Reads `node` as `field`; returns undefined (after recording an issue) when it does not fit. */
export function readNode(ctx: WalkContext, rawNode: unknown, field: Field, path: Path): unknown {
  const node = resolve(ctx, rawNode);
  switch (field.kind) {
    case "object":
      return readObject(ctx, node, field.fields, path);
    case "list":
      return readList(ctx, node, field.item, path);
    case "tagged":
      return readList(ctx, node, undefined, path, field);
    case "map": {
      if (!isMap(node)) return issue(ctx, node, path, `expected a mapping, got ${describe(plain(node))}`);
      const out: Record<string, unknown> = {};
      for (const pair of node.items) {
        const key = String(isScalar(pair.key) ? pair.key.value : pair.key);
        const value = readNode(ctx, pair.value, field.value, [...path, key]);
        if (value !== undefined) out[key] = value;
      }
      return out;
    }
    default: {
      if (!isScalar(node) || node.value === null) {
        const got = node === null || node === undefined || (isScalar(node) && node.value === null)
          ? "no value (remove the key to use the default)"
          : describe(plain(node));
        return issue(ctx, node ?? rawNode, path, `expected a ${field.kind}, got ${got}`);
      }
      const converted = convertScalar(field, node.value, false);
      return converted.ok ? converted.value : issue(ctx, node, path, converted.message);
    }
  }
}

/**
 * The key path being parsed at `offset` (for syntax errors): in each mapping or list, the last entry that starts
 * at or before `offset`, descending while entries are plain keys.
 */
export function pathAtOffset(ctx: WalkContext, offset: number): string {
  const path: Path = [];
  const startsBefore = (node: unknown) => ((node as YamlNode | null)?.range?.[0] ?? Infinity) <= offset;
  let node: unknown = ctx.doc.contents;
  for (let depth = 0; depth < 32; depth++) {
    if (isMap(node)) {
      const pair = node.items.findLast((p) => startsBefore(p.key));
      // A key with spaces is the parser's guess at a broken line, not a key the author wrote.
      if (!pair || !isScalar(pair.key) || !/^[\w.-]+$/.test(String(pair.key.value))) break;
      path.push(String(pair.key.value));
      node = pair.value;
    } else if (isSeq(node)) {
      const index = node.items.findLastIndex(startsBefore);
      if (index < 0) break;
      path.push(index);
      node = node.items[index];
    } else break;
  }
  return joinPath(path);
}
