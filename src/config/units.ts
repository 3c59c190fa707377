/**
 * Sizes ("8MiB", "64KB", 8388608) and durations ("5s", "100ms", "1h30m") as written in config files and
 * environment variables. Parsers return a message instead of throwing so callers can attach a location.
 * @module
 */

/** A parsed value, or why it could not be parsed. */
export type UnitResult = { ok: true; value: number } | { ok: false; message: string };

const SIZE_UNITS: Record<string, number> = {
  B: 1,
  KB: 1e3,
  MB: 1e6,
  GB: 1e9,
  TB: 1e12,
  KiB: 1024,
  MiB: 1024 ** 2,
  GiB: 1024 ** 3,
  TiB: 1024 ** 4,
};

const DURATION_UNITS_MS: Record<string, number> = { ms: 1, s: 1e3, m: 60e3, h: 3600e3, d: 86400e3 };

/**
 * Parses a byte size: a non-negative integer, or a number with one of B, KB, MB, GB, TB (powers of 1000) or
 * KiB, MiB, GiB, TiB (powers of 1024). The result must be a whole number of bytes.
 */
export function parseSize(input: string | number): UnitResult {
  if (typeof input === "number") {
    return Number.isSafeInteger(input) && input >= 0
      ? { ok: true, value: input }
      : { ok: false, message: `size ${input} is not a whole non-negative number of bytes` };
  }
  const match = /^\s*(\d+(?:\.\d+)?)\s*([A-Za-z]*)\s*$/.exec(input);
  const unit = match?.[2] || "B";
  const scale = SIZE_UNITS[unit];
  if (!match || scale === undefined) {
    return { ok: false, message: `bad size "${input}": use a number with B, KB, MB, GB, KiB, MiB or GiB, e.g. "8MiB"` };
  }
  const value = Number(match[1]) * scale;
  if (!Number.isSafeInteger(value)) return { ok: false, message: `size "${input}" is not a whole number of bytes` };
  return { ok: true, value };
}

/**
 * Parses a duration into milliseconds: "0", or one or more number-unit parts with units ms, s, m, h, d
 * ("1h30m", "1.5s"). A bare non-zero number is refused because its unit would be a guess.
 */
export function parseDurationMs(input: string | number): UnitResult {
  if (input === 0 || input === "0") return { ok: true, value: 0 };
  const hint = `use a number with ms, s, m, h or d, e.g. "5s" or "100ms"`;
  if (typeof input === "number") return { ok: false, message: `duration ${input} has no unit: ${hint}` };
  const text = input.trim();
  const part = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/y;
  let totalMs = 0;
  let parts = 0;
  while (part.lastIndex < text.length) {
    const match = part.exec(text);
    if (!match) return { ok: false, message: `bad duration "${input}": ${hint}` };
    totalMs += Number(match[1]) * DURATION_UNITS_MS[match[2]!]!;
    parts++;
  }
  if (parts === 0) return { ok: false, message: `bad duration "${input}": ${hint}` };
  if (!Number.isSafeInteger(Math.round(totalMs))) return { ok: false, message: `duration "${input}" is too long` };
  return { ok: true, value: Math.round(totalMs) };
}

/** Formats bytes with the largest binary unit that divides them exactly ("8MiB", "2048B"). */
export function formatSize(bytes: number): string {
  for (const unit of ["TiB", "GiB", "MiB", "KiB"]) {
    const scale = SIZE_UNITS[unit]!;
    if (bytes >= scale && bytes % scale === 0) return `${bytes / scale}${unit}`;
  }
  return `${bytes}B`;
}

/** Formats milliseconds with the largest unit that divides them exactly ("5s", "100ms", "0"). */
export function formatDurationMs(durationMs: number): string {
  if (durationMs === 0) return "0";
  for (const unit of ["d", "h", "m", "s"]) {
    const scale = DURATION_UNITS_MS[unit]!;
    if (durationMs % scale === 0) return `${durationMs / scale}${unit}`;
  }
  return `${durationMs}ms`;
}
