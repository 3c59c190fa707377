/**
 * Whether a parsed command runs here: addressed to this agent, signed when a secret is configured, fresh, and not
 * run before. The checks run in that order so that forged commands never reach the dedup set (a forger must not be
 * able to block a request id) and commands for other agents are ignored without a trace beyond a counter.
 * @module
 */
import type { Envelope, ReplyError } from "./envelope.ts";
import type { RecentIds } from "./recent_ids.ts";
import { verifyEnvelope } from "./signature.ts";

/** What decides admission. */
export interface AdmissionPolicy {
  /** This agent's host name and labels. */
  names: ReadonlySet<string>;
  /** Commands whose timestamp is further than this from now, in either direction, are expired. */
  ttlMs: number;
  /** Shared HMAC secret; null accepts unsigned commands. */
  secret: Uint8Array | null;
  recent: RecentIds;
}

/** Counters a refused command adds to. */
export type RefusalCounter = "ignored_target" | "expired" | "duplicates" | "rejected_signature" | "malformed";

/** The decision: run it, ignore it silently, or refuse it with an error the sender is told about. */
export type Verdict =
  | { action: "run" }
  | { action: "ignore"; counter: RefusalCounter; reason: string }
  | { action: "reject"; counter: RefusalCounter; error: ReplyError };

/** True when `target` addresses an agent with these names ("" and "*" address all). */
export function targetMatches(target: string, names: ReadonlySet<string>): boolean {
  return target === "" || target === "*" || names.has(target);
}

/** Decides about `envelope` at `nowMs`; remembers its request id when it is admitted. */
export function admit(envelope: Envelope, policy: AdmissionPolicy, nowMs: number): Verdict {
  if (!targetMatches(envelope.target, policy.names)) {
    return { action: "ignore", counter: "ignored_target", reason: `target "${envelope.target}" is another agent` };
  }
  if (policy.secret !== null) {
    if (!verifyEnvelope(envelope.raw, policy.secret)) {
      const what = envelope.signature === "" ? "has no signature" : "has a signature that does not match";
      return {
        action: "reject",
        counter: "rejected_signature",
        error: { code: "unauthenticated", message: `command ${what}; this agent requires HMAC-SHA256 signatures` },
      };
    }
    // Without both, a captured signed command could be replayed forever.
    if (envelope.timestampMs === null || envelope.requestId === "") {
      return {
        action: "reject",
        counter: "malformed",
        error: { code: "invalid_argument", message: "signed commands need a timestamp and a request_id" },
      };
    }
  }
  if (envelope.timestampMs !== null && Math.abs(nowMs - envelope.timestampMs) > policy.ttlMs) {
    const ageMs = nowMs - envelope.timestampMs;
    return {
      action: "ignore",
      counter: "expired",
      reason: `timestamp is ${ageMs} ms from now (ttl ${policy.ttlMs} ms)`,
    };
  }
  if (envelope.requestId !== "" && policy.recent.seen(envelope.requestId)) {
    return { action: "ignore", counter: "duplicates", reason: `request_id "${envelope.requestId}" already ran` };
  }
  return { action: "run" };
}
