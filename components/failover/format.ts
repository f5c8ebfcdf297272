// Durations as operators say them: 200 ms, 3 s, 2 min.
export function formatMs(ms: number): string {
  if (ms < 1000) return `${ms} ms`;
  if (ms < 60_000 || ms % 60_000 !== 0) return `${Number((ms / 1000).toFixed(1))} s`;
  return `${ms / 60_000} min`;
}

export const formatRpm = (rpm: number) => `${rpm.toLocaleString('en-US')} RPM`;

export const formatPercent = (fraction: number) => (Number.isFinite(fraction) ? `${Math.round(fraction * 100).toLocaleString('en-US')}%` : '—');

/** "requests/min" with one decimal below 10, none above. */
export const formatLoad = (rpm: number) => `${rpm < 10 ? rpm.toFixed(1) : Math.round(rpm).toLocaleString('en-US')} requests/min`;
