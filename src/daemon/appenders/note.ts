/**
 * How remote appenders report their own trouble: straight to stderr, once per change between working and failing.
 * Never through the logger: the logger may be what is failing, and logging through it could loop.
 * @module
 */

const encoder = new TextEncoder();

/** Writes one text-format WARN line to stderr; never throws. */
export function noteOnStderr(message: string): void {
  try {
    Deno.stderr.writeSync(encoder.encode(`${new Date().toISOString()} WARN  ${message}\n`));
  } catch { /* stderr closed: nothing else to tell */ }
}
