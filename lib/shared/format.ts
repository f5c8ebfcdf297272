// Durations in the units a person reads at a glance, the same everywhere: on
// pages, in breaker causes kept in the database, in logs. Pure (duration.test.ts).

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
