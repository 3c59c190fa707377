/**
 * Call tracking types: the transport tuple a SIP message came with, the live call state and the call record.
 * @module
 */

/** Where a SIP message came from and went to. */
export interface SipTuple {
  srcIp: string;
  srcPort: number;
  dstIp: string;
  dstPort: number;
  /** "udp", "tcp", "sctp", "ws". */
  transport: string;
}

/** Why a call record was emitted. */
export type CallEndReason =
  /** A BYE was answered (or its answer timed out). */
  | "bye"
  /** CANCEL before a final response (the 487 or the timeout ended it). */
  | "cancelled"
  /** The INVITE got a 3xx–6xx final response. */
  | "failed"
  /** No SIP or media activity for the configured time. */
  | "timeout"
  /** Pushed out because `callsMax` calls were in flight. */
  | "evicted"
  /** The capture ended (or the tracker was flushed) with the call still open. */
  | "flushed";

/** Dialog progress. */
export type CallState = "calling" | "early" | "answered" | "confirmed" | "terminating" | "ended";

/** One party of a call as seen on the wire. */
export interface CallParty {
  uri: string;
  tag: string;
  ip: string;
  port: number;
}

/** The `call` record. Times are capture times in milliseconds since the epoch; delays are in milliseconds. */
export interface CallRecord {
  callId: string;
  caller: CallParty;
  callee: CallParty;
  transport: string;
  inviteTimeMs: number;
  /** INVITE → first 180/183 (post-dial delay); undefined when none came. */
  ringingDelayMs: number | undefined;
  /** INVITE → first 2xx; undefined when unanswered. */
  answerDelayMs: number | undefined;
  /** INVITE → ACK of the 2xx (what `tshark -z sip,stat` calls setup time); undefined without ACK. */
  ackDelayMs: number | undefined;
  /** First 2xx → BYE (or → last activity when the call did not end with a BYE); 0 when unanswered. */
  durationMs: number;
  /** Final status of the initial INVITE; undefined when none was seen. */
  finalStatus: number | undefined;
  /** The last state the dialog reached. */
  state: CallState;
  endReason: CallEndReason;
  /** Who sent the BYE (or the CANCEL: always the caller); undefined otherwise. */
  hungUpBy: "caller" | "callee" | undefined;
  /** `Reason` header texts (e.g. `Q.850;cause=16`) of BYE/CANCEL. */
  reasons: string[];
  endTimeMs: number;
  userAgent: string;
  /** re-INVITEs and UPDATEs seen inside the dialog. */
  reinvites: number;
}
