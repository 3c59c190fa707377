/**
 * Config problems with their exact origin: `file:line:column key.path: message`, or
 * `env NAME key.path: message` for environment overrides.
 * @module
 */

/** Where a value came from. */
export type ConfigSource =
  | { kind: "file"; file: string; line: number; column: number }
  | { kind: "env"; name: string }
  | { kind: "file-only"; file: string };

/** One problem in a config. */
export interface ConfigIssue {
  source: ConfigSource;
  /** Dotted key path (`capture.afpacket.block_size`, `log.appenders[0].type`); "" for the whole document. */
  path: string;
  message: string;
}

/** Formats one issue as a single line. */
export function formatIssue(issue: ConfigIssue): string {
  const where = issue.source.kind === "file"
    ? `${issue.source.file}:${issue.source.line}:${issue.source.column}`
    : issue.source.kind === "env"
    ? `env ${issue.source.name}`
    : issue.source.file;
  return `${where} ${issue.path || "(document)"}: ${issue.message}`;
}

/** Raised by the loader with every problem found, one per line in `message`. */
export class ConfigError extends Error {
  /** Every problem found, in file order. */
  readonly issues: readonly ConfigIssue[];

  constructor(issues: ConfigIssue[]) {
    super(issues.map(formatIssue).join("\n"));
    this.name = "ConfigError";
    this.issues = issues;
  }
}

/** Joins path segments into the dotted form used in messages: `a.b[2].c`. */
export function joinPath(path: readonly (string | number)[]): string {
  let out = "";
  for (const segment of path) {
    if (typeof segment === "number") out += `[${segment}]`;
    else out += out === "" ? segment : `.${segment}`;
  }
  return out;
}
