import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatDuration } from './format';

test('durations read in ms, s, min, h and d, never as thousands of ms', () => {
  const table: [number, string][] = [
    [0, '0 ms'], [250, '250 ms'], [2_500, '2.5 s'], [9_999, '9.9 s'], [10_000, '10 s'], [16_487, '16 s'], [60_000, '1 min'], [133_000, '2 min 13 s'],
    [900_000, '15 min'], [3_600_000, '1 h'], [5_400_000, '1 h 30 min'], [86_400_000, '1 d'], [90_000_000, '1 d 1 h'],
  ];
  for (const [ms, text] of table) assert.equal(formatDuration(ms), text, `${ms} ms`);
});
