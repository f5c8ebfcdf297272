import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createTestProviderAndRegion, disconnect, targetInputFor, uniqueName } from '@/test/fixtures';
import { db } from '@/lib/server/db';
import { emptyHistogram } from './histogram';
import { getServiceChartData } from './chart-data';

// Every read takes `now`, so a fixed time keeps the buckets known by hand.
const now = new Date('2026-06-15T14:07:30.000Z');
const at = (iso: string) => new Date(`2026-06-${iso}:00.000Z`);
const hist = (...entries: [index: number, count: number][]) => {
  const h = emptyHistogram();
  for (const [index, count] of entries) h[index] = count;
  return h;
};

const ids = { service: '', other: '', primary: '', fallback: '', unrelated: '' };
const names = { service: '', primary: '', fallback: '' };

type Rollup = { resolutionSec: 60 | 3600; bucket: Date; requests: number; failures: number; errorsByClass?: Record<string, number>; servedBy?: Record<string, number>; latencyHist?: number[]; ttftHist?: number[] };

async function insertRollups(serviceId: string, rows: Rollup[]) {
  await db().serviceRollup.createMany({
    data: rows.map((row) => ({ serviceId, errorsByClass: {}, servedBy: {}, latencyHist: emptyHistogram(), ttftHist: emptyHistogram(), ...row })),
  });
}

before(async () => {
  const { provider, region } = await createTestProviderAndRegion();
  const target = async () => {
    const { name, providerId, regionId, model, endpointUrl, rpm, tpm, contextWindow, priceInPerMTok, priceOutPerMTok } = targetInputFor(provider.id, region.id);
    const row = await db().target.create({ data: { name, providerId, regionId, model, endpointUrl, rpm, tpm, contextWindow, priceInPerMTok, priceOutPerMTok, qualityClass: 'frontier' }, select: { id: true, name: true } });
    return row;
  };
  const [primary, fallback, unrelated] = [await target(), await target(), await target()];
  Object.assign(ids, { primary: primary.id, fallback: fallback.id, unrelated: unrelated.id });
  Object.assign(names, { primary: primary.name, fallback: fallback.name });
  names.service = uniqueName('charts-svc');
  ids.service = (await db().service.create({ data: { name: names.service, sloTarget: 0.99 }, select: { id: true } })).id;
  ids.other = (await db().service.create({ data: { name: uniqueName('charts-other') }, select: { id: true } })).id;
  await db().chainEntry.createMany({ data: [{ serviceId: ids.service, targetId: ids.primary, position: 0 }, { serviceId: ids.service, targetId: ids.fallback, position: 1 }] });

  await insertRollups(ids.service, [
    // Minute rows: 14:05 and 14:06 inside the last hour, 12:59 only inside the last 24 hours.
    {
      resolutionSec: 60, bucket: at('15T14:05'), requests: 100, failures: 2, errorsByClass: { server_error: 2 }, servedBy: { upstream: 98, cache: 2 },
      latencyHist: hist([6, 90], [12, 10]), ttftHist: hist([3, 40]),
    },
    { resolutionSec: 60, bucket: at('15T14:06'), requests: 50, failures: 0, servedBy: { upstream: 50 }, latencyHist: hist([6, 50]) },
    { resolutionSec: 60, bucket: at('15T12:59'), requests: 10, failures: 10, errorsByClass: { rate_limited: 10 }, servedBy: { refused: 10 }, latencyHist: hist([0, 10]) },
    // Hour rows: three hours in today's 12:00-18:00 block, one on June 1, one before the 30 days.
    { resolutionSec: 3600, bucket: at('15T12:00'), requests: 1000, failures: 0, latencyHist: hist([6, 1000]) },
    { resolutionSec: 3600, bucket: at('15T13:00'), requests: 1000, failures: 5, errorsByClass: { server_error: 5 }, latencyHist: hist([6, 1000]) },
    { resolutionSec: 3600, bucket: at('15T14:00'), requests: 0, failures: 0 },
    { resolutionSec: 3600, bucket: at('01T03:00'), requests: 2000, failures: 5, errorsByClass: { header_timeout: 5 }, latencyHist: hist([8, 2000]) },
    { resolutionSec: 3600, bucket: new Date('2026-05-10T00:00:00.000Z'), requests: 500, failures: 500, latencyHist: hist([8, 500]) },
  ]);
  // Another service's traffic in the same minute is not this service's.
  await insertRollups(ids.other, [{ resolutionSec: 60, bucket: at('15T14:05'), requests: 1000, failures: 1000, latencyHist: hist([20, 1000]) }]);

  await db().tierChange.createMany({
    data: [
      { serviceId: ids.service, at: at('15T13:30'), from: 'full', to: 'degraded', cause: 'automatic', level: 0.45, availableRpm: 270, demandRpm: 600, actor: 'standby' },
      { serviceId: ids.service, at: at('15T13:40'), from: 'degraded', to: 'minimal', cause: 'override', actor: 'ops@standby.test', reason: 'provider incident' },
      { serviceId: ids.service, at: at('15T12:00'), from: 'minimal', to: 'full', cause: 'automatic', level: 1, availableRpm: 600, demandRpm: 600, actor: 'standby' },
      { serviceId: ids.service, at: at('15T14:30'), from: 'minimal', to: 'full', cause: 'automatic', actor: 'standby' },
      { serviceId: ids.other, at: at('15T13:50'), from: 'full', to: 'emergency', cause: 'automatic', actor: 'standby' },
    ],
  });
  await db().breakerTransition.createMany({
    data: [
      { targetId: ids.primary, from: 'closed', to: 'open', at: at('15T13:31'), cause: 'failure rate 0.6 over 20 requests', replica: 'test' },
      { targetId: ids.unrelated, from: 'closed', to: 'open', at: at('15T13:32'), cause: 'not in this chain', replica: 'test' },
    ],
  });
  await db().routingOverride.createMany({
    data: [
      { kind: 'pin', serviceId: ids.service, targetId: ids.fallback, reason: 'primary flapping', createdBy: 'ops@standby.test', createdAt: at('15T13:35'), clearedAt: at('15T13:55'), clearedBy: 'lead@standby.test' },
      { kind: 'drain', targetId: ids.primary, reason: 'provider maintenance', createdBy: 'ops@standby.test', createdAt: at('15T12:00'), expiresAt: at('15T13:45') },
      { kind: 'force_failover', serviceId: ids.other, reason: 'other service', createdBy: 'x', createdAt: at('15T13:36') },
      { kind: 'drain', targetId: ids.unrelated, reason: 'not in this chain', createdBy: 'x', createdAt: at('15T13:37') },
    ],
  });
});

