/**
 * Parsers for single SDP field values (`o=`, `c=`, `m=`, and the attributes we extract).
 * Each returns undefined for a malformed value, which the session parser counts.
 * @module
 */
import type { SdpConnection, SdpDirection, SdpFmtp, SdpOrigin, SdpRtcp, SdpRtpMap } from "./types.ts";

const PORT_MAX = 0xffff;

/** Parses an unsigned decimal of at most `digitsMax` digits; undefined otherwise. */
export function parseUnsigned(text: string, digitsMax: number): number | undefined {
  return text.length > 0 && text.length <= digitsMax && /^\d+$/.test(text) ? Number(text) : undefined;
}

function parsePort(text: string): number | undefined {
  const port = parseUnsigned(text, 5);
  return port !== undefined && port <= PORT_MAX ? port : undefined;
}

/** Splits on runs of SP/HT (SDP uses single spaces, but tolerating more costs nothing). */
function fields(value: string): string[] {
  const trimmed = value.trim();
  return trimmed === "" ? [] : trimmed.split(/[ \t]+/);
}

export function parseOrigin(value: string): SdpOrigin | undefined {
  const parts = fields(value);
  if (parts.length !== 6) return undefined;
  const [username, sessionId, sessionVersion, netType, addrType, address] = parts as [
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  return { username, sessionId, sessionVersion, netType, addrType, address };
}

/** Parses `<nettype> <addrtype> <address>[/ttl][/count]` (the value of `c=` and the tail of `a=rtcp:`). */
export function parseConnection(value: string): SdpConnection | undefined {
  const parts = fields(value);
  if (parts.length !== 3) return undefined;
  const [netType, addrType, spec] = parts as [string, string, string];
  const [address, first, second] = spec.split("/");
  if (address === undefined || address === "") return undefined;
  // IP4 multicast writes /ttl[/count]; IP6 has no TTL, so a single suffix is the count (RFC 8866 §5.7).
  const isIp6 = addrType.toUpperCase() === "IP6";
  const ttl = isIp6 || first === undefined ? undefined : parseUnsigned(first, 3);
  const countText = isIp6 ? first : second;
  const addressCount = countText === undefined ? undefined : parseUnsigned(countText, 5);
  return { netType, addrType, address, ttl, addressCount };
}

/** `m=<media> <port>[/<count>] <proto> <fmt> ...` */
export function parseMediaLine(
  value: string,
): { media: string; port: number; portCount: number | undefined; proto: string; formats: string[] } | undefined {
  const parts = fields(value);
  if (parts.length < 3) return undefined;
  const [portText = "", countText] = parts[1]!.split("/");
  const port = parsePort(portText);
  const portCount = countText === undefined ? undefined : parseUnsigned(countText, 5);
  if (port === undefined || (countText !== undefined && portCount === undefined)) return undefined;
  return { media: parts[0]!, port, portCount, proto: parts[2]!, formats: parts.slice(3) };
}

/** `rtpmap:<pt> <encoding>/<rate>[/<channels>]` value (after "rtpmap:"). */
export function parseRtpMap(value: string): SdpRtpMap | undefined {
  const match = /^(\d{1,3})[ \t]+([^/ \t]+)\/(\d{1,10})(?:\/(\d{1,5}))?[ \t]*$/.exec(value);
  if (match === null) return undefined;
  const payloadType = Number(match[1]);
  if (payloadType > 127) return undefined;
  const channels = match[4] === undefined ? undefined : Number(match[4]);
  return { payloadType, encoding: match[2]!, clockRate: Number(match[3]), channels };
}

/** `fmtp:<format> <parameters>` value (after "fmtp:"). */
export function parseFmtp(value: string): SdpFmtp | undefined {
  const match = /^(\S+)(?:[ \t]+(.*))?$/.exec(value.trim());
  return match === null ? undefined : { format: match[1]!, parameters: (match[2] ?? "").trim() };
}

/** `rtcp:<port> [<nettype> <addrtype> <address>]` value (after "rtcp:"). */
export function parseRtcp(value: string): SdpRtcp | undefined {
  const match = /^(\d{1,5})(?:[ \t]+(.+))?$/.exec(value.trim());
  if (match === null) return undefined;
  const port = parsePort(match[1]!);
  if (port === undefined) return undefined;
  if (match[2] === undefined) return { port, connection: undefined };
  const connection = parseConnection(match[2]);
  return connection === undefined ? undefined : { port, connection };
}

/** The direction named by an attribute (`sendrecv`, ...), or undefined for any other attribute. */
export function directionOf(attribute: string): SdpDirection | undefined {
  switch (attribute) {
    case "sendrecv":
    case "sendonly":
    case "recvonly":
    case "inactive":
      return attribute;
  }
  return undefined;
}
