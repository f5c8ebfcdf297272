// Display helpers for live health numbers. "—" stands for "no data", never zero.
import { formatDuration } from '@/lib/shared/format';

export const NO_DATA = '—';

export function formatRate(rate: number | null): string {
  if (rate == null) return NO_DATA;
  // 99.96% shown as 100% would hide failures: floor, so only a perfect rate reads 100%.
  const percent = Math.floor(rate * 1000 + 1e-9) / 10;
  return `${percent.toFixed(percent === 100 ? 0 : 1)}%`;
}

export const rateColor = (rate: number | null) => (rate == null ? 'dimmed' : rate >= 0.99 ? 'teal' : rate >= 0.95 ? 'yellow' : 'red');

/** "12 s ago", or "just now" before the clock has ticked on the client. */
export function formatAgo(iso: string, now: number | null): string {
  const ms = now == null ? 0 : now - Date.parse(iso);
  // Whole seconds: the smallest unit worth ticking on a page.
  return ms < 1_000 ? 'just now' : `${formatDuration(Math.floor(ms / 1_000) * 1_000)} ago`;
}

/** HH:MM:SS of an ISO time, in UTC like every other time in Standby. */
export const clockUtc = (iso: string | number) => new Date(iso).toISOString().slice(11, 19);

/** A failed probe's error in words, with its status: "server error (503)"; null for a probe that succeeded without one. */
export function probeError(probe: { ok: boolean; errorClass: string | null; statusCode: number | null }): string | null {
  if (!probe.errorClass) return null;
  return `${probe.errorClass.replace(/_/g, ' ')}${!probe.ok && probe.statusCode != null ? ` (${probe.statusCode})` : ''}`;
}
