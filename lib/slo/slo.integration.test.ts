import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { disconnect, uniqueName } from '@/test/fixtures';
import { db } from '@/lib/server/db';
import { emptyHistogram } from '@/lib/health/histogram';
import { getServiceSlo, readWindowCounts } from './data';
import { evaluateBurnRateAlerts } from './evaluate';

// Every read takes `now`, so the timelines below are fixed and worked by hand:
// 12:34:56 UTC, inside the hour that started at 12:00.
const NOW = new Date('2026-03-10T12:34:56Z');
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const minutesAgo = (n: number, from = NOW) => new Date(Math.floor(from.getTime() / MINUTE) * MINUTE - n * MINUTE);
const hoursAgo = (n: number, from = NOW) => new Date(Math.floor(from.getTime() / HOUR) * HOUR - n * HOUR);

type Row = { resolutionSec: 60 | 3600; bucket: Date; requests: number; failures: number };

async function serviceWithRollups(rows: Row[], sloWindowDays = 30) {
  const service = await db().service.create({ data: { name: uniqueName('slo-svc'), sloWindowDays }, select: { id: true, name: true } });
  await insertRollups(service.id, rows);
  return service;
}

async function insertRollups(serviceId: string, rows: Row[]) {
  await db().serviceRollup.createMany({
    data: rows.map((r) => ({ serviceId, ...r, latencyHist: emptyHistogram(), ttftHist: emptyHistogram() })),
  });
}

/** One minute row per minute from `from` minutes ago up to and including `to` minutes ago. */
function minutes(from: number, to: number, requests: number, failures: (ago: number) => number, base = NOW): Row[] {
  const rows: Row[] = [];
  for (let ago = from; ago >= to; ago -= 1) rows.push({ resolutionSec: 60, bucket: minutesAgo(ago, base), requests, failures: failures(ago) });
  return rows;
}

/** One hour row per whole hour before the one in progress, `count` of them. */
function hours(count: number, requests: number, failures: number): Row[] {
  return Array.from({ length: count }, (_, i) => ({ resolutionSec: 3600 as const, bucket: hoursAgo(i + 1), requests, failures }));
}

const alertsOf = (serviceId: string) => db().alertEvent.findMany({ where: { serviceId }, orderBy: { openedAt: 'asc' } });

after(disconnect);

