/**
 * Bearer-token authentication for the TCP listener, and the caller's identity for handlers and logs.
 * @module
 */
import { timingSafeEqual } from "node:crypto";
import { Code, ConnectError, createContextKey, type Interceptor } from "@connectrpc/connect";

/** Who is calling: "unix" (socket), "token", `cn=<common name>` (mTLS) or "loopback" (insecure loopback). */
export const kPeer = createContextKey<string>("unknown", { description: "caller identity" });

/** Constant-time comparison of the presented and the expected token. */
function tokenMatches(presented: string, expected: Uint8Array): boolean {
  const bytes = new TextEncoder().encode(presented);
  return bytes.length === expected.length && timingSafeEqual(bytes, expected);
}

/** Rejects calls without `Authorization: Bearer <token>` as `unauthenticated`. */
export function bearerInterceptor(token: string): Interceptor {
  if (token === "") throw new RangeError("Cannot check bearer tokens against an empty token");
  const expected = new TextEncoder().encode(token);
  return (next) => (request) => {
    const header = request.header.get("authorization") ?? "";
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (match === null) {
      throw new ConnectError("missing bearer token: send 'Authorization: Bearer <token>'", Code.Unauthenticated);
    }
    if (!tokenMatches(match[1]!, expected)) throw new ConnectError("bad bearer token", Code.Unauthenticated);
    return next(request);
  };
}

/** Reads a token file: the first line, trimmed; refuses an empty one. */
export async function readTokenFile(path: string): Promise<string> {
  const token = (await Deno.readTextFile(path)).split("\n")[0]!.trim();
  if (token === "") throw new RangeError(`Token file "${path}" is empty`);
  return token;
}
