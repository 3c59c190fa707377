/**
 * Applies one scanned header to the fields of the message being built. Kept apart from the parse loop so each
 * header's rule is in one place.
 * @module
 */
import { isRegExpSpace, parseDecimal, parseDecimalText } from "./_bytes.ts";
import { flatSlice, flatTrimmed } from "./_flat.ts";
import { findSipParam, indexIn, splitSipListRanges } from "./_list.ts";
import { parseSipAddress, parseSipAddressList } from "./address.ts";
import { SipHeader, type SipHeaderId } from "./header_name.ts";
import type { SipCSeq, SipMessageBase, SipReason } from "./types.ts";
import { parseSipVias } from "./via.ts";

/** Decimal fields are 32-bit in practice; 10 digits covers 2^32 - 1. */
const UINT32_DIGITS_MAX = 10;
const UINT32_MAX = 0xffffffff;

/** The message fields plus parse state that is not part of the result. */
export interface MessageDraft extends Omit<SipMessageBase, "cseq"> {
  cseq: SipCSeq | undefined;
  hasCallId: boolean;
  badCSeq: boolean;
  badContentLength: boolean;
}

/** A draft with every field at its "absent" value. */
export function createDraft(): MessageDraft {
  return {
    callId: "",
    cseq: undefined,
    from: undefined,
    to: undefined,
    vias: [],
    contacts: [],
    userAgent: "",
    server: "",
    contentType: "",
    contentLength: undefined,
    reasons: [],
    maxForwards: undefined,
    expires: undefined,
    bodyOffset: 0,
    bodyLength: 0,
    malformedHeaderLines: 0,
    hasCallId: false,
    badCSeq: false,
    badContentLength: false,
  };
}

function parseUint32(text: string): number | undefined {
  const value = parseDecimalText(text, UINT32_DIGITS_MAX);
  return value >= 0 && value <= UINT32_MAX ? value : undefined;
}

/** `/^(\d+)\s+(\S+)$/` on `value`, written out: the sequence number and method, or undefined. */
function parseCSeq(value: string): SipCSeq | undefined {
  let digitsEnd = 0;
  while (digitsEnd < value.length && value.charCodeAt(digitsEnd) >= 0x30 && value.charCodeAt(digitsEnd) <= 0x39) {
    digitsEnd++;
  }
  let methodStart = digitsEnd;
  while (methodStart < value.length && isRegExpSpace(value.charCodeAt(methodStart))) methodStart++;
  if (digitsEnd === 0 || methodStart === digitsEnd || methodStart === value.length) return undefined;
  for (let i = methodStart; i < value.length; i++) if (isRegExpSpace(value.charCodeAt(i))) return undefined;
  const seq = parseUint32(value.slice(0, digitsEnd));
  return seq === undefined ? undefined : { seq, method: flatSlice(value, methodStart, value.length) };
}

// Reused (parsing is synchronous and does not re-enter this function); empty between calls.
const itemRanges: number[] = [];

function parseReasons(text: string, from: number, to: number, out: SipReason[]): void {
  splitSipListRanges(text, from, to, itemRanges);
  for (let i = 0; i < itemRanges.length; i += 2) {
    const start = itemRanges[i];
    const end = itemRanges[i + 1];
    const semicolon = indexIn(text, ";", start, end);
    const paramsStart = semicolon === -1 ? end : semicolon + 1;
    const cause = findSipParam(text, "cause", paramsStart, end);
    out.push({
      protocol: flatTrimmed(text, start, semicolon === -1 ? end : semicolon),
      cause: cause === undefined ? undefined : parseUint32(cause),
      text: findSipParam(text, "text", paramsStart, end) ?? "",
    });
  }
  itemRanges.length = 0;
}

function applyContentLength(draft: MessageDraft, value: string): void {
  applyContentLengthNumber(draft, parseUint32(value));
}

function applyContentLengthNumber(draft: MessageDraft, length: number | undefined): void {
  if (length === undefined) draft.badContentLength = true;
  else if (draft.contentLength !== undefined && draft.contentLength !== length) draft.badContentLength = true;
  else draft.contentLength = length;
}

/**
 * Applies header `id` with (unfolded, trimmed) value `text[start, end)` to `draft`; `text` may hold more than this
 * value (fields are built from the range, as flat strings). Single-valued headers keep their first value.
 */
export function applyHeader(draft: MessageDraft, id: SipHeaderId, text: string, start: number, end: number): void {
  switch (id) {
    case SipHeader.CALL_ID:
      if (!draft.hasCallId && end > start) {
        draft.callId = flatSlice(text, start, end);
        draft.hasCallId = true;
      }
      break;
    case SipHeader.FROM:
      draft.from ??= parseSipAddress(text, start, end);
      break;
    case SipHeader.TO:
      draft.to ??= parseSipAddress(text, start, end);
      break;
    case SipHeader.VIA:
      parseSipVias(text, draft.vias, start, end);
      break;
    case SipHeader.CONTACT:
      parseSipAddressList(text, draft.contacts, start, end);
      break;
    case SipHeader.CONTENT_LENGTH:
      applyContentLength(draft, text.slice(start, end));
      break;
    case SipHeader.CONTENT_TYPE:
      if (draft.contentType === "") draft.contentType = flatSlice(text, start, end);
      break;
    case SipHeader.CSEQ:
      if (draft.cseq === undefined) {
        draft.cseq = parseCSeq(text.slice(start, end));
        draft.badCSeq = draft.cseq === undefined;
      }
      break;
    case SipHeader.USER_AGENT:
      if (draft.userAgent === "") draft.userAgent = flatSlice(text, start, end);
      break;
    case SipHeader.SERVER:
      if (draft.server === "") draft.server = flatSlice(text, start, end);
      break;
    case SipHeader.REASON:
      parseReasons(text, start, end, draft.reasons);
      break;
    case SipHeader.MAX_FORWARDS:
      draft.maxForwards ??= parseUint32(text.slice(start, end));
      break;
    case SipHeader.EXPIRES:
      draft.expires ??= parseUint32(text.slice(start, end));
      break;
  }
}

/**
 * Applies a decimal header (Content-Length, Max-Forwards, Expires) straight from its unfolded, trimmed value bytes
 * `bytes[start, end)`, without decoding a string. Returns false, having changed nothing, when the header is not one
 * of these or the bytes are not a plain 32-bit decimal: the caller then uses `applyHeader()`, which owns every
 * other case (so results are identical either way).
 */
export function applyDecimalHeader(
  draft: MessageDraft,
  id: SipHeaderId,
  bytes: Uint8Array,
  start: number,
  end: number,
): boolean {
  if (id !== SipHeader.CONTENT_LENGTH && id !== SipHeader.MAX_FORWARDS && id !== SipHeader.EXPIRES) return false;
  const value = parseDecimal(bytes, start, end, UINT32_DIGITS_MAX);
  if (value < 0 || value > UINT32_MAX) return false;
  if (id === SipHeader.CONTENT_LENGTH) applyContentLengthNumber(draft, value);
  else if (id === SipHeader.MAX_FORWARDS) draft.maxForwards ??= value;
  else draft.expires ??= value;
  return true;
}
