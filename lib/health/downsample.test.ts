import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { emptyHistogram } from './histogram';
import { burnDown, chartWindow, defaultChartRange, fillBuckets, firstDataAt, rankErrorClasses, RANGE_SPECS, type GroupedRollup, type RangeSpec } from './downsample';

const at = (iso: string) => Date.parse(iso);
/** A histogram with `count` values in bucket `index` (lib/health/histogram.ts bounds). */
const hist = (...entries: [index: number, count: number][]) => {
  const h = emptyHistogram();
  for (const [index, count] of entries) h[index] = count;
  return h;
};
const near = (actual: (number | null)[], expected: (number | null)[]) => {
  assert.equal(actual.length, expected.length);
  actual.forEach((value, i) => {
    if (expected[i] === null) assert.equal(value, null, `index ${i}`);
    else assert.ok(value !== null && Math.abs(value - expected[i]!) < 1e-9, `index ${i}: ${value} ≠ ${expected[i]}`);
  });
};

describe('ranges', () => {
  test('no range sends more than ~170 points per series, and each reads the rollup resolution its buckets need', () => {
    for (const spec of Object.values(RANGE_SPECS)) {
      assert.ok(spec.bucketCount <= 170, spec.range);
      assert.equal((spec.bucketSeconds % spec.resolutionSec), 0, `${spec.range}: a bucket is a whole number of rollup rows`);
    }
    assert.deepEqual(
      Object.values(RANGE_SPECS).map((s) => [s.range, s.bucketSeconds * s.bucketCount]),
      [['1h', 3600], ['24h', 86_400], ['7d', 604_800], ['30d', 2_592_000]],
    );
  });
});

describe('defaultChartRange', () => {
  test('opens on the smallest range that holds all the data: a 15-minute-old estate on 1 h, never on 24 h', () => {
    const now = Date.UTC(2026, 5, 15, 14, 0);
    const ago = (minutes: number) => now - minutes * 60_000;
    const table: [number | null, string][] = [[null, '1h'], [ago(15), '1h'], [ago(60), '1h'], [ago(61), '24h'], [ago(24 * 60), '24h'], [ago(3 * 24 * 60), '7d'], [ago(20 * 24 * 60), '30d'], [ago(90 * 24 * 60), '30d']];
    for (const [first, range] of table) assert.equal(defaultChartRange(first, now), range, `${first === null ? 'no data' : (now - first) / 60_000} min old`);
  });
});

describe('firstDataAt', () => {
  const t = (hhmm: string) => Date.parse(`2026-12-07T${hhmm}:00.000Z`);

  test('traffic that began at 03:58 began at 03:58, not at 03:00 where its hourly rollup starts', () => {
    assert.equal(firstDataAt([{ resolutionSec: 60, first: t('03:58') }, { resolutionSec: 3600, first: t('03:00') }]), t('03:58'));
    assert.equal(defaultChartRange(firstDataAt([{ resolutionSec: 60, first: t('03:58') }, { resolutionSec: 3600, first: t('03:00') }]), t('04:01')), '1h');
  });

  test('an hourly rollup older than every minute rollup is the oldest data; none at all is null', () => {
    assert.equal(firstDataAt([{ resolutionSec: 60, first: t('03:58') }, { resolutionSec: 3600, first: t('01:00') }]), t('01:00'));
    assert.equal(firstDataAt([{ resolutionSec: 3600, first: t('01:00') }]), t('01:00'));
    assert.equal(firstDataAt([]), null);
  });
});

describe('chartWindow', () => {
  const now = at('2026-11-21T14:07:30.000Z');

  test('1 h: 60 one-minute buckets, the last one (14:07) still running', () => {
    const w = chartWindow(RANGE_SPECS['1h'], now);
    assert.equal(new Date(w.start).toISOString(), '2026-11-21T13:08:00.000Z');
    assert.equal(new Date(w.end).toISOString(), '2026-11-21T14:08:00.000Z');
    assert.equal(w.bucketMs, 60_000);
  });

  test('24 h: quarter-hour buckets ending with the one that holds now', () => {
    const w = chartWindow(RANGE_SPECS['24h'], now);
    assert.equal(new Date(w.start).toISOString(), '2026-11-20T14:15:00.000Z');
    assert.equal(new Date(w.end).toISOString(), '2026-11-21T14:15:00.000Z');
  });

  test('7 d: hours; 30 d: 6-hour blocks aligned to 00, 06, 12 and 18 UTC', () => {
    const week = chartWindow(RANGE_SPECS['7d'], now);
    assert.equal(new Date(week.start).toISOString(), '2026-11-14T15:00:00.000Z');
    assert.equal(new Date(week.end).toISOString(), '2026-11-21T15:00:00.000Z');
    const month = chartWindow(RANGE_SPECS['30d'], now);
    assert.equal(new Date(month.start).toISOString(), '2026-10-22T18:00:00.000Z');
    assert.equal(new Date(month.end).toISOString(), '2026-11-21T18:00:00.000Z');
  });

  test('exactly on a boundary, the bucket that starts now is the running one', () => {
    const w = chartWindow(RANGE_SPECS['1h'], at('2026-11-21T14:00:00.000Z'));
    assert.equal(new Date(w.end).toISOString(), '2026-11-21T14:01:00.000Z');
  });
});

