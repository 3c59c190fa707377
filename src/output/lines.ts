/**
 * Line-oriented outputs (JSONL files, the console) turn a batch of records into one newline-terminated UTF-8 buffer,
 * written with one call.
 * @module
 */
import type { OutputRecord } from "./output.ts";

const encoder = new TextEncoder();

/** A batch of records as one buffer, and how many records made it in or could not be encoded. */
export interface EncodedLines {
  bytes: Uint8Array;
  lines: number;
  unencodable: number;
}

/** Encodes one line per record with `lineOf` (null: the record cannot be encoded and is left out). */
export function encodeLines(
  records: readonly OutputRecord[],
  lineOf: (record: OutputRecord) => string | null,
): EncodedLines {
  let text = "";
  let lines = 0;
  let unencodable = 0;
  for (const record of records) {
    const line = lineOf(record);
    if (line === null) {
      unencodable++;
      continue;
    }
    text += line + "\n";
    lines++;
  }
  return { bytes: encoder.encode(text), lines, unencodable };
}
