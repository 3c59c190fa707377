/**
 * Deep conversion of camelCase keys to snake_case, for records built from the trackers' TypeScript objects
 * (`CallRecord`, `RtpStreamRecord`, RTCP packets). `undefined` members are dropped, as JSON would drop them.
 * @module
 */

/** `maxJitterMs` → `max_jitter_ms`; `xrMosLq` → `xr_mos_lq`; already snake keys stay as they are. */
export function snakeCaseKey(key: string): string {
  return key.replace(/[A-Z]/g, (letter) => "_" + letter.toLowerCase());
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
