// Display helpers for the history charts: time ticks and labels suited to each
// range, percentages that never round a failure away, and the colours of
// markers and error classes as Mantine CSS variables (so both colour schemes
// read well). Pure (format.test.ts). Times are UTC, like everywhere in Standby.
import type { ChartMarker, MarkerKind } from '@/lib/health/chart-data';
import type { ChartRange } from '@/lib/health/downsample';

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** Distance between time-axis ticks: five to eight ticks per range. */
export const TICK_STEP_MS: Record<ChartRange, number> = { '1h': 10 * MINUTE_MS, '24h': 3 * HOUR_MS, '7d': DAY_MS, '30d': 5 * DAY_MS };

/** Tick times in [from, to], on multiples of the range's step since the epoch (so whole hours and UTC midnights). */
export function timeTicks(range: ChartRange, from: number, to: number): number[] {
  const step = TICK_STEP_MS[range];
  const ticks: number[] = [];
  for (let t = Math.ceil(from / step) * step; t <= to; t += step) ticks.push(t);
  return ticks;
}

const hhmm = (t: number) => new Date(t).toISOString().slice(11, 16);
const dayMonth = (t: number) => {
  const d = new Date(t);
  return `${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]}`;
};

/** A tick label: the clock for 1 h and 24 h (with the date at midnight), the date for 7 d and 30 d. */
export function formatTick(range: ChartRange, t: number): string {
  if (range === '7d' || range === '30d') return dayMonth(t);
  if (range === '24h' && t % DAY_MS === 0) return dayMonth(t);
  return hhmm(t);
}

/** The span a bucket covers, for tooltips: "2026-06-15 14:00–14:15 UTC". */
export function formatBucket(startIso: string, bucketSeconds: number): string {
  const start = Date.parse(startIso);
  return `${startIso.slice(0, 10)} ${hhmm(start)}–${hhmm(start + bucketSeconds * 1000)} UTC`;
}

/** "1 min", "15 min", "1 h", "6 h": a bucket width for captions and axis units. */
export function formatBucketWidth(bucketSeconds: number): string {
  return bucketSeconds < 3600 ? `${bucketSeconds / 60} min` : `${bucketSeconds / 3600} h`;
}

/** A budget fraction (may be negative when overspent, or above 1 when consumed beyond it) as a whole or one-decimal percentage. */
export function formatBudget(value: number | null): string {
  if (value == null) return '—';
  const percent = value * 100;
  return `${Math.abs(percent) >= 10 ? Math.round(percent) : Math.round(percent * 10) / 10}%`;
}

/** The smallest 1, 2 or 5 × 10^k at least `value` (> 0), for axis ends that give round ticks. */
export function niceCeil(value: number): number {
  if (!(value > 0)) return 0;
  const power = 10 ** Math.floor(Math.log10(value));
  const step = [1, 2, 5, 10].find((m) => m * power >= value - 1e-9)!;
  return step * power;
}

export const formatCount = (value: number) => Math.round(value).toLocaleString('en-US');

export const MARKER_KIND_LABELS: Record<MarkerKind, string> = { tier: 'Tier change', tier_override: 'Tier override', breaker: 'Breaker', flip: 'Routing flip' };
export const MARKER_COLORS: Record<MarkerKind, string> = {
  tier: 'var(--mantine-color-violet-6)',
  tier_override: 'var(--mantine-color-pink-6)',
  breaker: 'var(--mantine-color-red-6)',
  flip: 'var(--mantine-color-cyan-6)',
};
/** Mantine colour names of the same, for Badges. */
export const MARKER_BADGE_COLORS: Record<MarkerKind, string> = { tier: 'violet', tier_override: 'pink', breaker: 'red', flip: 'cyan' };

/** Error classes get these in order of volume; the rest share OTHER_COLOR. */
export const ERROR_CLASS_COLORS = [
  'var(--mantine-color-red-6)',
  'var(--mantine-color-orange-6)',
  'var(--mantine-color-yellow-6)',
  'var(--mantine-color-grape-6)',
  'var(--mantine-color-pink-5)',
  'var(--mantine-color-lime-7)',
];
export const OTHER_COLOR = 'var(--mantine-color-gray-6)';

export type MarkerGroup = { at: number; markers: ChartMarker[] };

/**
 * Markers gathered by the chart bucket they fall in, so that a burst of events
 * draws one line (at the first of them) rather than a smudge. Markers outside
 * the chart are dropped.
 */
export function groupMarkers(markers: readonly ChartMarker[], from: number, bucketMs: number, bucketCount: number): Map<number, MarkerGroup> {
  const groups = new Map<number, MarkerGroup>();
  for (const marker of markers) {
    const at = Date.parse(marker.at);
    const index = Math.floor((at - from) / bucketMs);
    if (index < 0 || index >= bucketCount) continue;
    const group = groups.get(index);
    if (group) group.markers.push(marker);
    else groups.set(index, { at, markers: [marker] });
  }
  return groups;
}

/** A flag is about 16 px wide on a chart about 450 px wide: flags closer than this share of the axis would overlap. */
export const FLAG_WIDTH_SHARE = 0.04;

/**
 * Groups whose flags would overlap, merged into one: a run of groups each
 * within `minGap` buckets of the previous one becomes one flag at the first,
 * counting all their markers, so a burst drawn in a few pixels reads "12" rather
 * than a pile of circles on top of each other.
 */
export function clusterMarkers(groups: Map<number, MarkerGroup>, minGap: number): Map<number, MarkerGroup> {
  const clustered = new Map<number, MarkerGroup>();
  let open: { index: number; last: number; group: MarkerGroup } | null = null;
  for (const index of [...groups.keys()].sort((a, b) => a - b)) {
    const group = groups.get(index)!;
    if (open && index - open.last < minGap) {
      open.group.markers.push(...group.markers);
      open.last = index;
      continue;
    }
    open = { index, last: index, group: { at: group.at, markers: [...group.markers] } };
    clustered.set(index, open.group);
  }
  return clustered;
}