describe('SLO window counts from rollups', () => {
  test('each window takes the buckets it overlaps, hour rows only for whole hours, and nothing twice', async () => {
    const at = (ms: number) => new Date(ms);
    const service = await serviceWithRollups([
      { resolutionSec: 60, bucket: at(Date.parse('2026-03-10T12:35:00Z')), requests: 9_000, failures: 9_000 }, // after now: never counted
      { resolutionSec: 60, bucket: at(Date.parse('2026-03-10T12:34:00Z')), requests: 10, failures: 1 }, // minute in progress
      { resolutionSec: 60, bucket: at(Date.parse('2026-03-10T12:29:00Z')), requests: 20, failures: 2 }, // holds 12:29:56, so inside 5 min
      { resolutionSec: 60, bucket: at(Date.parse('2026-03-10T12:28:00Z')), requests: 40, failures: 4 }, // outside 5 min, inside 30 min
      { resolutionSec: 60, bucket: at(Date.parse('2026-03-10T11:34:00Z')), requests: 80, failures: 8 }, // first minute of the hour window
      { resolutionSec: 60, bucket: at(Date.parse('2026-03-10T11:33:00Z')), requests: 160, failures: 16 }, // outside 1 h, inside 6 h
      { resolutionSec: 3600, bucket: at(Date.parse('2026-03-10T12:00:00Z')), requests: 7_777, failures: 77 }, // hour in progress: read from its minutes instead
      { resolutionSec: 3600, bucket: at(Date.parse('2026-03-10T11:00:00Z')), requests: 1_000, failures: 10 }, // a whole hour inside 3 d
      // The 3-day edge: the oldest partial hour comes from minutes, the whole hours after it from hour rows.
      { resolutionSec: 60, bucket: at(Date.parse('2026-03-07T12:33:00Z')), requests: 500, failures: 50 }, // before the window (12:34:56)
      { resolutionSec: 60, bucket: at(Date.parse('2026-03-07T12:34:00Z')), requests: 300, failures: 3 }, // overlaps the window start
      { resolutionSec: 60, bucket: at(Date.parse('2026-03-07T12:59:00Z')), requests: 200, failures: 2 },
      { resolutionSec: 3600, bucket: at(Date.parse('2026-03-07T12:00:00Z')), requests: 5_000, failures: 500 }, // partial hour for 3 d: not read there
      { resolutionSec: 3600, bucket: at(Date.parse('2026-03-07T13:00:00Z')), requests: 2_000, failures: 20 },
      { resolutionSec: 60, bucket: at(Date.parse('2026-03-07T13:05:00Z')), requests: 70, failures: 7 }, // already inside the 13:00 hour row
      // The 30-day edge, the same way.
      { resolutionSec: 60, bucket: at(Date.parse('2026-02-08T12:34:00Z')), requests: 100, failures: 1 },
      { resolutionSec: 60, bucket: at(Date.parse('2026-02-08T12:32:00Z')), requests: 600, failures: 60 }, // before the window
      { resolutionSec: 3600, bucket: at(Date.parse('2026-02-08T13:00:00Z')), requests: 4_000, failures: 4 },
      { resolutionSec: 3600, bucket: at(Date.parse('2026-02-08T12:00:00Z')), requests: 3_000, failures: 300 }, // partial hour: not read
    ]);

    const counts = (await readWindowCounts([{ id: service.id, sloWindowDays: 30 }], NOW)).get(service.id)!;
    assert.deepEqual(counts.windows['5m'], { requests: 30, failures: 3 });
    assert.deepEqual(counts.windows['30m'], { requests: 70, failures: 7 });
    assert.deepEqual(counts.windows['1h'], { requests: 150, failures: 15 });
    assert.deepEqual(counts.windows['6h'], { requests: 310, failures: 31 });
    // 3 d: minutes of this hour (10 + 20 + 40) + hour 11:00 (1,000) + 13:00 three days ago (2,000) + edge minutes (300 + 200);
    // the minutes 11:34 and 11:33 are inside the 11:00 hour row, and 13:05 inside the 13:00 one.
    assert.deepEqual(counts.windows['3d'], { requests: 3_570, failures: 42 });
    // 30 d: its edge minute (100) + its whole hours (4,000 + 5,000 + 2,000 + 1,000) + this hour's minutes (70);
    // the 3-day edge minutes are inside the 12:00 hour row three days ago, a whole hour for this window.
    assert.deepEqual(counts.slo, { requests: 12_170, failures: 542 });
  });

  test('a service without rollups has no traffic in any window; a 7-day SLO window stops at 7 days', async () => {
    const quiet = await serviceWithRollups([]);
    const weekly = await serviceWithRollups([...hours(24 * 7 + 5, 100, 1)], 7);
    const counts = await readWindowCounts([{ id: quiet.id, sloWindowDays: 30 }, { id: weekly.id, sloWindowDays: 7 }], NOW);
    assert.deepEqual(counts.get(quiet.id), {
      windows: { '5m': { requests: 0, failures: 0 }, '30m': { requests: 0, failures: 0 }, '1h': { requests: 0, failures: 0 }, '6h': { requests: 0, failures: 0 }, '3d': { requests: 0, failures: 0 } },
      slo: { requests: 0, failures: 0 },
    });
    // Whole hours from 13:00 seven days ago to 11:00 today: 7 × 24 - 1 = 167 of them (the partial oldest hour would come from minutes).
    assert.deepEqual(counts.get(weekly.id)!.slo, { requests: 16_700, failures: 167 });
    assert.deepEqual(counts.get(weekly.id)!.windows['3d'], { requests: 7_100, failures: 71 });
  });
});