describe('fillBuckets', () => {
  const spec: RangeSpec = { range: '1h', label: 'test', bucketSeconds: 60, resolutionSec: 60, bucketCount: 3, refreshMs: 5_000 };
  const now = at('2026-11-21T10:02:20.000Z');
  const window = chartWindow(spec, now); // 10:00, 10:01, 10:02 (running)
  const t0 = window.start;

  const rows: GroupedRollup[] = [
    // Two rows in the first bucket (as finer rollups would come): merged before percentiles are read.
    { bucket: t0, requests: 3, failures: 1, latencyHist: hist([4, 3]), ttftHist: emptyHistogram() },
    { bucket: t0 + 30_000, requests: 1, failures: 0, latencyHist: hist([9, 1]), ttftHist: emptyHistogram() },
    { bucket: t0 + 120_000, requests: 10, failures: 0, latencyHist: hist([0, 10]), ttftHist: hist([1, 10]) },
    // Before the window: ignored.
    { bucket: t0 - 60_000, requests: 99, failures: 99, latencyHist: hist([20, 99]), ttftHist: emptyHistogram() },
  ];
  const buckets = fillBuckets(window, rows, [
    { bucket: t0 + 30_000, kind: 'error', key: 'rate_limited', count: 1 },
    { bucket: t0, kind: 'served', key: 'upstream', count: 4 },
    { bucket: t0 + 120_000, kind: 'served', key: 'cache', count: 10 },
    { bucket: t0 + 120_000, kind: 'error', key: 'server_error', count: 0 },
    { bucket: t0 + 180_000, kind: 'error', key: 'server_error', count: 7 },
  ], now);

  test('every bucket of the window is there, in order, with its start time', () => {
    assert.deepEqual(buckets.map((b) => b.t), ['2026-11-21T10:00:00.000Z', '2026-11-21T10:01:00.000Z', '2026-11-21T10:02:00.000Z']);
    assert.deepEqual(buckets.map((b) => b.partial), [false, false, true]);
  });

  test('counts add up per bucket and availability is good / requests', () => {
    assert.deepEqual(buckets.map((b) => [b.requests, b.failures, b.availability]), [[4, 1, 0.75], [0, 0, null], [10, 0, 1]]);
  });

  test('a bucket without traffic has no availability and no percentiles, never 100%', () => {
    const empty = buckets[1];
    assert.deepEqual([empty.availability, empty.p50, empty.p95, empty.p99, empty.ttftP50, empty.ttftP95], [null, null, null, null, null, null]);
  });

  test('percentiles come from the merged histogram', () => {
    // Bucket 0: 3 values in (50, 75] and 1 in (300, 400]. p50 = rank 2 of 4: 50 + 25 × 2/3 = 66.7;
    // p95 and p99 = rank 4: the whole (300, 400] bucket, 400.
    assert.deepEqual([buckets[0].p50, buckets[0].p95, buckets[0].p99], [67, 400, 400]);
    assert.equal(buckets[0].ttftP50, null, 'no streamed answers: no TTFT');
    // Bucket 2: 10 values in (0, 5]: p50 = rank 5 → 2.5, rounded 3. TTFT 10 in (5, 10]: p50 7.5 → 8, p95 rank 10 → 10.
    assert.deepEqual([buckets[2].p50, buckets[2].ttftP50, buckets[2].ttftP95], [3, 8, 10]);
  });

  test('error classes and served-by counts land in their bucket; zero counts and later rows are dropped', () => {
    assert.deepEqual(buckets.map((b) => b.errorsByClass), [{ rate_limited: 1 }, {}, {}]);
    assert.deepEqual(buckets.map((b) => b.servedBy), [{ upstream: 4 }, {}, { cache: 10 }]);
  });

  test('histograms shorter than HISTOGRAM_LENGTH count the rest as zeros', () => {
    const [only] = fillBuckets({ ...window, bucketCount: 1 }, [{ bucket: t0, requests: 2, failures: 0, latencyHist: [0, 2], ttftHist: [] }], [], now);
    // Both values in (5, 10]: p50 = rank 1 of 2, 5 + 5 × 1/2 = 7.5, rounded 8; no TTFT at all.
    assert.deepEqual([only.p50, only.ttftP50], [8, null]);
  });
});

describe('burnDown', () => {
  const buckets = [
    { requests: 1000, failures: 0 },
    { requests: 1000, failures: 1 },
    { requests: 0, failures: 0 },
    { requests: 2000, failures: 2 },
  ];

  test('remaining: 99.9% of 4,000 requests allows 4 failures; 1 then 2 more leave 75% then 25%', () => {
    near(burnDown(buckets, 0.999, 'remaining'), [1, 0.75, 0.75, 0.25]);
  });

  test('consumed: the same failures use 25% then 75% of the range’s budget', () => {
    near(burnDown(buckets, 0.999, 'consumed'), [0, 0.25, 0.25, 0.75]);
  });

  test('an overspent budget goes below zero remaining, above 100% consumed', () => {
    // 99% of 100 requests allows 1 failure; 5 failed.
    near(burnDown([{ requests: 100, failures: 5 }], 0.99, 'remaining'), [-4]);
    near(burnDown([{ requests: 100, failures: 5 }], 0.99, 'consumed'), [5]);
  });

  test('no traffic, or an SLO of 100%, has no budget to chart', () => {
    near(burnDown([{ requests: 0, failures: 0 }, { requests: 0, failures: 0 }], 0.999, 'remaining'), [null, null]);
    near(burnDown([{ requests: 10, failures: 0 }], 1, 'remaining'), [null]);
  });
});

describe('rankErrorClasses', () => {
  test('largest total first across buckets, ties by name', () => {
    const ranked = rankErrorClasses([
      { errorsByClass: { server_error: 2, rate_limited: 1 } },
      { errorsByClass: { rate_limited: 4, header_timeout: 2 } },
      { errorsByClass: {} },
    ]);
    assert.deepEqual(ranked, ['rate_limited', 'header_timeout', 'server_error']);
  });
});
