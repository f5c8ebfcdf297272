import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parsePeriod, periodChoices, quarterKeyOf } from './period';

const now = Date.parse('2026-08-20T10:00:00Z');

test('quarters are calendar quarters in UTC; the current one runs to now', () => {
  const q2 = parsePeriod('2026-Q2', now)!;
  assert.equal(new Date(q2.from).toISOString(), '2026-04-01T00:00:00.000Z');
  assert.equal(new Date(q2.to).toISOString(), '2026-07-01T00:00:00.000Z');
  assert.equal(q2.label, 'Q2 2026');
  const q3 = parsePeriod('2026-Q3', now)!;
  assert.equal(q3.to, now);
  assert.equal(q3.label, 'Q3 2026 to date');
  assert.equal(parsePeriod('2026-Q4', now), null, 'not started');
  assert.equal(quarterKeyOf(now), '2026-Q3');
  const q4 = parsePeriod('2025-Q4', now)!;
  assert.equal(new Date(q4.to).toISOString(), '2026-01-01T00:00:00.000Z');
});

test('the default is the last 90 days; ranges are whole UTC days; anything else is refused', () => {
  const rolling = parsePeriod(null, now)!;
  assert.equal(rolling.key, '90d');
  assert.equal(now - rolling.from, 90 * 86_400_000);
  const range = parsePeriod('2026-07-01..2026-07-31', now)!;
  assert.equal(range.to - range.from, 31 * 86_400_000);
  for (const bad of ['2026-Q5', 'last-quarter', '2026-07-31..2026-07-01', '2020-01-01..2026-01-01', "'; DROP TABLE"]) assert.equal(parsePeriod(bad, now), null, bad);
  assert.deepEqual(periodChoices(now).map((c) => c.value), ['90d', '2026-Q3', '2026-Q2', '2026-Q1', '2025-Q4', '2025-Q3']);
});
