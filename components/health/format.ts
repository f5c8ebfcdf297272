// Display helpers for live health numbers. "—" stands for "no data", never zero.

export const NO_DATA = '—';

export const formatMs = (value: number | null) => (value == null ? NO_DATA : `${Math.round(value).toLocaleString('en-US')} ms`);

export function formatRate(rate: number | null): string {
  if (rate == null) return NO_DATA;
  // 99.96% shown as 100% would hide failures: floor, so only a perfect rate reads 100%.
  const percent = Math.floor(rate * 1000 + 1e-9) / 10;
  return `${percent.toFixed(percent === 100 ? 0 : 1)}%`;
}

export const rateColor = (rate: number | null) => (rate == null ? 'dimmed' : rate >= 0.99 ? 'teal' : rate >= 0.95 ? 'yellow' : 'red');

/** A span of time in its two largest units: "45s", "2m 13s", "3h 5m", "2d 4h". */
export function formatDuration(totalMs: number): string {
  const seconds = Math.max(0, Math.floor(totalMs / 1000));
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m ${seconds % 60}s`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return `${hours}h ${minutes % 60}m`;
  return `${Math.floor(hours / 24)}d ${hours % 24}h`;
}

/** "12s ago", or "just now" before the clock has ticked on the client. */
export const formatAgo = (iso: string, now: number | null) => (now == null ? 'just now' : `${formatDuration(now - Date.parse(iso))} ago`);

/** HH:MM:SS of an ISO time, in UTC like every other time in Standby. */
export const clockUtc = (iso: string | number) => new Date(iso).toISOString().slice(11, 19);
