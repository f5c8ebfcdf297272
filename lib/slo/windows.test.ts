import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mixedSpan, planWindows, SHORT_WINDOWS, sloSpan } from './windows';

const at = (iso: string) => new Date(`${iso}Z`);
const iso = (date: Date) => date.toISOString().replace('.000Z', '');

describe('SLO window spans', () => {
  const now = at('2026-03-10T12:34:56');

  test('short windows read every minute bucket that overlaps them, the one in progress included', () => {
    const plan = planWindows(now);
    assert.deepEqual(SHORT_WINDOWS, ['5m', '30m', '1h', '6h']);
    assert.equal(iso(plan.short['5m'].minuteFrom), '2026-03-10T12:29:00');
    assert.equal(iso(plan.short['30m'].minuteFrom), '2026-03-10T12:04:00');
    assert.equal(iso(plan.short['1h'].minuteFrom), '2026-03-10T11:34:00');
    assert.equal(iso(plan.short['6h'].minuteFrom), '2026-03-10T06:34:00');
    assert.equal(iso(plan.recentFrom), '2026-03-10T06:34:00', 'one read of recent minutes serves every short window');
  });

  test('3 days: minutes for the partial oldest hour, whole hours, then minutes of the hour in progress', () => {
    const span = planWindows(now).threeDays;
    assert.equal(iso(span.minuteFrom), '2026-03-07T12:34:00');
    assert.equal(iso(span.hourFrom), '2026-03-07T13:00:00');
    assert.equal(iso(span.hourTo), '2026-03-10T12:00:00');
  });

  test('on a whole minute the window starts exactly W earlier; on a whole hour no partial hour is read', () => {
    const onTheHour = at('2026-03-10T12:00:00');
    assert.equal(iso(planWindows(onTheHour).short['5m'].minuteFrom), '2026-03-10T11:55:00');
    const span = sloSpan(onTheHour, 30);
    assert.equal(iso(span.minuteFrom), '2026-02-08T12:00:00');
    assert.equal(iso(span.hourFrom), '2026-02-08T12:00:00');
    assert.equal(iso(span.hourTo), '2026-03-10T12:00:00');
  });

  test('the SLO window follows the service: 30 days and 7 days', () => {
    assert.equal(iso(sloSpan(now, 30).minuteFrom), '2026-02-08T12:34:00');
    assert.equal(iso(sloSpan(now, 30).hourFrom), '2026-02-08T13:00:00');
    assert.equal(iso(sloSpan(now, 7).minuteFrom), '2026-03-03T12:34:00');
  });

  test('a window under an hour never reads hour rows', () => {
    const span = mixedSpan(at('2026-03-10T12:50:00'), 30 * 60_000);
    assert.equal(iso(span.minuteFrom), '2026-03-10T12:20:00');
    assert.equal(span.hourFrom.getTime(), span.hourTo.getTime());
    assert.ok(span.hourFrom >= span.minuteFrom);
  });
});
