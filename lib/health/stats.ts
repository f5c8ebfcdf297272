// Health statistics over samples: the same definitions the SQL in data.ts
// computes (percentile_cont, FILTER (WHERE ok)), kept pure so they are tested by
// hand here and can be reused by anything that already holds samples.
// Pure (stats.test.ts): no I/O, no clock.

/** A health sample as far as the statistics care. */
export type StatSample = { ok: boolean; latencyMs: number; ttftMs: number | null; errorClass: string | null };

export type LatencySummary = {
  /** Attempts in the window, successful or not. */
  requests: number;
  /** successes / requests, 0..1; null without requests. */
  successRate: number | null;
  /** Latency and time-to-first-token percentiles of successful attempts, in ms; null without any. */
  p50: number | null;
  p95: number | null;
  ttftP50: number | null;
  ttftP95: number | null;
};

export type WindowSummary = LatencySummary & {
  /** Failed attempts by error class (lib/routing/error-classes.ts); 'unknown' when none was recorded. */
  errorsByClass: Record<string, number>;
};

export type Bucket = { start: number; requests: number; errors: number; p50: number | null; p95: number | null; ttftP50: number | null; ttftP95: number | null };

/**
 * The p-quantile (0..1) of ascending values with linear interpolation between
 * closest ranks: PostgreSQL's percentile_cont, so browser and SQL agree.
 */
export function percentile(sortedValues: readonly number[], p: number): number | null {
  if (!(p >= 0 && p <= 1)) throw new RangeError(`percentile: p must be between 0 and 1, got ${p}`);
  const n = sortedValues.length;
  if (n === 0) return null;
  const rank = p * (n - 1);
  const lower = Math.floor(rank);
  const upper = Math.ceil(rank);
  return sortedValues[lower] + (sortedValues[upper] - sortedValues[lower]) * (rank - lower);
}

const ascending = (a: number, b: number) => a - b;

/**
 * Latency percentiles describe successful attempts only: a fast refusal would
 * flatter them and a timeout is already counted as a failure.
 */
export function summarizeWindow(samples: readonly StatSample[]): WindowSummary {
  const succeeded = samples.filter((s) => s.ok);
  const latencies = succeeded.map((s) => s.latencyMs).sort(ascending);
  const ttfts = succeeded.flatMap((s) => (s.ttftMs == null ? [] : [s.ttftMs])).sort(ascending);
  const errorsByClass: Record<string, number> = {};
  for (const sample of samples) {
    if (!sample.ok) {
      const errorClass = sample.errorClass ?? 'unknown';
      errorsByClass[errorClass] = (errorsByClass[errorClass] ?? 0) + 1;
    }
  }
  return {
    requests: samples.length,
    successRate: samples.length === 0 ? null : succeeded.length / samples.length,
    p50: percentile(latencies, 0.5),
    p95: percentile(latencies, 0.95),
    ttftP50: percentile(ttfts, 0.5),
    ttftP95: percentile(ttfts, 0.95),
    errorsByClass,
  };
}

/**
 * Splits [fromMs, toMs) into `buckets` equal buckets and summarises each, for
 * charts. Samples outside the range are left out; empty buckets are kept with
 * zero requests and null percentiles so a chart shows the gap.
 */
export function bucketize(samples: readonly (StatSample & { at: Date | number })[], fromMs: number, toMs: number, buckets: number): Bucket[] {
  if (!Number.isInteger(buckets) || buckets < 1) throw new RangeError(`bucketize: buckets must be a positive whole number, got ${buckets}`);
  if (!(toMs > fromMs)) throw new RangeError('bucketize: toMs must be after fromMs');
  const width = (toMs - fromMs) / buckets;
  const members: StatSample[][] = Array.from({ length: buckets }, () => []);
  for (const sample of samples) {
    const at = typeof sample.at === 'number' ? sample.at : sample.at.getTime();
    if (at < fromMs || at >= toMs) continue;
    members[Math.min(buckets - 1, Math.floor((at - fromMs) / width))].push(sample);
  }
  return members.map((bucket, index) => {
    const { requests, p50, p95, ttftP50, ttftP95 } = summarizeWindow(bucket);
    return { start: fromMs + index * width, requests, errors: bucket.filter((s) => !s.ok).length, p50, p95, ttftP50, ttftP95 };
  });
}
