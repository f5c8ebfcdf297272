// The progress of a scan, as one line a terminal redraws in place:
// "hashing  [##########----------]  52%  7.3 of 14.1 GB  1.9 GB/s  4 s left  3/7 files".
// formatProgress is pure (progress.test.ts); the bar writes to a stream.
import { formatBytes } from './estimate';

export type ProgressState = { doneBytes: number; totalBytes: number; doneFiles: number; totalFiles: number; elapsedMs: number };

const WIDTH = 24;

export function formatProgress(p: ProgressState, label = 'hashing'): string {
  const share = p.totalBytes > 0 ? Math.min(1, p.doneBytes / p.totalBytes) : p.totalFiles > 0 ? p.doneFiles / p.totalFiles : 1;
  const filled = Math.round(share * WIDTH);
  const rate = p.elapsedMs > 0 ? p.doneBytes / (p.elapsedMs / 1000) : 0;
  const left = rate > 0 && share < 1 ? (p.totalBytes - p.doneBytes) / rate : null;
  return [
    label,
    `[${'#'.repeat(filled)}${'-'.repeat(WIDTH - filled)}]`,
    `${String(Math.floor(share * 100)).padStart(3)}%`,
    `${formatBytes(p.doneBytes)} of ${formatBytes(p.totalBytes)}`,
    rate > 0 ? `${formatBytes(rate)}/s` : '',
    left !== null ? `${left < 60 ? Math.ceil(left) : Math.ceil(left / 60)} ${left < 60 ? 's' : 'min'} left` : '',
    `${p.doneFiles}/${p.totalFiles} files`,
  ].filter(Boolean).join('  ');
}

/** A bar on `out`: redrawn in place at most ten times a second on a terminal, a line per tenth otherwise. */
export function createProgressBar(out: NodeJS.WriteStream, totalBytes: number, totalFiles: number, label = 'hashing') {
  const started = performance.now();
  const state: ProgressState = { doneBytes: 0, totalBytes, doneFiles: 0, totalFiles, elapsedMs: 0 };
  let drawnAt = 0;
  let tenth = -1;
  const draw = (force = false) => {
    const now = performance.now();
    state.elapsedMs = now - started;
    if (out.isTTY) {
      if (!force && now - drawnAt < 100) return;
      drawnAt = now;
      out.write(`\r${formatProgress(state, label)}\x1b[K`);
    } else {
      const at = Math.floor((state.totalBytes ? state.doneBytes / state.totalBytes : 1) * 10);
      if (at === tenth && !force) return;
      tenth = at;
      out.write(`${formatProgress(state, label)}\n`);
    }
  };
  return {
    advance(bytes: number) {
      state.doneBytes += bytes;
      draw();
    },
    fileDone() {
      state.doneFiles += 1;
      draw();
    },
    finish() {
      draw(true);
      if (out.isTTY) out.write('\n');
    },
  };
}
