import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatProgress } from './progress';

test('the bar says how far, how fast, how long and how many files', () => {
  assert.equal(
    formatProgress({ doneBytes: 7.3e9, totalBytes: 14.1e9, doneFiles: 3, totalFiles: 7, elapsedMs: 4_000 }),
    'hashing  [############------------]   51%  7.3 GB of 14.1 GB  1.82 GB/s  4 s left  3/7 files',
  );
  assert.equal(formatProgress({ doneBytes: 10, totalBytes: 10, doneFiles: 2, totalFiles: 2, elapsedMs: 1 }), 'hashing  [########################]  100%  10 B of 10 B  10 kB/s  2/2 files');
});
