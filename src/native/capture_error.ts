/**
 * The typed error the native layer throws: a status name from the library (docs/abi.md) plus its message.
 * @module
 */
import { Status } from "./abi.ts";

/** Negative `Status` names of abi.ts, plus the TypeScript-side conditions `library_missing` and `abi_mismatch`. */
export type CaptureErrorCode =
  | Exclude<keyof typeof Status, "ok">
  | "library_missing"
  | "abi_mismatch";

const CODE_BY_STATUS: ReadonlyMap<number, CaptureErrorCode> = new Map(
  Object.entries(Status).filter(([, value]) => value < 0).map(([name, value]) => [value, name as CaptureErrorCode]),
);

/** Maps a negative library status to its name; unknown values are `unexpected`. */
export function codeFromStatus(status: number): CaptureErrorCode {
  return CODE_BY_STATUS.get(status) ?? "unexpected";
}

/** An operating error from the capture library (bad interface, missing capability, bad filter, ...). */
export class CaptureError extends Error {
  /**
   * @param code The status name, e.g. `"no_such_device"`.
   * @param message The library's message, e.g. `ENODEV binding AF_PACKET socket on eth9: no such interface`.
   */
  constructor(readonly code: CaptureErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "CaptureError";
  }
}

/** Capabilities every capture needs (AF_PACKET socket; promiscuous mode and fanout). */
const CAPTURE_CAPABILITIES = ["cap_net_raw", "cap_net_admin"];

/** The binary that holds file capabilities: deno under the launcher, or the single-file build itself. */
function capabilityHolder(): string {
  try {
    return Deno.execPath();
  } catch {
    return "/path/to/deno";
  }
}

/**
 * Appends to a permission error the `setcap` command that grants what it names (plus the capabilities every
 * capture needs) to `executable`, e.g. `...: needs CAP_NET_RAW; run as root or grant it: setcap
 * cap_net_raw,cap_net_admin+eip /usr/local/lib/capture-agent/deno`. Other messages are returned unchanged.
 */
export function withSetcapHint(code: CaptureErrorCode, message: string, executable = capabilityHolder()): string {
  if (code !== "permission_denied") return message;
  const named = [...message.matchAll(/\bCAP_[A-Z_]+\b/g)].map((match) => match[0].toLowerCase());
  const capabilities = [...new Set([...CAPTURE_CAPABILITIES, ...named])];
  return `${message}; run as root or grant it: setcap ${capabilities.join(",")}+eip ${executable}`;
}
