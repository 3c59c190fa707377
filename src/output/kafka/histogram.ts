/**
 * A fixed-bucket histogram kept by an output on its hot path: a few numbers per observation and no allocation.
 * The metrics layer turns its snapshot into a Prometheus histogram at scrape time (src/metrics/pulled_histogram.ts),
 * because prom-client's `observe()` takes one value at a time and would cost a label hash per record.
 *
 * @module
 */

/** A read-only view of a histogram: what `stats()` hands to the metrics layer and the control API. */
export interface HistogramSnapshot {
  /** Upper bounds (inclusive, ascending) of the finite buckets, in the histogram's unit. */
  readonly upperBounds: readonly number[];
  /** Observations per bucket, not cumulative; one more entry than `upperBounds` (the last is `+Inf`). */
  readonly counts: readonly number[];
  /** Sum of the observed values. */
  readonly sum: number;
  /** Number of observations. */
  readonly count: number;
}

/** Capture-to-acknowledgement buckets, in seconds: 1 ms to 60 s. */
export const ACK_LATENCY_BOUNDS_S: readonly number[] = [
  0.001,
  0.0025,
  0.005,
  0.01,
  0.025,
  0.05,
  0.1,
  0.25,
  0.5,
  1,
  2.5,
  5,
  10,
  30,
  60,
];

/** Records per produced batch: 1 to the largest `batchRecordsMax` worth configuring. */
export const BATCH_RECORDS_BOUNDS: readonly number[] = [1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10_000];

/** See the module documentation. */
export class FixedHistogram {
  readonly upperBounds: readonly number[];
  readonly #counts: Float64Array;
  #sum = 0;
  #count = 0;

  /** `upperBounds` must be ascending; values above the last land in the `+Inf` bucket. */
  constructor(upperBounds: readonly number[]) {
    for (let i = 1; i < upperBounds.length; i++) {
      if (!(upperBounds[i] > upperBounds[i - 1])) throw new RangeError("Histogram bounds must be ascending");
    }
    this.upperBounds = upperBounds;
    this.#counts = new Float64Array(upperBounds.length + 1);
  }

  /** Adds `times` observations of `value`; a negative or non-finite value counts as 0 (clock skew, bad time). */
  observe(value: number, times = 1): void {
    const v = value >= 0 && value < Infinity ? value : 0;
    const bounds = this.upperBounds;
    let bucket = 0;
    // Linear from the bottom: the values kept here (latencies, batch sizes) sit in the first few buckets.
    while (bucket < bounds.length && v > bounds[bucket]) bucket++;
    this.#counts[bucket] += times;
    this.#sum += v * times;
    this.#count += times;
  }

  /** A copy of the current counts. */
  snapshot(): HistogramSnapshot {
    return { upperBounds: this.upperBounds, counts: Array.from(this.#counts), sum: this.#sum, count: this.#count };
  }
}

/**
 * The `q` quantile (0..1) of `snapshot`, interpolated linearly inside its bucket like Prometheus'
 * `histogram_quantile` (the first bucket starts at 0; a quantile in `+Inf` reads as the last finite bound).
 * 0 when the histogram is empty.
 */
export function histogramQuantile(snapshot: HistogramSnapshot, q: number): number {
  const { upperBounds, counts, count } = snapshot;
  if (count === 0) return 0;
  const rank = Math.min(1, Math.max(0, q)) * count;
  let below = 0;
  for (let bucket = 0; bucket < counts.length; bucket++) {
    const inBucket = counts[bucket];
    if (below + inBucket >= rank && inBucket > 0) {
      if (bucket === upperBounds.length) return upperBounds[upperBounds.length - 1] ?? 0;
      const low = bucket === 0 ? 0 : upperBounds[bucket - 1];
      return low + (upperBounds[bucket] - low) * ((rank - below) / inBucket);
    }
    below += inBucket;
  }
  return upperBounds[upperBounds.length - 1] ?? 0;
}

/** True when `value` has the shape of a `HistogramSnapshot` (the metrics layer reads outputs' stats untyped). */
export function isHistogramSnapshot(value: unknown): value is HistogramSnapshot {
  if (typeof value !== "object" || value === null) return false;
  const { upperBounds, counts, sum, count } = value as Record<string, unknown>;
  return Array.isArray(upperBounds) && Array.isArray(counts) && counts.length === upperBounds.length + 1 &&
    typeof sum === "number" && typeof count === "number";
}
