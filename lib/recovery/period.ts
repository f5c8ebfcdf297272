// The period a grid or report covers. Quarters are calendar quarters in UTC
// ("2026-Q3"), what an audit asks for; "90d" is the last 90 days, the page's
// default, so that the grid is never empty on the first day of a quarter. A
// link names its period, so the same link shows the same figures later. Pure.
import { DAY } from './model';

export type Period = { key: string; label: string; from: number; to: number };

export const ROLLING_KEY = '90d';
const QUARTER = /^(\d{4})-Q([1-4])$/;
const RANGE = /^(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})$/;

const quarterStart = (year: number, quarter: number) => Date.UTC(year, (quarter - 1) * 3, 1);
export const quarterKeyOf = (at: number) => {
  const d = new Date(at);
  return `${d.getUTCFullYear()}-Q${Math.floor(d.getUTCMonth() / 3) + 1}`;
};

/**
 * The period named by `key` as of `now`: a quarter (to its end, or to now if
 * it is the current one), the last 90 days, or a range of whole UTC days
 * ("2026-07-01..2026-08-15", both days included). null when the key names no
 * period, or one that has not started.
 */
export function parsePeriod(key: string | null | undefined, now: number): Period | null {
  const value = (key ?? ROLLING_KEY).trim();
  if (value === ROLLING_KEY) return { key: ROLLING_KEY, label: 'Last 90 days', from: now - 90 * DAY, to: now };
  const quarter = QUARTER.exec(value);
  if (quarter) {
    const year = Number(quarter[1]);
    const q = Number(quarter[2]);
    const from = quarterStart(year, q);
    const end = q === 4 ? quarterStart(year + 1, 1) : quarterStart(year, q + 1);
    if (from > now || year < 2000) return null;
    return { key: value, label: `Q${q} ${year}${end > now ? ' to date' : ''}`, from, to: Math.min(end, now) };
  }
  const range = RANGE.exec(value);
  if (range) {
    const from = Date.parse(`${range[1]}T00:00:00Z`);
    const to = Date.parse(`${range[2]}T00:00:00Z`) + DAY;
    if (!Number.isFinite(from) || !Number.isFinite(to) || to <= from || from > now || to - from > 400 * DAY) return null;
    return { key: value, label: `${range[1]} to ${range[2]}`, from, to: Math.min(to, now) };
  }
  return null;
}

/** The choices offered: the last 90 days, then this quarter and the four before it. */
export function periodChoices(now: number): { value: string; label: string }[] {
  const choices = [{ value: ROLLING_KEY, label: 'Last 90 days' }];
  const d = new Date(now);
  let year = d.getUTCFullYear();
  let q = Math.floor(d.getUTCMonth() / 3) + 1;
  for (let i = 0; i < 5; i += 1) {
    const period = parsePeriod(`${year}-Q${q}`, now)!;
    choices.push({ value: period.key, label: period.label });
    q -= 1;
    if (q === 0) {
      q = 4;
      year -= 1;
    }
  }
  return choices;
}

/** The period a page's `?period=` asks for (its default when absent), with the choices to offer; period is null when the key names none. */
export function periodFromSearch(raw: string | string[] | undefined, fallback: 'rolling' | 'quarter', now = Date.now()) {
  const key = typeof raw === 'string' ? raw : fallback === 'quarter' ? quarterKeyOf(now) : ROLLING_KEY;
  return { period: parsePeriod(key, now), choices: periodChoices(now), now };
}
