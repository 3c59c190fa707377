/**
 * Deep conversion of camelCase keys to snake_case, for records built from the trackers' TypeScript objects
 * (`CallRecord`, `RtpStreamRecord`, RTCP packets). `undefined` members are dropped, as JSON would drop them.
 * @module
 */

/** Keys converted so far: they come from the trackers' types, a few dozen names, and the regex cost µs a record. */
const snakeKeys = new Map<string, string>();
/** Bound of that cache, should keys ever come from data: past it keys are converted each time. */
const SNAKE_KEYS_MAX = 4096;

/** `maxJitterMs` → `max_jitter_ms`; `xrMosLq` → `xr_mos_lq`; already snake keys stay as they are. */
export function snakeCaseKey(key: string): string {
  let snake = snakeKeys.get(key);
  if (snake !== undefined) return snake;
  snake = key.replace(/[A-Z]/g, (letter) => "_" + letter.toLowerCase());
  if (snakeKeys.size < SNAKE_KEYS_MAX) snakeKeys.set(key, snake);
  return snake;
}

/** A copy of `value` with every object key in snake case (arrays and nested objects included). */
export function snakeCaseKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(snakeCaseKeys);
  if (value === null || typeof value !== "object") return value;
  const out: Record<string, unknown> = {};
  for (const [key, member] of Object.entries(value)) {
    if (member !== undefined) out[snakeCaseKey(key)] = snakeCaseKeys(member);
  }
  return out;
}
