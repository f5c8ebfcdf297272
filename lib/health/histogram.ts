// Latency histograms with fixed bounds, the unit of the per-minute and per-hour
// rollups (prisma ServiceRollup, TargetRollup): they add up across replicas,
// minutes and hours, and percentiles are read back from them. Pure.

/** Upper bounds (ms, inclusive) of every bucket but the last, which holds everything slower. */
export const LATENCY_BUCKETS_MS = [
  5, 10, 25, 50, 75, 100, 150, 200, 300, 400, 500, 750, 1_000, 1_500, 2_000, 3_000, 4_000, 5_000, 7_500, 10_000, 15_000, 20_000, 30_000, 60_000, 120_000,
] as const;

export const HISTOGRAM_LENGTH = LATENCY_BUCKETS_MS.length + 1;

export const emptyHistogram = (): number[] => new Array<number>(HISTOGRAM_LENGTH).fill(0);

/** The bucket a latency falls in: the first whose bound is at least `ms`. */
export function bucketIndex(ms: number): number {
  let low = 0;
  let high: number = LATENCY_BUCKETS_MS.length;
  while (low < high) {
    const mid = (low + high) >> 1;
    if (LATENCY_BUCKETS_MS[mid] >= ms) high = mid;
    else low = mid + 1;
  }
  return low;
}

export function addToHistogram(histogram: number[], ms: number, count = 1): void {
  histogram[bucketIndex(ms)] += count;
}

/** Element-wise sum; a shorter or missing histogram counts as zeros. */
export function mergeHistograms(into: number[], other: readonly number[] | null | undefined): number[] {
  if (!other) return into;
  for (let i = 0; i < HISTOGRAM_LENGTH; i += 1) into[i] += other[i] ?? 0;
  return into;
}

/**
 * The q-quantile (0 < q <= 1) estimated from a histogram: linear within the
 * bucket it falls in, from the bucket's lower bound to its upper bound (the
 * open last bucket reports its lower bound). Null for an empty histogram.
 */
export function percentileFromHistogram(histogram: readonly number[], q: number): number | null {
  const total = histogram.reduce((sum, n) => sum + n, 0);
  if (total === 0) return null;
  const rank = Math.max(1, Math.ceil(q * total));
  let seen = 0;
  for (let i = 0; i < histogram.length; i += 1) {
    const count = histogram[i] ?? 0;
    if (count === 0) continue;
    if (seen + count >= rank) {
      const lower = i === 0 ? 0 : LATENCY_BUCKETS_MS[i - 1];
      if (i >= LATENCY_BUCKETS_MS.length) return lower;
      const upper = LATENCY_BUCKETS_MS[i];
      return lower + ((upper - lower) * (rank - seen)) / count;
    }
    seen += count;
  }
  return LATENCY_BUCKETS_MS[LATENCY_BUCKETS_MS.length - 1];
}
