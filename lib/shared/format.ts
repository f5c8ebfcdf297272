// How numbers read, the same everywhere: on pages, in breaker causes kept in
// the database, in logs. One formatter per kind of figure (durations, measured
// latencies, shares, UTC times); a domain's own figures (an SLO target, a
// recovery span, a burn rate) build on these. Pure (format.test.ts).

/**
 * "250 ms", "2.5 s", "16 s", "2 min 13 s", "3 h 5 min", "2 d 4 h": two units
 * at most, the smaller left out when it is zero.
 */
export function formatDuration(totalMs: number): string {
  const ms = Math.max(0, Math.round(totalMs));
  if (ms < 1_000) return `${ms} ms`;
  if (ms < 10_000 && ms % 1_000 !== 0) return `${Math.floor(ms / 100) / 10} s`;
  const seconds = Math.floor(ms / 1_000);
  if (seconds < 60) return `${seconds} s`;
  const two = (big: number, bigUnit: string, small: number, smallUnit: string) => `${big} ${bigUnit}${small ? ` ${small} ${smallUnit}` : ''}`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return two(minutes, 'min', seconds % 60, 's');
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return two(hours, 'h', minutes % 60, 'min');
  return two(Math.floor(hours / 24), 'd', hours % 24, 'h');
}

/** A measured latency, to the millisecond: "1,234 ms"; "—" when nothing was measured. */
export const formatMs = (value: number | null) => (value == null ? '—' : `${Math.round(value).toLocaleString('en-US')} ms`);

/**
 * A share as a percentage with up to `digits` decimals, rounded down so that
 * 99.996% never reads as 100%: only a perfect share does. Null reads "—".
 */
export function formatPercent(value: number | null, digits = 2): string {
  if (value == null || !Number.isFinite(value)) return '—';
  if (value === 1) return '100%';
  const scale = 10 ** digits;
  const floored = Math.floor(value * 100 * scale + 1e-9) / scale;
  return `${digits > 0 ? floored.toFixed(digits).replace(/\.?0+$/, '') : floored.toFixed(0)}%`;
}

/**
 * A time in UTC, as every time in Standby is shown, so people in different zones
 * quoting the same incident see the same clock: "2026-09-14 03:12 UTC", or to the second.
 */
export function formatUtc(at: string | number | Date, precision: 'minute' | 'second' = 'minute'): string {
  const iso = typeof at === 'string' ? at : new Date(at).toISOString();
  return `${iso.slice(0, precision === 'second' ? 19 : 16).replace('T', ' ')} UTC`;
}
