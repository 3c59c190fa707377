/**
 * Live record feeds for `task tail`: each subscriber has a bounded queue; a slow client loses records (counted)
 * instead of holding memory or slowing capture. Records are summarised only while someone listens.
 * @module
 */
import type { OutputRecord } from "../output/output.ts";
import type { TailFilter } from "../control/task_control.ts";

/** Records a subscriber may have waiting before newer ones are dropped. */
export const TAIL_QUEUE_MAX = 1000;

/** One record as a tail client sees it. */
export interface TailItem {
  type: string;
  timestampMs: number;
  summary: string;
  record: Record<string, unknown>;
}

interface Subscriber {
  filter: TailFilter;
  queue: TailItem[];
  dropped: number;
  closed: boolean;
  wake: (() => void) | null;
}

/** One line for people from a record's value: the fields that identify it. */
export function summarize(record: OutputRecord): string {
  const value = record.value instanceof Uint8Array ? {} : record.value as Record<string, unknown>;
  const parts: string[] = [];
  for (const key of ["src", "dst", "method", "status", "call_id", "callId", "query", "summary"]) {
    const field = value[key];
    if (field !== undefined && field !== null && typeof field !== "object") parts.push(`${key}=${field}`);
  }
  return parts.length > 0 ? parts.join(" ") : JSON.stringify(value).slice(0, 200);
}

/** Fans records out to tail subscribers. */
export class TailHub {
  #subscribers = new Set<Subscriber>();

  /** Whether anyone listens (the runtime skips summarising otherwise). */
  get active(): boolean {
    return this.#subscribers.size > 0;
  }

  /** Offers records to every subscriber whose filter keeps them. */
  publish(records: readonly OutputRecord[]): void {
    for (const subscriber of this.#subscribers) {
      const { types, contains } = subscriber.filter;
      for (const record of records) {
        if (types.length > 0 && !types.includes(record.type)) continue;
        const summary = summarize(record);
        if (contains !== "" && !summary.includes(contains)) continue;
        if (subscriber.queue.length >= TAIL_QUEUE_MAX) {
          subscriber.dropped++;
          continue;
        }
        const value = record.value instanceof Uint8Array ? {} : record.value as Record<string, unknown>;
        subscriber.queue.push({ type: record.type, timestampMs: record.timestampMs, summary, record: value });
      }
      subscriber.wake?.();
    }
  }

  /** Ends every subscription (the task was deleted). */
  closeAll(): void {
    for (const subscriber of this.#subscribers) {
      this.#subscribers.delete(subscriber);
      subscriber.closed = true;
      subscriber.wake?.();
    }
  }

  /** Items until `signal` aborts, or until `closeAll()` and the items already queued are taken. */
  async *subscribe(filter: TailFilter, signal: AbortSignal): AsyncGenerator<TailItem> {
    const subscriber: Subscriber = { filter, queue: [], dropped: 0, closed: false, wake: null };
    this.#subscribers.add(subscriber);
    const onAbort = () => subscriber.wake?.();
    signal.addEventListener("abort", onAbort, { once: true });
    try {
      while (!signal.aborted) {
        const item = subscriber.queue.shift();
        if (item !== undefined) {
          yield item;
          continue;
        }
        if (subscriber.closed) break;
        await new Promise<void>((resolve) => (subscriber.wake = resolve));
        subscriber.wake = null;
      }
    } finally {
      signal.removeEventListener("abort", onAbort);
      this.#subscribers.delete(subscriber);
    }
  }
}
