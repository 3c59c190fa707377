/**
 * RTP sequence number tracking (RFC 3550 Appendix A.1) with duplicate detection: extended sequence numbers across
 * wrap-around, expected vs. received, lost, duplicates and late (out-of-order) packets. One per SSRC; updates do not
 * allocate.
 * @module
 */

/** A jump forward larger than this is a restart or a misbehaving sender, not loss (RFC 3550 A.1). */
export const SEQUENCE_DROPOUT_MAX = 3000;
/** A packet this far behind the highest seen is late; farther, it is a restart candidate (RFC 3550 A.1). */
export const SEQUENCE_MISORDER_MAX = 100;
/** Sequence numbers remembered for duplicate detection (a power of two). */
export const SEQUENCE_WINDOW = 1024;

const SEQ_MOD = 65536;

/** What `SequenceTracker.update` decided about one packet. */
export const SequenceVerdict = {
  /** Next in order, or ahead of the highest seen by less than `SEQUENCE_DROPOUT_MAX` (a gap = loss so far). */
  IN_ORDER: 0,
  /** Behind the highest seen and not seen before: reordered. */
  LATE: 1,
  /** Seen before. */
  DUPLICATE: 2,
  /** A big jump; counted but not used until the next packet confirms the new sequence (then the tracker restarts). */
  JUMP: 3,
} as const;

/** A `SequenceVerdict` value. */
export type SequenceVerdictValue = typeof SequenceVerdict[keyof typeof SequenceVerdict];

/** Sequence state of one SSRC. */
export class SequenceTracker {
  /** Extended sequence number of the first packet (after the last restart). */
  baseSequence = 0;
  /** Highest sequence number seen (16 bits) and the wrap count in units of 65536. */
  maxSequence = 0;
  cycles = 0;
  /** Packets counted toward `expected` since the last restart (not duplicates, not unconfirmed jumps). */
  received = 0;
  duplicates = 0;
  late = 0;
  /** Big jumps seen (each may have restarted the tracker). */
  jumps = 0;
  #badSequence = SEQ_MOD + 1;
  #started = false;
  // Counts from before the last restart, so totals survive a sender's sequence reset.
  #priorExpected = 0;
  #priorReceived = 0;
  readonly #seen = new Uint32Array(SEQUENCE_WINDOW / 32);

  /** Highest extended sequence number seen. */
  get extendedMax(): number {
    return this.cycles + this.maxSequence;
  }

  /** Packets expected from the sequence numbers (RFC 3550 A.3). */
  get expected(): number {
    return this.#started ? this.#priorExpected + this.extendedMax - this.baseSequence + 1 : 0;
  }

  /** Expected minus received (never negative, since duplicates are not counted as received). */
  get lost(): number {
    return Math.max(0, this.expected - this.receivedTotal);
  }

  /** Packets counted toward `expected`, across restarts. */
  get receivedTotal(): number {
    return this.#priorReceived + this.received;
  }

  /** Accounts for one packet with 16-bit sequence number `sequence`. */
  update(sequence: number): SequenceVerdictValue {
    if (!this.#started) {
      this.#restart(sequence);
      return SequenceVerdict.IN_ORDER;
    }
    const ahead = (sequence - this.maxSequence) & 0xffff;
    if (ahead === 0) {
      this.duplicates++;
      return SequenceVerdict.DUPLICATE;
    }
    if (ahead < SEQUENCE_DROPOUT_MAX) {
      if (sequence < this.maxSequence) this.cycles += SEQ_MOD;
      this.#advance(ahead);
      this.maxSequence = sequence;
      this.#mark(this.extendedMax);
      this.received++;
      return SequenceVerdict.IN_ORDER;
    }
    const behind = SEQ_MOD - ahead;
    if (behind > SEQUENCE_MISORDER_MAX) return this.#jump(sequence);
    return this.#lateOrDuplicate(this.extendedMax - behind);
  }

  #lateOrDuplicate(extended: number): SequenceVerdictValue {
    if (extended < this.baseSequence) {
      // Older than the first packet: it extends the expected range backwards.
      this.baseSequence = extended;
    } else if (this.#isMarked(extended)) {
      this.duplicates++;
      return SequenceVerdict.DUPLICATE;
    }
    this.#mark(extended);
    this.received++;
    this.late++;
    return SequenceVerdict.LATE;
  }

  #jump(sequence: number): SequenceVerdictValue {
    if (sequence === this.#badSequence) {
      // Two sequential packets after a jump: the source restarted (RFC 3550 A.1), start counting afresh.
      this.#restart((sequence - 1) & 0xffff);
      this.update(sequence);
      return SequenceVerdict.IN_ORDER;
    }
    this.jumps++;
    this.#badSequence = (sequence + 1) & 0xffff;
    return SequenceVerdict.JUMP;
  }

  #restart(sequence: number): void {
    if (this.#started) {
      this.#priorExpected = this.expected;
      this.#priorReceived += this.received;
    }
    this.#started = true;
    this.baseSequence = sequence;
    this.maxSequence = sequence;
    this.cycles = 0;
    this.received = 1;
    this.#badSequence = SEQ_MOD + 1;
    this.#seen.fill(0);
    this.#mark(sequence);
  }

  /** Clears the window slots of the `ahead` sequence numbers about to become the newest. */
  #advance(ahead: number): void {
    const steps = Math.min(ahead, SEQUENCE_WINDOW);
    const base = this.extendedMax;
    for (let i = 1; i <= steps; i++) {
      const slot = (base + i) & (SEQUENCE_WINDOW - 1);
      this.#seen[slot >>> 5] &= ~(1 << (slot & 31));
    }
  }

  #mark(extended: number): void {
    const slot = extended & (SEQUENCE_WINDOW - 1);
    this.#seen[slot >>> 5] |= 1 << (slot & 31);
  }

  #isMarked(extended: number): boolean {
    if (this.extendedMax - extended >= SEQUENCE_WINDOW) return false;
    const slot = extended & (SEQUENCE_WINDOW - 1);
    return (this.#seen[slot >>> 5]! & (1 << (slot & 31))) !== 0;
  }
}
