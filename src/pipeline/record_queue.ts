/**
 * The bounded hand-off between a pipeline and its outputs: records accumulate while a batch is processed and the
 * consumer drains them after it. Past `recordsMax` new records are dropped and counted, never buffered without
 * bound (a slow output shows up as `drops`, not as memory growth).
 * @module
 */

import type { PipelineRecord } from "./records.ts";

/** Default bound: a batch of 1024 packets rarely makes more than a few hundred records. */
export const RECORDS_MAX_DEFAULT = 65536;

/** A bounded FIFO of records with a drop counter. */
export class RecordQueue {
  readonly recordsMax: number;
  /** Records refused because the queue was full. */
  drops = 0;
  #records: PipelineRecord[] = [];

  constructor(recordsMax = RECORDS_MAX_DEFAULT) {
    if (!(recordsMax >= 1)) throw new RangeError(`Cannot create a record queue of ${recordsMax} records`);
    this.recordsMax = recordsMax;
  }

  /** Records waiting. */
  get depth(): number {
    return this.#records.length;
  }

  /** Adds `record`; false (and counted) when the queue is full. */
  push(record: PipelineRecord): boolean {
    if (this.#records.length >= this.recordsMax) {
      this.drops++;
      return false;
    }
    this.#records.push(record);
    return true;
  }

  /** Takes every waiting record, oldest first. */
  drain(): PipelineRecord[] {
    const records = this.#records;
    this.#records = [];
    return records;
  }
}
