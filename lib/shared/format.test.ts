import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatDuration, formatMs, formatPercent, formatUtc } from './format';

test('durations read in ms, s, min, h and d, never as thousands of ms', () => {
  const table: [number, string][] = [
    [0, '0 ms'], [250, '250 ms'], [2_500, '2.5 s'], [9_999, '9.9 s'], [10_000, '10 s'], [16_487, '16 s'], [60_000, '1 min'], [133_000, '2 min 13 s'],
    [900_000, '15 min'], [3_600_000, '1 h'], [5_400_000, '1 h 30 min'], [86_400_000, '1 d'], [90_000_000, '1 d 1 h'],
  ];
  for (const [ms, text] of table) assert.equal(formatDuration(ms), text, `${ms} ms`);
});

test('a measured latency reads to the millisecond, and nothing measured reads as a dash, never 0', () => {
  assert.equal(formatMs(1234.4), '1,234 ms');
  assert.equal(formatMs(null), '—');
});

test('a share is rounded down, so a failure never reads as 100%', () => {
  assert.equal(formatPercent(0.99996), '99.99%');
  assert.equal(formatPercent(0.999), '99.9%');
  assert.equal(formatPercent(1), '100%');
  assert.equal(formatPercent(0.5), '50%');
  assert.equal(formatPercent(0.1), '10%');
  assert.equal(formatPercent(0.105, 0), '10%');
  assert.equal(formatPercent(1.5, 0), '150%');
  assert.equal(formatPercent(null), '—');
  assert.equal(formatPercent(Number.NaN), '—');
});

test('times read in UTC, to the minute or the second, whatever the input', () => {
  assert.equal(formatUtc('2026-09-14T03:12:09.500Z'), '2026-09-14 03:12 UTC');
  assert.equal(formatUtc(Date.parse('2026-09-14T03:12:09.500Z'), 'second'), '2026-09-14 03:12:09 UTC');
  assert.equal(formatUtc(new Date('2026-09-14T03:12:09Z'), 'second'), '2026-09-14 03:12:09 UTC');
});
