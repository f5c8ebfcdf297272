// Downsampling of a service's rollups for the history charts: which rollup
// resolution and bucket width each range reads, where the buckets fall, how the
// grouped rollups become chart points, and the error-budget burn-down. The
// browser never sees raw samples: at most ~170 points per series.
// Pure (downsample.test.ts): no I/O; time is passed in.
import { emptyHistogram, mergeHistograms, percentileFromHistogram } from './histogram';

export const CHART_RANGES = ['1h', '24h', '7d', '30d'] as const;
export type ChartRange = (typeof CHART_RANGES)[number];

export type RangeSpec = {
  range: ChartRange;
  label: string;
  /** Width of one chart bucket. */
  bucketSeconds: number;
  /** The rollup rows it is built from (prisma ServiceRollup.resolutionSec): minutes or hours. */
  resolutionSec: 60 | 3600;
  bucketCount: number;
  /** How often a live chart of this range polls: a 6-hour bucket does not move in 5 s. */
  refreshMs: number;
};

const MINUTE = 60;
const HOUR = 3600;

export const RANGE_SPECS: Record<ChartRange, RangeSpec> = {
  '1h': { range: '1h', label: 'Last hour', bucketSeconds: MINUTE, resolutionSec: 60, bucketCount: 60, refreshMs: 5_000 },
  '24h': { range: '24h', label: 'Last 24 hours', bucketSeconds: 15 * MINUTE, resolutionSec: 60, bucketCount: 96, refreshMs: 30_000 },
  '7d': { range: '7d', label: 'Last 7 days', bucketSeconds: HOUR, resolutionSec: 3600, bucketCount: 168, refreshMs: 60_000 },
  '30d': { range: '30d', label: 'Last 30 days', bucketSeconds: 6 * HOUR, resolutionSec: 3600, bucketCount: 120, refreshMs: 60_000 },
};

/**
 * The range a chart opens on: the smallest that holds all the service's data
 * (its first rollup at `firstDataAt`), so a fifteen-minute-old estate does not
 * open on 24 hours with everything in the last pixel. No data yet: the
 * smallest range, where the first requests will show.
 */
export function defaultChartRange(firstDataAt: number | null, now: number): ChartRange {
  if (firstDataAt === null) return CHART_RANGES[0];
  const age = now - firstDataAt;
  return CHART_RANGES.find((range) => RANGE_SPECS[range].bucketSeconds * 1_000 * RANGE_SPECS[range].bucketCount >= age) ?? CHART_RANGES[CHART_RANGES.length - 1];
}

/** The oldest data's time from each resolution's first bucket (finest first): a coarse bucket's start counts only when finer rollups do not reach back into it. */
export function firstDataAt(firsts: readonly { resolutionSec: number; first: number }[]): number | null {
  let earliest: number | null = null;
  for (const { resolutionSec, first } of firsts) {
    if (earliest === null || first + resolutionSec * 1_000 <= earliest) earliest = first;
  }
  return earliest;
}

/** Markers per kind a chart shows, the newest: a flapping breaker must not bury the chart or the response. */
export const MARKERS_PER_KIND = 100;

export type ChartWindow = { start: number; end: number; bucketMs: number; bucketCount: number };

/**
 * The buckets a range covers at `now` (epoch ms): aligned to multiples of the
 * bucket width since the epoch (so UTC midnight for hours and 6-hour blocks),
 * as PostgreSQL's date_bin with origin 1970-01-01 aligns them, so that they do
 * not shift between polls. The last bucket is the one in progress.
 */
export function chartWindow(spec: RangeSpec, now: number): ChartWindow {
  const bucketMs = spec.bucketSeconds * 1000;
  const end = Math.floor(now / bucketMs) * bucketMs + bucketMs;
  return { start: end - spec.bucketCount * bucketMs, end, bucketMs, bucketCount: spec.bucketCount };
}

/** One chart bucket's rollups as PostgreSQL groups them (chart-data.ts): counts and merged histograms. */
export type GroupedRollup = { bucket: number; requests: number; failures: number; latencyHist: readonly number[]; ttftHist: readonly number[] };

/** Per-bucket counts kept as JSON in the rollups: error classes and how requests were answered. */
export type GroupedCount = { bucket: number; kind: 'error' | 'served'; key: string; count: number };