after(disconnect);

describe('getServiceChartData', () => {
  test('"auto" opens on the smallest range holding the data: 1 h for a fifteen-minute-old service, 30 d for one with two weeks', async () => {
    const fresh = await db().service.create({ data: { name: uniqueName('charts-fresh') }, select: { id: true, name: true } });
    await insertRollups(fresh.id, [{ resolutionSec: 60, bucket: at('15T13:53'), requests: 40, failures: 0 }, { resolutionSec: 60, bucket: at('15T14:06'), requests: 40, failures: 0 }]);
    assert.equal((await getServiceChartData(fresh.name, 'auto', now))!.range, '1h');
    assert.equal((await getServiceChartData(names.service, 'auto', now))!.range, '30d');
  });

  test('an unknown service has no charts', async () => {
    assert.equal(await getServiceChartData(uniqueName('missing'), '1h', now), null);
  });

  test('1 h: one-minute buckets from minute rollups, this service only, with percentiles from the histograms', async () => {
    const data = (await getServiceChartData(names.service, '1h', now))!;
    assert.equal(data.buckets.length, 60);
    assert.equal(data.from, '2026-06-15T13:08:00.000Z');
    assert.equal(data.to, '2026-06-15T14:08:00.000Z');
    const b = (hhmm: string) => data.buckets.find((x) => x.t === `2026-06-15T${hhmm}:00.000Z`)!;
    // 90 in (100, 150] and 10 in (750, 1000]: p50 rank 50 → 100 + 50 × 50/90 = 127.8; p95 rank 95 → 750 + 250 × 5/10 = 875; p99 → 975.
    // TTFT: 40 in (25, 50]: p50 rank 20 → 37.5; p95 rank 38 → 48.75.
    assert.deepEqual(
      { ...b('14:05'), budget: undefined },
      {
        t: '2026-06-15T14:05:00.000Z', requests: 100, failures: 2, availability: 0.98, errorsByClass: { server_error: 2 }, servedBy: { upstream: 98, cache: 2 },
        p50: 128, p95: 875, p99: 975, ttftP50: 38, ttftP95: 49, budget: undefined, partial: false,
      },
    );
    assert.deepEqual([b('14:06').requests, b('14:06').p50, b('14:06').ttftP50], [50, 125, null]);
    assert.equal(b('14:07').partial, true);
    assert.deepEqual([b('13:30').requests, b('13:30').availability, b('13:30').p50], [0, null, null], 'no traffic is not 100% available');
    assert.deepEqual(data.totals, { requests: 150, failures: 2, availability: 148 / 150 });
    assert.deepEqual(data.errorClasses, ['server_error']);
  });

  test('1 h: the budget is what this range consumed of the failures its own traffic allows', async () => {
    const data = (await getServiceChartData(names.service, '1h', now))!;
    assert.equal(data.budget.mode, 'consumed');
    // SLO 99% of 150 requests allows 1.5 failures; 2 failed at 14:05.
    assert.ok(Math.abs(data.budget.allowedFailures! - 1.5) < 1e-9);
    const at = (hhmm: string) => data.buckets.find((x) => x.t === `2026-06-15T${hhmm}:00.000Z`)!.budget!;
    assert.equal(at('14:04'), 0);
    assert.ok(Math.abs(at('14:05') - 2 / 1.5) < 1e-9);
    assert.ok(Math.abs(at('14:07') - 2 / 1.5) < 1e-9);
  });

  test('24 h: quarter-hour buckets merge the minute rows in them', async () => {
    const data = (await getServiceChartData(names.service, '24h', now))!;
    assert.equal(data.buckets.length, 96);
    const quarter = data.buckets.find((x) => x.t === '2026-06-15T14:00:00.000Z')!;
    // 14:05 and 14:06 together: 140 in (100, 150], 10 in (750, 1000]. p50 rank 75 → 100 + 50 × 75/140 = 126.8; p95 rank 143 → 750 + 250 × 3/10 = 825.
    assert.deepEqual([quarter.requests, quarter.failures, quarter.p50, quarter.p95], [150, 2, 127, 825]);
    assert.deepEqual(quarter.servedBy, { upstream: 148, cache: 2 });
    const earlier = data.buckets.find((x) => x.t === '2026-06-15T12:45:00.000Z')!;
    assert.deepEqual([earlier.requests, earlier.availability, earlier.servedBy], [10, 0, { refused: 10 }]);
    assert.deepEqual(data.errorClasses, ['rate_limited', 'server_error']);
    assert.deepEqual(data.totals, { requests: 160, failures: 12, availability: 148 / 160 });
  });

  test('30 d: 6-hour buckets from hour rollups, and the budget burns down from 100% at the start', async () => {
    const data = (await getServiceChartData(names.service, '30d', now))!;
    assert.equal(data.buckets.length, 120);
    assert.equal(data.from, '2026-05-16T18:00:00.000Z');
    assert.equal(data.budget.mode, 'remaining');
    const block = (iso: string) => data.buckets.find((x) => x.t === iso)!;
    assert.deepEqual([block('2026-06-15T12:00:00.000Z').requests, block('2026-06-15T12:00:00.000Z').failures], [2000, 5]);
    assert.deepEqual([block('2026-06-01T00:00:00.000Z').requests, block('2026-06-01T00:00:00.000Z').errorsByClass], [2000, { header_timeout: 5 }]);
    assert.deepEqual(data.totals, { requests: 4000, failures: 10, availability: 3990 / 4000 }, 'the row before the 30 days and the minute rows are not counted');
    // 99% of 4,000 requests allows 40 failures: 100% until June 1, 87.5% after its 5, 75% after today's 5.
    const budget = (iso: string) => block(iso).budget!;
    assert.equal(budget('2026-05-16T18:00:00.000Z'), 1);
    assert.ok(Math.abs(budget('2026-06-01T00:00:00.000Z') - 0.875) < 1e-9);
    assert.ok(Math.abs(budget('2026-06-15T12:00:00.000Z') - 0.75) < 1e-9);
  });

  test('markers: tier changes, breaker transitions of chain targets and routing flips of the range, oldest first', async () => {
    const data = (await getServiceChartData(names.service, '1h', now))!;
    assert.deepEqual(
      data.markers.map((m) => [m.at.slice(11, 16), m.kind, m.label]),
      [
        ['13:30', 'tier', 'Tier Full → Degraded'],
        ['13:31', 'breaker', `${names.primary} breaker open`],
        ['13:35', 'flip', `Pin ${names.fallback}`],
        ['13:40', 'tier_override', 'Tier set to Minimal'],
        ['13:45', 'flip', `Drain ${names.primary} expired`],
        ['13:55', 'flip', `Pin ${names.fallback} cleared`],
      ],
    );
    const detail = (label: string) => data.markers.find((m) => m.label === label)!.detail;
    assert.equal(detail('Tier Full → Degraded'), 'Automatic: 270 RPM can serve 600 RPM of demand');
    assert.equal(detail('Tier set to Minimal'), 'Override by ops@standby.test: provider incident (Degraded → Minimal)');
    assert.match(detail(`Pin ${names.fallback}`), /^By ops@standby\.test: primary flapping, until cleared$/);
    assert.match(detail(`Pin ${names.fallback} cleared`), /^By lead@standby\.test/);
    assert.equal(data.markersTruncated, false);

    const day = (await getServiceChartData(names.service, '24h', now))!;
    assert.deepEqual(
      day.markers.filter((m) => m.at < '2026-06-15T13:00').map((m) => m.label).sort(),
      [`Drain ${names.primary}`, 'Tier Minimal → Full'],
      'the 24-hour range also holds the earlier tier change and the drain being set',
    );
  });
});
