/**
 * The permessage-deflate extension (RFC 7692 §7) as the server's 101 answer accepts it in `Sec-WebSocket-Extensions`:
 * whether each side resets its compression context after every message, and the LZ77 window each side compresses
 * with. Read once per connection.
 * @module
 */

/** permessage-deflate parameters agreed for one connection. */
export interface DeflateParams {
  /** The client compresses every message on its own (no references to earlier messages). */
  clientNoContextTakeover: boolean;
  /** The server does. */
  serverNoContextTakeover: boolean;
  /** Base-2 logarithm of the client's LZ77 window (8..15; 15 when not given). */
  clientWindowBits: number;
  /** The server's. */
  serverWindowBits: number;
}

/** Window bits RFC 7692 allows; absent or out of range means the largest. */
const WINDOW_BITS_MIN = 8;
const WINDOW_BITS_MAX = 15;

/** Parameters in force when nothing was negotiated: full windows, context kept across messages. */
export function defaultDeflateParams(): DeflateParams {
  return {
    clientNoContextTakeover: false,
    serverNoContextTakeover: false,
    clientWindowBits: WINDOW_BITS_MAX,
    serverWindowBits: WINDOW_BITS_MAX,
  };
}

function windowBits(value: string | undefined): number {
  const bits = value === undefined ? NaN : Number(value.replace(/^"|"$/g, ""));
  return Number.isInteger(bits) && bits >= WINDOW_BITS_MIN && bits <= WINDOW_BITS_MAX ? bits : WINDOW_BITS_MAX;
}

/**
 * Reads the permessage-deflate element of a `Sec-WebSocket-Extensions` value (several headers joined by commas).
 * @returns its parameters, or undefined when the value names no permessage-deflate.
 * @example
 * ```ts
 * parseDeflateExtension("permessage-deflate; server_no_context_takeover; client_max_window_bits=10");
 * // { serverNoContextTakeover: true, clientNoContextTakeover: false, clientWindowBits: 10, serverWindowBits: 15 }
 * ```
 */
export function parseDeflateExtension(value: string | undefined): DeflateParams | undefined {
  if (value === undefined) return undefined;
  for (const element of value.split(",")) {
    const [name, ...parameters] = element.split(";").map((part) => part.trim());
    if (name.toLowerCase() !== "permessage-deflate") continue;
    const params = defaultDeflateParams();
    for (const parameter of parameters) {
      const equals = parameter.indexOf("=");
      const key = (equals < 0 ? parameter : parameter.slice(0, equals)).trim().toLowerCase();
      const argument = equals < 0 ? undefined : parameter.slice(equals + 1).trim();
      if (key === "client_no_context_takeover") params.clientNoContextTakeover = true;
      else if (key === "server_no_context_takeover") params.serverNoContextTakeover = true;
      else if (key === "client_max_window_bits") params.clientWindowBits = windowBits(argument);
      else if (key === "server_max_window_bits") params.serverWindowBits = windowBits(argument);
    }
    return params;
  }
  return undefined;
}
