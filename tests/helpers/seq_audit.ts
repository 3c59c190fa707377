/**
 * Test helper (not a test): audits numbered messages read back from a sink (Kafka, in offset order) against the
 * numbers a sender sent: which numbers are missing (as ranges), how many arrived more than once, and whether first
 * arrivals kept the sending order. The sender is tests/helpers/send_sip_rate.py; its marks say when each left.
 * @module
 */

/** What `auditSequences` found. */
export interface SeqAudit {
  /** Messages read, duplicates included. */
  records: number;
  /** Distinct numbers in [0, sent). */
  distinct: number;
  /** `records` minus the first arrival of each number (foreign messages not counted). */
  duplicates: number;
  /** Numbers in [0, sent) never read, as inclusive [first, last] ranges in ascending order. */
  missing: [number, number][];
  /** First arrivals lower than an earlier first arrival (0 when delivery kept the sending order). */
  outOfOrder: number;
  /** Messages whose number is not one the sender sent (negative or >= sent). */
  foreign: number;
}

/** The number in a Call-ID (or Kafka key) `seq-<n>@host`; -1 when it is not one of ours. */
export function seqOfKey(key: string): number {
  const match = /^seq-(\d+)@/.exec(key);
  return match === null ? -1 : Number(match[1]);
}

/** Audits `seqs` (in the order they were read) against the numbers 0 .. sent-1. */
export function auditSequences(seqs: Iterable<number>, sent: number): SeqAudit {
  const seen = new Uint8Array(sent);
  const audit: SeqAudit = { records: 0, distinct: 0, duplicates: 0, missing: [], outOfOrder: 0, foreign: 0 };
  let highest = -1;
  for (const seq of seqs) {
    audit.records++;
    if (!(seq >= 0 && seq < sent)) {
      audit.foreign++;
      continue;
    }
    if (seen[seq] === 1) {
      audit.duplicates++;
      continue;
    }
    seen[seq] = 1;
    audit.distinct++;
    if (seq < highest) audit.outOfOrder++;
    else highest = seq;
  }
  let start = -1;
  for (let seq = 0; seq <= sent; seq++) {
    const present = seq === sent || seen[seq] === 1;
    if (!present && start < 0) start = seq;
    if (present && start >= 0) {
      audit.missing.push([start, seq - 1]);
      start = -1;
    }
  }
  return audit;
}

/** A sender mark: message `seq` left at `ms` (epoch). */
export type SendMark = [seq: number, ms: number];

/** When message `seq` left, from the last mark at or before it (the marks are ascending); NaN before the first. */
export function sentAtMs(marks: readonly SendMark[], seq: number): number {
  let low = 0;
  let high = marks.length - 1;
  let found = -1;
  while (low <= high) {
    const middle = (low + high) >> 1;
    if (marks[middle]![0] <= seq) {
      found = middle;
      low = middle + 1;
    } else {
      high = middle - 1;
    }
  }
  return found < 0 ? NaN : marks[found]![1];
}
