import assert from "node:assert/strict";
import {
  ACK_LATENCY_BOUNDS_S,
  FixedHistogram,
  histogramQuantile,
  type HistogramSnapshot,
  isHistogramSnapshot,
} from "./histogram.ts";

Deno.test("FixedHistogram.observe() counts each value in the first bucket whose bound holds it", () => {
  const histogram = new FixedHistogram([1, 10, 100]);
  for (const value of [0, 1, 1.5, 10, 50, 100, 101, 1e9]) histogram.observe(value);
  histogram.observe(5, 3);
  const snapshot = histogram.snapshot();
  assert.deepEqual(snapshot.counts, [2, 5, 2, 2]);
  assert.equal(snapshot.count, 11);
  assert.equal(snapshot.sum, 0 + 1 + 1.5 + 10 + 50 + 100 + 101 + 1e9 + 15);
});

Deno.test("FixedHistogram.observe() counts negative and non-finite values as 0", () => {
  const histogram = new FixedHistogram(ACK_LATENCY_BOUNDS_S);
  for (const value of [-5, NaN, Infinity]) histogram.observe(value);
  const snapshot = histogram.snapshot();
  assert.equal(snapshot.counts[0], 3);
  assert.equal(snapshot.sum, 0);
});

Deno.test("FixedHistogram rejects bounds that are not ascending", () => {
  assert.throws(() => new FixedHistogram([1, 1]), RangeError);
  assert.throws(() => new FixedHistogram([2, 1]), RangeError);
});

Deno.test("FixedHistogram.snapshot() is a copy that later observations do not change", () => {
  const histogram = new FixedHistogram([1]);
  const before = histogram.snapshot();
  histogram.observe(2);
  assert.deepEqual(before.counts, [0, 0]);
  assert.deepEqual(histogram.snapshot().counts, [0, 1]);
});

Deno.test("histogramQuantile() interpolates inside the bucket like histogram_quantile", () => {
  const snapshot: HistogramSnapshot = { upperBounds: [10, 20, 40], counts: [50, 40, 10, 0], sum: 0, count: 100 };
  assert.equal(histogramQuantile(snapshot, 0.5), 10);
  assert.equal(histogramQuantile(snapshot, 0.25), 5);
  assert.equal(histogramQuantile(snapshot, 0.7), 15);
  assert.equal(histogramQuantile(snapshot, 0.95), 30);
  assert.equal(histogramQuantile({ ...snapshot, counts: [0, 0, 0, 0], count: 0 }, 0.5), 0);
  assert.equal(histogramQuantile({ ...snapshot, counts: [0, 0, 1, 3], count: 4 }, 0.99), 40, "+Inf reads as 40");
});

Deno.test("isHistogramSnapshot() accepts snapshots and rejects other values", () => {
  assert.ok(isHistogramSnapshot(new FixedHistogram([1, 2]).snapshot()));
  assert.ok(!isHistogramSnapshot(3));
  assert.ok(!isHistogramSnapshot(null));
  assert.ok(!isHistogramSnapshot({ upperBounds: [1], counts: [1], sum: 0, count: 1 }));
});
