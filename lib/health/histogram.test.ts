import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { addToHistogram, bucketIndex, emptyHistogram, HISTOGRAM_LENGTH, LATENCY_BUCKETS_MS, mergeHistograms, percentileFromHistogram } from './histogram';

describe('latency histogram', () => {
  it('puts a latency in the first bucket whose bound is at least it', () => {
    assert.equal(bucketIndex(0), 0);
    assert.equal(bucketIndex(5), 0);
    assert.equal(bucketIndex(6), 1);
    assert.equal(bucketIndex(100), LATENCY_BUCKETS_MS.indexOf(100));
    assert.equal(bucketIndex(101), LATENCY_BUCKETS_MS.indexOf(150));
    assert.equal(bucketIndex(10_000_000), HISTOGRAM_LENGTH - 1);
  });

  it('merges element-wise and treats a missing histogram as zeros', () => {
    const a = emptyHistogram();
    addToHistogram(a, 3, 2);
    const b = emptyHistogram();
    addToHistogram(b, 3);
    addToHistogram(b, 900);
    mergeHistograms(a, b);
    mergeHistograms(a, null);
    assert.equal(a[0], 3);
    assert.equal(a[bucketIndex(900)], 1);
    assert.equal(a.reduce((s, n) => s + n, 0), 4);
  });

  it('reads percentiles back by interpolating inside the bucket', () => {
    const h = emptyHistogram();
    // 100 requests: 90 between 50 and 75 ms, 10 between 750 and 1000 ms.
    addToHistogram(h, 60, 90);
    addToHistogram(h, 800, 10);
    assert.equal(percentileFromHistogram(h, 0.5), 50 + (25 * 50) / 90);
    assert.equal(percentileFromHistogram(h, 0.9), 75);
    assert.equal(percentileFromHistogram(h, 0.95), 750 + (250 * 5) / 10);
    assert.equal(percentileFromHistogram(h, 1), 1000);
  });

  it('has no percentile without data, and reports the open bucket by its lower bound', () => {
    assert.equal(percentileFromHistogram(emptyHistogram(), 0.5), null);
    const h = emptyHistogram();
    addToHistogram(h, 500_000);
    assert.equal(percentileFromHistogram(h, 0.99), 120_000);
  });
});
