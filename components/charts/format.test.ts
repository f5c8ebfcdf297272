import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ChartMarker } from '@/lib/health/chart-data';
import { clusterMarkers, formatBucket, formatBucketWidth, formatBudget, formatTick, groupMarkers, niceCeil, timeTicks } from './format';

const at = (iso: string) => Date.parse(iso);

describe('time axis', () => {
  test('1 h ticks every 10 minutes on the clock', () => {
    const ticks = timeTicks('1h', at('2026-06-15T13:08:00Z'), at('2026-06-15T14:08:00Z'));
    assert.deepEqual(ticks.map((t) => formatTick('1h', t)), ['13:10', '13:20', '13:30', '13:40', '13:50', '14:00']);
  });

  test('24 h ticks every 3 hours, with the date at midnight', () => {
    const ticks = timeTicks('24h', at('2026-06-14T14:15:00Z'), at('2026-06-15T14:15:00Z'));
    assert.deepEqual(ticks.map((t) => formatTick('24h', t)), ['15:00', '18:00', '21:00', '15 Jun', '03:00', '06:00', '09:00', '12:00']);
  });

  test('7 d ticks at each UTC midnight, labelled by date', () => {
    const ticks = timeTicks('7d', at('2026-06-08T15:00:00Z'), at('2026-06-15T15:00:00Z'));
    assert.deepEqual(ticks.map((t) => formatTick('7d', t)), ['9 Jun', '10 Jun', '11 Jun', '12 Jun', '13 Jun', '14 Jun', '15 Jun']);
  });

  test('30 d: six ticks, five days apart', () => {
    const ticks = timeTicks('30d', at('2026-05-16T18:00:00Z'), at('2026-06-15T18:00:00Z'));
    assert.equal(ticks.length, 6);
    assert.ok(ticks.every((t, i) => i === 0 || t - ticks[i - 1] === 5 * 86_400_000));
  });

  test('a bucket reads as its span in UTC', () => {
    assert.equal(formatBucket('2026-06-15T14:00:00.000Z', 900), '2026-06-15 14:00–14:15 UTC');
    assert.equal(formatBucket('2026-06-15T18:00:00.000Z', 21_600), '2026-06-15 18:00–00:00 UTC');
    assert.deepEqual([60, 900, 3600, 21_600].map(formatBucketWidth), ['1 min', '15 min', '1 h', '6 h']);
  });
});

describe('percentages', () => {
  test('budget shows overspending as a negative remainder', () => {
    assert.equal(formatBudget(0.754), '75%');
    assert.equal(formatBudget(0.0512), '5.1%');
    assert.equal(formatBudget(-4), '-400%');
    assert.equal(formatBudget(null), '—');
  });
});

test('axis ends round up to 1, 2 or 5 × 10^k', () => {
  assert.deepEqual([100, 101, 292, 1087, 450, 0.3, 0].map(niceCeil), [100, 200, 500, 2000, 500, 0.5, 0]);
});

describe('groupMarkers', () => {
  const marker = (iso: string, id: string): ChartMarker => ({ id, at: iso, kind: 'breaker', label: id, detail: '' });

  test('markers in the same bucket share one line at the first of them; markers outside the chart are dropped', () => {
    const from = at('2026-06-15T13:00:00Z');
    const groups = groupMarkers(
      [marker('2026-06-15T13:00:10Z', 'a'), marker('2026-06-15T13:00:50Z', 'b'), marker('2026-06-15T13:02:00Z', 'c'), marker('2026-06-15T12:59:59Z', 'early'), marker('2026-06-15T13:03:00Z', 'late')],
      from,
      60_000,
      3,
    );
    assert.deepEqual([...groups.entries()].map(([i, g]) => [i, new Date(g.at).toISOString(), g.markers.map((m) => m.id)]), [
      [0, '2026-06-15T13:00:10.000Z', ['a', 'b']],
      [2, '2026-06-15T13:02:00.000Z', ['c']],
    ]);
  });

  test('flags that would overlap are clustered into one that counts them all; flags apart stay apart', () => {
    const from = at('2026-06-15T13:00:00Z');
    const minute = (m: number, id: string) => marker(`2026-06-15T13:${String(m).padStart(2, '0')}:00Z`, id);
    const groups = groupMarkers([minute(50, 'a'), minute(51, 'b'), minute(51, 'c'), minute(53, 'd'), minute(57, 'e'), minute(10, 'early')], from, 60_000, 60);
    const clustered = clusterMarkers(groups, 3);
    assert.deepEqual([...clustered.entries()].map(([i, g]) => [i, g.markers.map((m) => m.id)]), [
      [10, ['early']],
      [50, ['a', 'b', 'c', 'd']],
      [57, ['e']],
    ]);
    assert.deepEqual([...groups.values()].map((g) => g.markers.length), [1, 2, 1, 1, 1], 'the groups it was given are left as they were');
  });
});
