/**
 * Walks the header section of a SIP message one logical header at a time: folded continuation lines are joined to
 * their header, CRLF and bare LF both end a line, and the empty line ends the section. Positions only; no allocation.
 * @module
 */
import { COLON, CR, isSpace, LF, skipSpace, trimEnd } from "./_bytes.ts";
import { decodeText } from "./_flat.ts";
import { lookupSipHeader, SipHeader, type SipHeaderId } from "./header_name.ts";

/** Most header lines accepted in one message (folded lines count); bounds the work per message. */
export const SIP_HEADER_LINES_MAX = 512;

/** What `HeaderScanner.next()` found. */
export type ScanStep = "header" | "end" | "truncated" | "too_many";

/** A cursor over header lines; the fields describe the current header after `next()` returned "header". */
export class HeaderScanner {
  id: SipHeaderId = SipHeader.OTHER;
  nameStart = 0;
  nameEnd = 0;
  valueStart = 0;
  valueEnd = 0;
  /** The value spans continuation lines (it then contains line breaks to collapse). */
  folded = false;
  /** Offset just past the empty line, once `next()` returned "end". */
  bodyOffset = -1;
  /** Lines skipped because they had no colon or continued nothing. */
  malformedLines = 0;
  #bytes: Uint8Array = new Uint8Array(0);
  #pos = 0;
  #lines = 0;
  /** Every byte of the lines scanned so far, ORed: shows whether they were all ASCII at no extra pass. */
  #byteBits = 0;

  /** Starts scanning `bytes` at `pos` (just after the start line). */
  reset(bytes: Uint8Array, pos: number): void {
    this.#bytes = bytes;
    this.#pos = pos;
    this.#lines = 0;
    this.#byteBits = 0;
    this.bodyOffset = -1;
    this.malformedLines = 0;
  }

  /** Advances to the next header. */
  next(): ScanStep {
    const bytes = this.#bytes;
    while (true) {
      if (this.#lines >= SIP_HEADER_LINES_MAX) return "too_many";
      const lineStart = this.#pos;
      // One loop finds the line end and the first colon (a colon is never CR, so it lies before the content end).
      let colon = -1;
      let lf = -1;
      let bits = 0;
      for (let i = lineStart; i < bytes.length; i++) {
        const byte = bytes[i]!;
        if (byte === LF) {
          lf = i;
          break;
        }
        if (byte === COLON && colon === -1) colon = i;
        bits |= byte;
      }
      this.#byteBits |= bits;
      if (lf === -1) return "truncated";
      const contentEnd = lf > lineStart && bytes[lf - 1] === CR ? lf - 1 : lf;
      this.#pos = lf + 1;
      if (contentEnd === lineStart) {
        this.bodyOffset = this.#pos;
        return "end";
      }
      this.#lines++;
      if (isSpace(bytes[lineStart]!)) colon = -1; // A continuation line that continues no header.
      if (colon === -1) {
        this.malformedLines++;
        continue;
      }
      this.nameStart = lineStart;
      this.nameEnd = trimEnd(bytes, lineStart, colon);
      this.valueStart = skipSpace(bytes, colon + 1, contentEnd);
      this.valueEnd = contentEnd;
      this.folded = false;
      if (!this.#absorbContinuations()) return "truncated";
      this.valueEnd = trimEnd(bytes, this.valueStart, this.valueEnd);
      this.id = lookupSipHeader(bytes, this.nameStart, this.nameEnd);
      return "header";
    }
  }

  /** True when every byte of the lines scanned since `reset()` is ASCII. */
  get asciiOnly(): boolean {
    return (this.#byteBits & 0x80) === 0;
  }

  /** Index of the next LF at or after `pos`, or -1; notes the bits of the bytes before it. */
  #lineFeedAt(pos: number): number {
    // A plain loop: header lines are short, and TypedArray.prototype.indexOf costs a runtime call each time (measured).
    const bytes = this.#bytes;
    let bits = 0;
    for (let i = pos; i < bytes.length; i++) {
      const byte = bytes[i]!;
      if (byte === LF) {
        this.#byteBits |= bits;
        return i;
      }
      bits |= byte;
    }
    this.#byteBits |= bits;
    return -1;
  }

  /** Extends the current value over following lines that start with SP/HT; false if the bytes end first. */
  #absorbContinuations(): boolean {
    const bytes = this.#bytes;
    const end = bytes.length;
    while (this.#pos < end && isSpace(bytes[this.#pos]!)) {
      if (this.#lines >= SIP_HEADER_LINES_MAX) return true; // next() reports too_many.
      const lf = this.#lineFeedAt(this.#pos);
      if (lf === -1) return false;
      this.valueEnd = lf > this.#pos && bytes[lf - 1] === CR ? lf - 1 : lf;
      this.folded = true;
      this.#lines++;
      this.#pos = lf + 1;
    }
    // A header that ends exactly at the end of the bytes may still have continuation lines to come.
    return this.#pos < end;
  }
}

/** The value at `bytes[start, end)` as a string; a `folded` one has its line breaks collapsed to one space. */
export function headerValue(bytes: Uint8Array, start: number, end: number, folded: boolean): string {
  const text = decodeText(bytes, start, end);
  return folded ? text.replace(/[ \t]*\r?\n[ \t]*/g, " ").trim() : text;
}
