// How availability figures read. Tiny unavailabilities are the point of a
// failover chain, so a figure keeps three significant digits of what is
// missing from 100% ("99.9999875%") instead of rounding it away to "100%".

/** An availability as a percentage, from its unavailability (1 - A). */
export function formatAvailability(unavailability: number): string {
  if (!Number.isFinite(unavailability)) return '—';
  if (unavailability <= 0) return '100%';
  if (unavailability >= 1) return '0%';
  const missing = unavailability * 100;
  const decimals = Math.min(10, Math.max(1, Math.ceil(-Math.log10(missing)) + 2));
  const text = (100 - missing).toFixed(decimals).replace(/\.?0+$/, '');
  // Rounded up to 100 only when past ten decimals: still say it is not perfect.
  return text === '100' ? `> 99.${'9'.repeat(decimals)}%` : `${text}%`;
}

const short = (value: number) => (value < 10 ? value.toFixed(1).replace(/\.0$/, '') : Math.round(value).toLocaleString('en-US'));

/** An expected downtime: "324 ms", "3.9 s", "43 min", "8.8 h", "3.7 days". */
export function formatDowntime(ms: number): string {
  if (!Number.isFinite(ms)) return '—';
  if (ms <= 0) return 'none';
  if (ms < 1) return 'under 1 ms';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const seconds = ms / 1000;
  if (seconds < 60) return `${short(seconds)} s`;
  const minutes = seconds / 60;
  if (minutes < 60) return `${short(minutes)} min`;
  const hours = minutes / 60;
  if (hours < 24) return `${short(hours)} h`;
  const days = hours / 24;
  return `${short(days)} ${days === 1 ? 'day' : 'days'}`;
}

/** A fraction 0..1 as the percentage people type (0.999 → 99.9), without float noise. */
export const toPercent = (fraction: number) => Math.round(fraction * 1_000_000) / 10_000;

/** "12 a year", "0.5 a year". */
export const formatPerYear = (count: number) => `${count < 10 ? Number(count.toFixed(1)) : Math.round(count).toLocaleString('en-US')} a year`;
