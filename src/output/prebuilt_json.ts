/**
 * Values that make their own JSON faster than `JSON.stringify`: a `sip` record from the native parser already has its
 * `sip` object as JSON text, and serialising it again from an object would cost more than the parse
 * (docs/benchmarks.md); an `rtp_packet` record, one per RTP packet, keeps the text its stream repeats. Such a value
 * has a `[PREBUILT_JSON]()` method and behaves as a plain record otherwise (`JSON.stringify` gives the same text, from
 * its own properties or through `toJSON`); outputs on the hot path call `valueJson()`.
 * @module
 */

/** Symbol key of the method that returns a value's JSON text. */
export const PREBUILT_JSON: unique symbol = Symbol.for("capture-agent.prebuilt_json");

/** A value that returns its own JSON text: exactly what `JSON.stringify(value)` would return. */
export interface PrebuiltJson {
  [PREBUILT_JSON](): string;
}

/**
 * `JSON.stringify(value)` (with its exceptions: BigInt, cycles), through the value's own `[PREBUILT_JSON]()` when it
 * has one.
 *
 * @example
 * ```ts
 * valueJson({ a: 1 }); // '{"a":1}'
 * ```
 */
export function valueJson(value: unknown): string | undefined {
  if (typeof value === "object" && value !== null && PREBUILT_JSON in value) {
    return (value as PrebuiltJson)[PREBUILT_JSON]();
  }
  return JSON.stringify(value);
}

/**
 * The JSON of an object `head` with one more member `name` whose JSON text is `text`, without parsing `text`:
 * `JSON.stringify({...head, [name]: JSON.parse(text)})`.
 */
export function spliceJsonMember(head: object, name: string, text: string): string {
  const json = JSON.stringify(head);
  const member = `${JSON.stringify(name)}:${text}`;
  return json.length === 2 ? `{${member}}` : `${json.slice(0, -1)},${member}}`;
}
