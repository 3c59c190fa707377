/**
 * Command signatures: `signature` is the lowercase hex HMAC-SHA256, keyed with the shared secret, of the envelope's
 * canonical JSON without the `signature` field. Canonical JSON has the keys of every object sorted, no whitespace
 * and numbers as JavaScript prints them: the form `jq -cS 'del(.signature)'` prints, so a shell can sign with
 * `jq -cjS 'del(.signature)' cmd.json | openssl dgst -sha256 -hmac "$SECRET" -hex` (docs/commands.md).
 * @module
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import { Buffer } from "node:buffer";

/** Name of the envelope field carrying the signature. */
export const SIGNATURE_FIELD = "signature";

/** Sorted-key, whitespace-free JSON of `value` (DEL escaped as jq does). */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (typeof value === "object" && value !== null) {
    const entries = Object.keys(value).sort().filter((key) => (value as Record<string, unknown>)[key] !== undefined);
    return `{${entries.map((key) => `${quote(key)}:${canonicalJson((value as Record<string, unknown>)[key])}`)}}`;
  }
  if (typeof value === "string") return quote(value);
  return JSON.stringify(value) ?? "null";
}

function quote(text: string): string {
  return JSON.stringify(text).replaceAll("\x7f", "\\u007f");
}

function withoutSignature(envelope: Record<string, unknown>): Record<string, unknown> {
  const { [SIGNATURE_FIELD]: _signature, ...rest } = envelope;
  return rest;
}

/** The signature of `envelope` (its own `signature` field, if any, is left out). */
export function signEnvelope(envelope: Record<string, unknown>, secret: Uint8Array): string {
  return createHmac("sha256", secret).update(canonicalJson(withoutSignature(envelope))).digest("hex");
}

/** True when `envelope.signature` is the right signature for the rest of it (compared in constant time). */
export function verifyEnvelope(envelope: Record<string, unknown>, secret: Uint8Array): boolean {
  const given = envelope[SIGNATURE_FIELD];
  if (typeof given !== "string" || !/^[0-9a-fA-F]{64}$/.test(given)) return false;
  const expected = Buffer.from(signEnvelope(envelope, secret), "hex");
  return timingSafeEqual(expected, Buffer.from(given, "hex"));
}

/** Reads the secret file: its content without trailing white space; throws when the file is missing or empty. */
export async function readSecretFile(path: string): Promise<Uint8Array> {
  const text = (await Deno.readTextFile(path)).replace(/\s+$/, "");
  if (text === "") throw new RangeError(`HMAC secret file "${path}" is empty`);
  return new TextEncoder().encode(text);
}