export type ChartBucket = {
  /** Bucket start, ISO. */
  t: string;
  requests: number;
  /** Requests that did not count as good (lib/slo/good-request.ts). */
  failures: number;
  /** good / requests, 0..1; null without traffic: no traffic is not 100% available. */
  availability: number | null;
  errorsByClass: Record<string, number>;
  /** Requests by how they were answered (upstream, cache, rule, refused, maintenance, queued). */
  servedBy: Record<string, number>;
  /** Whole-request latency percentiles in ms, from the merged histograms; null without traffic. */
  p50: number | null;
  p95: number | null;
  p99: number | null;
  ttftP50: number | null;
  ttftP95: number | null;
  /** After this bucket: budget remaining or consumed (see BudgetInfo.mode), as a fraction; null when there is no budget to speak of. */
  budget: number | null;
  /** The bucket still running at the time of the read. */
  partial: boolean;
};

const roundMs = (value: number | null) => (value == null ? null : Math.round(value));

/**
 * Every bucket of the window in order, empty ones included (zero requests, null
 * rates and percentiles). Rows are added into the bucket their time falls in, so
 * they may come grouped by bucket (as chart-data.ts's SQL sends them) or at a
 * finer resolution; histograms are merged before percentiles are read. Rows
 * outside the window are ignored. `budget` is left null: see burnDown.
 */
export function fillBuckets(window: ChartWindow, rows: readonly GroupedRollup[], counts: readonly GroupedCount[], now: number): ChartBucket[] {
  const index = (time: number) => {
    const i = Math.floor((time - window.start) / window.bucketMs);
    return i >= 0 && i < window.bucketCount ? i : -1;
  };
  const latency = Array.from({ length: window.bucketCount }, emptyHistogram);
  const ttft = Array.from({ length: window.bucketCount }, emptyHistogram);
  const buckets = Array.from({ length: window.bucketCount }, (_, i): ChartBucket => {
    const start = window.start + i * window.bucketMs;
    return {
      t: new Date(start).toISOString(), requests: 0, failures: 0, availability: null, errorsByClass: {}, servedBy: {},
      p50: null, p95: null, p99: null, ttftP50: null, ttftP95: null, budget: null, partial: start + window.bucketMs > now,
    };
  });
  for (const row of rows) {
    const i = index(row.bucket);
    if (i < 0) continue;
    buckets[i].requests += row.requests;
    buckets[i].failures += row.failures;
    mergeHistograms(latency[i], row.latencyHist);
    mergeHistograms(ttft[i], row.ttftHist);
  }
  for (const count of counts) {
    const i = index(count.bucket);
    if (i < 0 || count.count === 0) continue;
    const into = count.kind === 'error' ? buckets[i].errorsByClass : buckets[i].servedBy;
    into[count.key] = (into[count.key] ?? 0) + count.count;
  }
  buckets.forEach((bucket, i) => {
    bucket.availability = bucket.requests > 0 ? (bucket.requests - bucket.failures) / bucket.requests : null;
    bucket.p50 = roundMs(percentileFromHistogram(latency[i], 0.5));
    bucket.p95 = roundMs(percentileFromHistogram(latency[i], 0.95));
    bucket.p99 = roundMs(percentileFromHistogram(latency[i], 0.99));
    bucket.ttftP50 = roundMs(percentileFromHistogram(ttft[i], 0.5));
    bucket.ttftP95 = roundMs(percentileFromHistogram(ttft[i], 0.95));
  });
  return buckets;
}

export type BudgetMode = 'remaining' | 'consumed';

/**
 * The error budget after each bucket, as a fraction of the budget the range's
 * traffic allows, (1 - SLO) × all its requests:
 * - 'remaining' (the 30-day range read as the SLO window): 1 at the start, falling
 *   by failures / budget, below 0 once overspent;
 * - 'consumed' (shorter ranges, which are not an SLO window): 0 at the start,
 *   rising; 1 means this range alone used as many failures as its traffic allows.
 * Null everywhere without traffic (no budget to speak of) or with an SLO of 100% (none at all).
 */
export function burnDown(buckets: readonly { requests: number; failures: number }[], sloTarget: number, mode: BudgetMode): (number | null)[] {
  const requests = buckets.reduce((sum, b) => sum + b.requests, 0);
  const allowed = (1 - sloTarget) * requests;
  if (!(allowed > 0)) return buckets.map(() => null);
  let failed = 0;
  return buckets.map((bucket) => {
    failed += bucket.failures;
    return mode === 'remaining' ? 1 - failed / allowed : failed / allowed;
  });
}

/** Error classes by total count over the buckets, largest first (ties by name, so colours stay put between polls). */
export function rankErrorClasses(buckets: readonly { errorsByClass: Record<string, number> }[]): string[] {
  const totals = new Map<string, number>();
  for (const bucket of buckets) for (const [key, n] of Object.entries(bucket.errorsByClass)) totals.set(key, (totals.get(key) ?? 0) + n);
  return [...totals.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([key]) => key);
}
