/**
 * An allocation-free first look at a payload still inside the packet buffer: could it start with a SIP start line?
 * SIP detection runs on every UDP payload of every port, and the parser's own detector takes a `Uint8Array` (a
 * view would cost an allocation per packet); this check rules out RTP, DNS and most other traffic without one.
 * @module
 */

const LF = 0x0a;
const CR = 0x0d;
/** The longest start line the SIP scanner accepts. */
const LINE_BYTES_MAX = 8192;
/** "SIP/2.0" */
const VERSION = [0x53, 0x49, 0x50, 0x2f, 0x32, 0x2e, 0x30];
/** "A SIP/2.0" or "SIP/2.0 200" both need this many bytes before the line end. */
const LINE_BYTES_MIN = 9;

function isLetter(byte: number): boolean {
  return (byte >= 0x41 && byte <= 0x5a) || (byte >= 0x61 && byte <= 0x7a);
}

function versionAt(data: Uint8Array, at: number): boolean {
  for (let k = 0; k < VERSION.length; k++) {
    // Letters compare case-insensitively (the scanner does too); digits, "/" and "." exactly.
    const byte = data[at + k];
    if (byte !== VERSION[k] && byte !== (VERSION[k] | 0x20)) return false;
  }
  return true;
}

/**
 * True when `data[at, at + bytes)` starts with a line that begins with "SIP/2.0" (a status line) or ends with it
 * (a request line). A cheap necessary condition; `detectSip` decides.
 */
export function mayStartSip(data: Uint8Array, at: number, bytes: number): boolean {
  if (bytes < LINE_BYTES_MIN || !isLetter(data[at])) return false;
  const end = at + Math.min(bytes, LINE_BYTES_MAX);
  let lf = at;
  while (lf < end && data[lf] !== LF) lf++;
  if (lf === end) return false;
  const lineEnd = lf > at && data[lf - 1] === CR ? lf - 1 : lf;
  if (lineEnd - at < LINE_BYTES_MIN) return false;
  return versionAt(data, at) || versionAt(data, lineEnd - VERSION.length);
}
