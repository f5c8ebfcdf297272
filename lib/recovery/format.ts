// How recovery times read, on the page and in the PDF alike: "0", "420 ms",
// "38 s", "4.5 min", "2.1 h", "3.2 days". Pure.

const short = (value: number) => (value < 10 ? value.toFixed(1).replace(/\.0$/, '') : Math.round(value).toLocaleString('en-US'));

export function formatSpan(ms: number | null | undefined): string {
  if (ms == null || !Number.isFinite(ms)) return '—';
  if (ms <= 0) return '0';
  if (ms < 1_000) return `${Math.round(ms)} ms`;
  const seconds = ms / 1_000;
  if (seconds < 60) return `${short(seconds)} s`;
  const minutes = seconds / 60;
  if (minutes < 60) return `${short(minutes)} min`;
  const hours = minutes / 60;
  if (hours < 48) return `${short(hours)} h`;
  return `${short(hours / 24)} days`;
}

/** "3.2x" for a measured / objective ratio. */
export const formatRatio = (ratio: number | null) => (ratio == null || !Number.isFinite(ratio) ? '—' : `${ratio < 10 ? ratio.toFixed(1) : Math.round(ratio)}x`);

/** An objective as people write it in a form: seconds with at most 3 decimals. */
export const toSeconds = (ms: number) => Math.round(ms) / 1_000;
