/**
 * Bytes → SdpSession. Session-level `c=` and direction are inherited by media sections that do not set their own.
 * Never throws: a body that is not SDP is `{ kind: "invalid", reason }`; single bad lines are counted and skipped.
 * @module
 */
import type { ParseResult } from "../parser.ts";
import {
  directionOf,
  parseConnection,
  parseFmtp,
  parseMediaLine,
  parseOrigin,
  parseRtcp,
  parseRtpMap,
} from "./_fields.ts";
import type { SdpConnection, SdpDirection, SdpInvalidReason, SdpMedia, SdpSession } from "./types.ts";

/** Most lines read from one body (real offers have tens). */
export const SDP_LINES_MAX = 1024;
/** Most `m=` sections in one body. */
export const SDP_MEDIA_MAX = 32;

/** The result of parsing one SDP body. */
export type SdpParseResult = ParseResult<SdpSession, SdpInvalidReason>;

/** A media section while it is being read: its own `c=`/direction, resolved against the session at the end. */
interface MediaDraft {
  media: SdpMedia;
  connection: SdpConnection | undefined;
  direction: SdpDirection | undefined;
}

const utf8 = new TextDecoder("utf-8");

function createMedia(line: NonNullable<ReturnType<typeof parseMediaLine>>): SdpMedia {
  return {
    ...line,
    connection: undefined,
    rtpmaps: [],
    fmtps: [],
    rtcp: undefined,
    rtcpMux: false,
    direction: "sendrecv",
    ptimeMs: undefined,
  };
}

/** Applies a media-level `a=` line; false when its value is malformed. */
function applyMediaAttribute(draft: MediaDraft, name: string, value: string): boolean {
  const media = draft.media;
  switch (name) {
    case "rtpmap": {
      const rtpmap = parseRtpMap(value);
      if (rtpmap !== undefined) media.rtpmaps.push(rtpmap);
      return rtpmap !== undefined;
    }
    case "fmtp": {
      const fmtp = parseFmtp(value);
      if (fmtp !== undefined) media.fmtps.push(fmtp);
      return fmtp !== undefined;
    }
    case "rtcp":
      media.rtcp = parseRtcp(value);
      return media.rtcp !== undefined;
    case "rtcp-mux":
      media.rtcpMux = true;
      return true;
    case "ptime": {
      const ptimeMs = Number.parseFloat(value);
      media.ptimeMs = Number.isFinite(ptimeMs) && ptimeMs >= 0 ? ptimeMs : undefined;
      return media.ptimeMs !== undefined;
    }
  }
  draft.direction = directionOf(name) ?? draft.direction;
  return true;
}

/** Reader state over the lines of one body. */
class SdpReader {
  session: SdpSession = {
    version: "",
    origin: undefined,
    sessionName: "",
    connection: undefined,
    direction: undefined,
    media: [],
    malformedLines: 0,
  };
  drafts: MediaDraft[] = [];

  /** Applies one `<type>=<value>` line; false when the body has too many media sections. */
  line(type: string, value: string): boolean {
    const session = this.session;
    const draft = this.drafts.at(-1);
    let ok = true;
    switch (type) {
      case "v":
        session.version = value.trim();
        break;
      case "o":
        session.origin = parseOrigin(value);
        ok = session.origin !== undefined;
        break;
      case "s":
        session.sessionName = value;
        break;
      case "c": {
        const connection = parseConnection(value);
        if (draft === undefined) session.connection = connection;
        else draft.connection = connection;
        ok = connection !== undefined;
        break;
      }
      case "m": {
        if (this.drafts.length >= SDP_MEDIA_MAX) return false;
        const media = parseMediaLine(value);
        // A malformed m= still opens a section, so its attributes do not leak into the previous one.
        this.drafts.push({
          media: createMedia(media ?? emptyMediaLine()),
          connection: undefined,
          direction: undefined,
        });
        ok = media !== undefined;
        break;
      }
      case "a":
        ok = this.#attribute(draft, value);
        break;
    }
    if (!ok) session.malformedLines++;
    return true;
  }

  #attribute(draft: MediaDraft | undefined, value: string): boolean {
    const colon = value.indexOf(":");
    const name = (colon === -1 ? value : value.slice(0, colon)).trim();
    const argument = colon === -1 ? "" : value.slice(colon + 1);
    if (draft !== undefined) return applyMediaAttribute(draft, name, argument);
    this.session.direction = directionOf(name) ?? this.session.direction;
    return true;
  }

  /** Resolves inherited connection and direction and returns the session. */
  finish(): SdpSession {
    const session = this.session;
    for (const draft of this.drafts) {
      draft.media.connection = draft.connection ?? session.connection;
      draft.media.direction = draft.direction ?? session.direction ?? "sendrecv";
      session.media.push(draft.media);
    }
    return session;
  }
}

function emptyMediaLine(): NonNullable<ReturnType<typeof parseMediaLine>> {
  return { media: "", port: 0, portCount: undefined, proto: "", formats: [] };
}

/**
 * Parses an SDP body (e.g. `payload.subarray(message.bodyOffset, message.bodyOffset + message.bodyLength)`).
 *
 * @example
 * ```ts
 * const body = new TextEncoder().encode("v=0\r\nc=IN IP4 10.0.0.1\r\nm=audio 4000 RTP/AVP 0\r\n");
 * const result = parseSdp(body); // result.message.media[0].connection.address === "10.0.0.1"
 * ```
 */
export function parseSdp(body: Uint8Array): SdpParseResult {
  const lines = utf8.decode(body).split(/\r?\n/, SDP_LINES_MAX + 1);
  if (lines.length > SDP_LINES_MAX) return { kind: "invalid", reason: "too_large" };
  let first = 0;
  while (first < lines.length && lines[first]!.trim() === "") first++;
  if (!/^v=/.test(lines[first] ?? "")) return { kind: "invalid", reason: "not_sdp" };
  const reader = new SdpReader();
  for (let i = first; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.trim() === "") continue;
    if (line.length < 2 || line.charCodeAt(1) !== 0x3d) {
      reader.session.malformedLines++;
      continue;
    }
    if (!reader.line(line[0]!, line.slice(2))) return { kind: "invalid", reason: "too_large" };
  }
  return { kind: "message", message: reader.finish(), consumedBytes: body.length };
}
