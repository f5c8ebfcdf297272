// Which ServiceRollup rows make up each SLO window (lib/slo/data.ts). Pure, so
// the edges are unit-tested by hand rather than trusted to SQL.
//
// A window is the span (now - W, now]. Rollup rows cover whole buckets, so a
// window takes every minute bucket that overlaps it: from the minute holding
// now - W up to the minute in progress. It therefore holds between W and
// W + 1 minute of traffic, never less: exact to the minute, which is as far as
// the rollups allow.
//
// Windows up to 6 h read minute rows only. Longer ones (3 d, the 30-day SLO
// window) read hour rows for the whole hours inside them and minute rows for
// the two partial hours at their ends: the hour in progress, and the part of
// the oldest hour that falls inside the window. If minute rows that old have
// been pruned, that oldest part reads as no traffic: the window then starts at
// the next whole hour, under an hour short (under 1.4% of 3 days).
import { BURN_WINDOW_MS, BURN_WINDOWS, type BurnWindow } from './burn-rate';

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;

const floorTo = (ms: number, unit: number) => Math.floor(ms / unit) * unit;
const ceilTo = (ms: number, unit: number) => Math.ceil(ms / unit) * unit;

/** Rows of a window read at minute resolution only: minute buckets from `minuteFrom` to now. */
export type MinuteSpan = { minuteFrom: Date };

/**
 * Rows of a long window: minute buckets in [minuteFrom, hourFrom), hour
 * buckets in [hourFrom, hourTo), and minute buckets from hourTo to now.
 */
export type MixedSpan = { minuteFrom: Date; hourFrom: Date; hourTo: Date };

/** Windows that fit in the minute rows kept for charts and alerting. */
export const MINUTE_ONLY_LIMIT_MS = 6 * HOUR_MS;

export function minuteSpan(now: Date, windowMs: number): MinuteSpan {
  return { minuteFrom: new Date(floorTo(now.getTime() - windowMs, MINUTE_MS)) };
}

export function mixedSpan(now: Date, windowMs: number): MixedSpan {
  const minuteFrom = floorTo(now.getTime() - windowMs, MINUTE_MS);
  const hourTo = floorTo(now.getTime(), HOUR_MS);
  // A window shorter than an hour would have no whole hour: everything is then read from minutes.
  const hourFrom = Math.min(ceilTo(minuteFrom, HOUR_MS), hourTo);
  return { minuteFrom: new Date(minuteFrom), hourFrom: new Date(Math.max(hourFrom, minuteFrom)), hourTo: new Date(Math.max(hourTo, minuteFrom)) };
}

export type ShortWindow = Exclude<BurnWindow, '3d'>;
export const SHORT_WINDOWS = BURN_WINDOWS.filter((w): w is ShortWindow => BURN_WINDOW_MS[w] <= MINUTE_ONLY_LIMIT_MS);

export type WindowPlan = {
  now: Date;
  short: Record<ShortWindow, MinuteSpan>;
  threeDays: MixedSpan;
  /** Minute rows from here to now serve every short window and the hour in progress of the long ones. */
  recentFrom: Date;
};

export function planWindows(now: Date): WindowPlan {
  const short = Object.fromEntries(SHORT_WINDOWS.map((w) => [w, minuteSpan(now, BURN_WINDOW_MS[w])])) as Record<ShortWindow, MinuteSpan>;
  const threeDays = mixedSpan(now, BURN_WINDOW_MS['3d']);
  const oldestShort = Math.min(...SHORT_WINDOWS.map((w) => short[w].minuteFrom.getTime()));
  return { now, short, threeDays, recentFrom: new Date(Math.min(oldestShort, threeDays.hourTo.getTime())) };
}

/** The SLO window of a service (Service.sloWindowDays). */
export function sloSpan(now: Date, windowDays: number): MixedSpan {
  return mixedSpan(now, windowDays * DAY_MS);
}
