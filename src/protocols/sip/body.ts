/**
 * Helpers for SIP bodies.
 * @module
 */

/** True when a Content-Type value (parameters allowed, any case) is `application/sdp`. */
export function isSdpContentType(contentType: string): boolean {
  const semicolon = contentType.indexOf(";");
  const type = (semicolon === -1 ? contentType : contentType.slice(0, semicolon)).trim();
  return type.length === 15 && type.toLowerCase() === "application/sdp";
}