describe('burn-rate alerts', () => {
  let burst: { id: string; name: string };

  before(async () => {
    // Steady traffic for three days, then half of every request failing for the last five minutes.
    // 1 h: 61 buckets, 61,000 requests, 1,500 failed: 24.6× (pages); 5 min: the 6 buckets it overlaps, 6,000 with 1,500 failed: 250×.
    // 6 h: 361,000 with 1,500 failed: 4.2× (under 6×, no second page); 3 d: far under 1×.
    burst = await serviceWithRollups([...minutes(360, 0, 1_000, (ago) => (ago <= 4 ? 300 : 0)), ...hours(72, 60_000, 0)]);
  });

  test('a burst of errors opens one page alert for the fast rule, with the window counts', async () => {
    const result = await evaluateBurnRateAlerts(NOW);
    assert.deepEqual(result.opened.filter((a) => a.serviceName === burst.name).map((a) => [a.rule, a.severity]), [['page-1h', 'page']]);

    const [alert, ...others] = await alertsOf(burst.id);
    assert.equal(others.length, 0);
    assert.equal(alert.kind, 'burn_rate');
    assert.equal(alert.severity, 'page');
    assert.equal(alert.resolvedAt, null);
    assert.ok(Math.abs(alert.longBurn - 1_500 / 61_000 / 0.001) < 1e-6);
    assert.ok(Math.abs(alert.shortBurn - 250) < 1e-6);
    const details = alert.details as { long: { window: string; requests: number; failures: number }; short: { window: string; requests: number; failures: number } };
    assert.deepEqual(details.long, { window: '1h', requests: 61_000, failures: 1_500 });
    assert.deepEqual(details.short, { window: '5m', requests: 6_000, failures: 1_500 });
  });

  test('while it keeps firing, the alert is refreshed, never duplicated', async () => {
    const later = new Date(NOW.getTime() + 30_000);
    const result = await evaluateBurnRateAlerts(later);
    assert.equal(result.opened.filter((a) => a.serviceName === burst.name).length, 0);
    await evaluateBurnRateAlerts(later);
    const alerts = await alertsOf(burst.id);
    assert.equal(alerts.length, 1);
    assert.equal(alerts[0].lastSeenAt.toISOString(), later.toISOString());
    assert.equal(alerts[0].openedAt.toISOString(), NOW.toISOString());
  });

  test('the service page shows the firing rule, the budget and the open alert', async () => {
    const slo = await getServiceSlo(burst.name, NOW);
    assert.ok(slo);
    assert.equal(slo.status.firing, 'page');
    assert.deepEqual(slo.status.rules.filter((r) => r.firing).map((r) => r.id), ['page-1h']);
    assert.deepEqual(slo.openAlerts.map((a) => a.rule), ['page-1h']);
    // 30 d: 72 hours × 60,000 + this hour's 35 minutes × 1,000 = 4,355,000 requests, 1,500 failed; budget 4,355.
    assert.equal(slo.status.window.requests, 4_355_000);
    assert.ok(Math.abs(slo.status.budget.remainingFailures - 2_855) < 1e-6);
    assert.ok(Math.abs((slo.status.budget.remainingFraction ?? 0) - 2_855 / 4_355) < 1e-9);
    const fiveMinutes = slo.status.windows.find((w) => w.window === '5m')!;
    assert.deepEqual(fiveMinutes.rules, [{ id: 'page-1h', role: 'short', severity: 'page', threshold: 14.4, firing: true }]);
    assert.equal(await getServiceSlo(uniqueName('missing'), NOW), null);
  });

  test('recovery resolves the alert once the short window is clean, and it does not reopen', async () => {
    const recovered = new Date(NOW.getTime() + 6 * MINUTE);
    await insertRollups(burst.id, minutes(5, 0, 1_000, () => 0, recovered));
    const result = await evaluateBurnRateAlerts(recovered);
    assert.deepEqual(result.resolved.filter((a) => a.serviceName === burst.name).map((a) => a.rule), ['page-1h']);
    await evaluateBurnRateAlerts(new Date(recovered.getTime() + 30_000));

    const alerts = await alertsOf(burst.id);
    assert.equal(alerts.length, 1);
    assert.equal(alerts[0].resolvedAt?.toISOString(), recovered.toISOString());
    const slo = await getServiceSlo(burst.name, recovered);
    assert.deepEqual(slo?.openAlerts, []);
    assert.deepEqual(slo?.recentAlerts.map((a) => a.rule), ['page-1h']);
  });

  test('a slow burn opens a ticket and no page', async () => {
    // 0.15% failing everywhere: 1.5× in every window, over the ticket's 1× and under both pages.
    const slow = await serviceWithRollups([...minutes(360, 0, 2_000, () => 3), ...hours(72, 10_000, 15)]);
    await evaluateBurnRateAlerts(NOW);
    const alerts = await alertsOf(slow.id);
    assert.deepEqual(alerts.map((a) => [a.rule, a.severity, a.resolvedAt]), [['ticket-3d', 'ticket', null]]);
    assert.ok(Math.abs(alerts[0].longBurn - 1.5) < 1e-9 && Math.abs(alerts[0].shortBurn - 1.5) < 1e-9);
  });

  test('an alert for a service that no longer exists is resolved', async () => {
    const gone = await serviceWithRollups(minutes(60, 0, 100, () => 100));
    await evaluateBurnRateAlerts(NOW);
    assert.equal((await alertsOf(gone.id)).filter((a) => !a.resolvedAt).length, 3);
    await db().service.delete({ where: { id: gone.id } });
    await evaluateBurnRateAlerts(NOW);
    assert.equal((await alertsOf(gone.id)).filter((a) => !a.resolvedAt).length, 0);
  });

  test('opening and resolving are announced on standby_events for the incident flow', async () => {
    const listener = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await listener.connect();
    try {
      const events: { serviceId: string; rule: string; severity: string; resolved: boolean }[] = [];
      listener.on('notification', (message) => {
        if (message.channel === 'standby_events' && message.payload) events.push(JSON.parse(message.payload));
      });
      await listener.query('LISTEN standby_events');
      const noisy = await serviceWithRollups(minutes(10, 0, 100, () => 50));
      await evaluateBurnRateAlerts(NOW);
      await db().serviceRollup.deleteMany({ where: { serviceId: noisy.id } });
      await evaluateBurnRateAlerts(NOW);
      const deadline = Date.now() + 5_000;
      while (events.filter((e) => e.serviceId === noisy.id).length < 6 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      const mine = events.filter((e) => e.serviceId === noisy.id).map((e) => `${e.rule}:${e.severity}:${e.resolved ? 'resolved' : 'opened'}`);
      assert.deepEqual(mine.sort(), ['page-1h:page:opened', 'page-1h:page:resolved', 'page-6h:page:opened', 'page-6h:page:resolved', 'ticket-3d:ticket:opened', 'ticket-3d:ticket:resolved']);
    } finally {
      await listener.end();
    }
  });
});
