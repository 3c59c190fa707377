/**
 * One call in flight: the dialog state an INVITE starts, moved by responses, ACK, CANCEL and BYE, and turned into a
 * `CallRecord` when it ends.
 * @module
 */
import type { SipDialogMessage, SipDialogRequest, SipDialogResponse } from "../sip/mod.ts";
import type { CallEndReason, CallParty, CallRecord, CallState, SipTuple } from "./types.ts";

function party(uri: string | undefined, tag: string | undefined, ip: string, port: number): CallParty {
  return { uri: uri ?? "", tag: tag ?? "", ip, port };
}

/** What `Call.apply` asks the tracker to do next. */
export type CallStep = "continue" | "end";

/** The live state of one call. */
export class Call {
  readonly callId: string;
  readonly caller: CallParty;
  readonly callee: CallParty;
  readonly transport: string;
  readonly inviteTimeMs: number;
  readonly userAgent: string;
  /** Time of the last SIP message or media packet; timeouts count from here. */
  lastActivityMs: number;
  state: CallState = "calling";
  ringingTimeMs: number | undefined;
  answerTimeMs: number | undefined;
  ackTimeMs: number | undefined;
  byeTimeMs: number | undefined;
  finalStatus: number | undefined;
  cancelled = false;
  hungUpBy: "caller" | "callee" | undefined;
  reasons: string[] = [];
  reinvites = 0;
  #inviteCSeq: number;
  #challengeStatus: number | undefined;

  /** Starts a call from its initial INVITE. */
  constructor(invite: SipDialogRequest, timeMs: number, tuple: SipTuple) {
    this.callId = invite.callId;
    this.caller = party(invite.from?.uri, invite.from?.tag, tuple.srcIp, tuple.srcPort);
    this.callee = party(invite.to?.uri, undefined, tuple.dstIp, tuple.dstPort);
    this.transport = tuple.transport;
    this.inviteTimeMs = timeMs;
    this.lastActivityMs = timeMs;
    this.userAgent = invite.userAgent;
    this.#inviteCSeq = invite.cseq.seq;
  }

  /** Applies a later message of the dialog; "end" when the call is over and its record is due. */
  apply(message: SipDialogMessage, timeMs: number, tuple: SipTuple): CallStep {
    this.lastActivityMs = timeMs;
    return message.kind === "request" ? this.#request(message, timeMs, tuple) : this.#response(message, timeMs);
  }

  #request(request: SipDialogRequest, timeMs: number, tuple: SipTuple): CallStep {
    switch (request.method) {
      case "INVITE":
        if (request.cseq.seq === this.#inviteCSeq) return "continue"; // Retransmission.
        // A new INVITE outside the dialog (no To tag) before an answer repeats the call with credentials.
        if (this.answerTimeMs === undefined && (request.to?.tag ?? "") === "") this.#inviteCSeq = request.cseq.seq;
        else this.reinvites++;
        return "continue";
      case "UPDATE":
        this.reinvites++;
        return "continue";
      case "ACK":
        if (this.state === "answered" && request.cseq.seq === this.#inviteCSeq) {
          this.ackTimeMs ??= timeMs;
          this.state = "confirmed";
        }
        return "continue";
      case "CANCEL":
        if (this.answerTimeMs === undefined) {
          this.cancelled = true;
          this.hungUpBy = "caller";
          this.#addReasons(request);
        }
        return "continue";
      case "BYE":
        if (this.byeTimeMs === undefined) {
          this.byeTimeMs = timeMs;
          this.hungUpBy = this.#isFromCaller(request, tuple) ? "caller" : "callee";
          this.#addReasons(request);
        }
        this.state = "terminating";
        return "continue";
    }
    return "continue";
  }

  #response(response: SipDialogResponse, timeMs: number): CallStep {
    const code = response.statusCode;
    const method = response.cseq.method;
    if (method === "BYE") return code >= 200 && this.byeTimeMs !== undefined ? "end" : "continue";
    if (method !== "INVITE" || response.cseq.seq !== this.#inviteCSeq) return "continue";
    if (code < 200) {
      if ((code === 180 || code === 183) && this.ringingTimeMs === undefined) this.ringingTimeMs = timeMs;
      if (this.state === "calling") this.state = "early";
      return "continue";
    }
    if (this.finalStatus !== undefined) return "continue"; // A retransmitted or forked final response.
    // An authentication challenge is answered by a new INVITE of the same call.
    if ((code === 401 || code === 407) && !this.cancelled) {
      this.#challengeStatus = code;
      return "continue";
    }
    this.finalStatus = code;
    if (code < 300) {
      this.answerTimeMs = timeMs;
      if (this.callee.tag === "") this.callee.tag = response.to?.tag ?? "";
      this.state = "answered";
      return "continue";
    }
    return "end";
  }

  #isFromCaller(request: SipDialogRequest, tuple: SipTuple): boolean {
    // The From tag names the side that sent the request, whatever proxies did to the addresses.
    const tag = request.from?.tag ?? "";
    if (tag !== "" && this.caller.tag !== "") return tag === this.caller.tag;
    return tuple.srcIp === this.caller.ip && tuple.srcPort === this.caller.port;
  }

  #addReasons(request: SipDialogRequest): void {
    for (const reason of request.reasons) {
      const cause = reason.cause === undefined ? "" : `;cause=${reason.cause}`;
      const text = reason.text === "" ? "" : `;text="${reason.text}"`;
      this.reasons.push(`${reason.protocol}${cause}${text}`);
    }
  }

  /** The record of this call, ended at `endTimeMs` for `endReason` (a failure after CANCEL counts as cancelled). */
  toRecord(endReason: CallEndReason, endTimeMs: number): CallRecord {
    const reason = endReason === "failed" && this.cancelled ? "cancelled" : endReason;
    const answered = this.answerTimeMs;
    const hangUpMs = this.byeTimeMs ?? endTimeMs;
    const since = (t: number | undefined) => t === undefined ? undefined : t - this.inviteTimeMs;
    return {
      callId: this.callId,
      caller: { ...this.caller },
      callee: { ...this.callee },
      transport: this.transport,
      inviteTimeMs: this.inviteTimeMs,
      ringingDelayMs: since(this.ringingTimeMs),
      answerDelayMs: since(answered),
      ackDelayMs: since(this.ackTimeMs),
      durationMs: answered === undefined ? 0 : Math.max(0, hangUpMs - answered),
      finalStatus: this.finalStatus ?? this.#challengeStatus,
      state: this.state,
      endReason: reason,
      hungUpBy: reason === "bye" || reason === "cancelled" ? this.hungUpBy : undefined,
      reasons: this.reasons,
      endTimeMs,
      userAgent: this.userAgent,
      reinvites: this.reinvites,
    };
  }
}
