// Durations as incidents say them (pure, shared by the server and the page).

/** 850 ms, 42 s, 3 min 10 s, 2 h 5 min. */
export function spokenDuration(ms: number): string {
  if (ms < 1_000) return `${Math.max(0, Math.round(ms))} ms`;
  if (ms < 60_000) return `${Math.round(ms / 100) / 10} s`;
  if (ms < 3_600_000) return `${Math.floor(ms / 60_000)} min${ms % 60_000 >= 1_000 ? ` ${Math.round((ms % 60_000) / 1_000)} s` : ''}`;
  return `${Math.floor(ms / 3_600_000)} h${ms % 3_600_000 >= 60_000 ? ` ${Math.floor((ms % 3_600_000) / 60_000)} min` : ''}`;
}
