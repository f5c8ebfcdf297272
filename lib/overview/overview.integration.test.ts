import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createTestProviderAndRegion, createTestUser, disconnect, targetInputFor, uniqueName } from '@/test/fixtures';
import { db, Prisma } from '@/lib/server/db';
import { emptyHistogram } from '@/lib/health/histogram';
import { evaluateBurnRateAlerts } from '@/lib/slo/evaluate';
import { getOverview, type Overview, type OverviewService } from './data';

// A small estate: one service in trouble (its primary's breaker open, Degraded,
// half its requests failing), one pinned to its fallback by an operator, one
// calm. Rows are written relative to the real clock, as the page reads it.
const now = new Date();
const minutesAgo = (n: number) => new Date(now.getTime() - n * 60_000);
// Changes are written a few milliseconds before `now`, in the same order as minutes
// apart would be: the page lists the newest rows per kind, and the test files run
// before this one (in processes that ended before this one started) wrote plenty
// within the hour.
const momentsAgo = (n: number) => new Date(now.getTime() - n * 10);
const minuteBucket = (n: number) => new Date(Math.floor(now.getTime() / 60_000) * 60_000 - n * 60_000);

const names = { burning: '', pinned: '', calm: '', idle: '' };
const targets: Record<'b1' | 'b2' | 'p1' | 'p2' | 'c1', { id: string; name: string }> = {} as never;
let overview: Overview;
let operatorEmail = '';

async function createTarget(providerId: string, regionId: string) {
  return db().target.create({ data: targetInputFor(providerId, regionId) as Prisma.TargetUncheckedCreateInput, select: { id: true, name: true } });
}

async function createService(prefix: string, chain: string[]) {
  const service = await db().service.create({ data: { name: uniqueName(prefix) }, select: { id: true, name: true } });
  await db().chainEntry.createMany({ data: chain.map((targetId, position) => ({ serviceId: service.id, targetId, position, failoverOn: ['server_error'] })) });
  return service;
}

const hourBucket = (n: number) => new Date(Math.floor(now.getTime() / 3_600_000) * 3_600_000 - n * 3_600_000);

/**
 * The last hour in minute rollups and the two whole hours before it in hour rollups, as the recorder writes
 * both: the longer windows (6 h, 3 d, the SLO's) then hold thousands of requests whatever the minute of the
 * hour, past the minimum counts before an alert may fire or a budget be judged.
 */
async function traffic(serviceId: string, requestsPerMinute: number, failuresPerMinute: number) {
  const rollup = (resolutionSec: 60 | 3600, bucket: Date, minutes: number) => ({
    serviceId, resolutionSec, bucket, requests: requestsPerMinute * minutes, failures: failuresPerMinute * minutes, latencyHist: emptyHistogram(), ttftHist: emptyHistogram(),
  });
  await db().serviceRollup.createMany({
    data: [...Array.from({ length: 61 }, (_, i) => rollup(60, minuteBucket(i), 1)), rollup(3600, hourBucket(1), 60), rollup(3600, hourBucket(2), 60)],
  });
}

const audit = (at: Date, action: string, entityType: string, entityName: string, actorEmail: string) =>
  db().auditLog.create({ data: { at, action, entityType, entityName, actorEmail, actorRole: 'operator' } });

before(async () => {
  const operator = await createTestUser('operator');
  operatorEmail = operator.email;
  const { provider, region } = await createTestProviderAndRegion();
  for (const key of ['b1', 'b2', 'p1', 'p2', 'c1'] as const) targets[key] = await createTarget(provider.id, region.id);

  const burning = await createService('burning', [targets.b1.id, targets.b2.id]);
  const pinned = await createService('pinned', [targets.p1.id, targets.p2.id]);
  const calm = await createService('calm', [targets.c1.id]);
  const idle = await db().service.create({ data: { name: uniqueName('idle') }, select: { id: true, name: true } });
  Object.assign(names, { burning: burning.name, pinned: pinned.name, calm: calm.name, idle: idle.name });

  await traffic(burning.id, 100, 50);
  await traffic(pinned.id, 100, 0);
  await traffic(calm.id, 100, 0);

  await db().targetBreaker.create({ data: { targetId: targets.b1.id, state: 'open', since: minutesAgo(10) } });
  await db().breakerTransition.create({ data: { targetId: targets.b1.id, from: 'closed', to: 'open', at: momentsAgo(10), cause: 'failure rate 0.9 over 20 requests', replica: 'test' } });
  await db().serviceTierState.create({ data: { serviceId: burning.id, automaticTier: 'degraded', automaticSince: minutesAgo(5), level: 0.4, availableRpm: 40, demandRpm: 100 } });
  await db().tierChange.create({ data: { serviceId: burning.id, at: momentsAgo(5), from: 'full', to: 'degraded', cause: 'automatic', level: 0.4, actor: 'system' } });
  await db().routingOverride.create({
    data: { kind: 'pin', serviceId: pinned.id, targetId: targets.p2.id, reason: 'provider maintenance', createdBy: operator.email, createdById: operator.id, createdAt: momentsAgo(20) },
  });

  await audit(momentsAgo(15), 'target.update', 'target', targets.c1.name, operator.email);
  await audit(momentsAgo(20), 'routing.pin', 'service', pinned.name, operator.email); // shown as the override itself
  await audit(momentsAgo(25), 'user.create', 'user', 'someone@standby.test', operator.email); // not configuration
  await audit(minutesAgo(120), 'service.update', 'service', calm.name, operator.email); // older than the hour

  await evaluateBurnRateAlerts(now);
  overview = await getOverview(now);
});
after(disconnect);

const row = (name: string): OverviewService => {
  const found = overview.services.find((s) => s.name === name);
  assert.ok(found, `${name} is listed`);
  return found;
};

describe('the Overview', () => {
  test('services in trouble come first: critical, then warnings (the one burning faster first), then healthy', () => {
    const mine = overview.services.map((s) => s.name).filter((name) => Object.values(names).includes(name));
    assert.deepEqual(mine, [names.burning, names.pinned, names.idle, names.calm]);
    assert.deepEqual(
      [names.burning, names.pinned, names.idle, names.calm].map((name) => row(name).trouble.level),
      ['critical', 'warning', 'warning', 'ok'],
    );
  });

  test('the burning service says why: paging, Degraded, its primary breaker open; its fallback serves', () => {
    const burning = row(names.burning);
    assert.deepEqual(burning.trouble.reasons, [
      'Paging: burn-rate alert page-1h, page-6h, ticket-3d',
      'Tier Degraded: 60% of requests beyond capacity',
      `Breaker open: ${targets.b1.name}`,
      'Error budget spent',
    ]);
    assert.equal(burning.tier, 'degraded');
    assert.equal(burning.level, 0.4);
    assert.equal(burning.routing.serving?.name, targets.b2.name);
    assert.deepEqual(burning.breakers.map((b) => [b.name, b.state]), [[targets.b1.name, 'open']]);
    assert.equal(burning.alerting, 'page');
    assert.deepEqual(burning.openAlerts.map((a) => a.rule).sort(), ['page-1h', 'page-6h', 'ticket-3d']);
    assert.equal(burning.slo.attainment, 0.5);
    assert.equal(burning.slo.meetsTarget, false);
    assert.ok((burning.slo.budgetFraction ?? 0) < 0, 'half the requests failing overspends a 99.9% budget');
    assert.equal(burning.slo.pressing?.firing, true);
  });

  test('the pinned service names the pin and who set it; the calm one its SLO; the idle one has no chain and no traffic', () => {
    const pinned = row(names.pinned);
    assert.equal(pinned.routing.mode, 'pinned');
    assert.equal(pinned.routing.serving?.name, targets.p2.name);
    assert.ok(pinned.trouble.reasons[0].startsWith(`Pinned to ${targets.p2.name}`), pinned.trouble.reasons[0]);

    const calm = row(names.calm);
    assert.equal(calm.slo.attainment, 1);
    assert.equal(calm.slo.budgetFraction, 1);
    assert.equal(calm.slo.firing, null);
    assert.equal(calm.routing.serving?.name, targets.c1.name);
    assert.deepEqual(calm.trouble.reasons, []);

    const idle = row(names.idle);
    assert.equal(idle.slo.requests, 0);
    assert.equal(idle.slo.attainment, null);
    assert.equal(idle.slo.pressing, null);
    assert.equal(idle.routing.serving, null);
    assert.deepEqual(idle.trouble.reasons, ['No failover chain: every request fails']);
  });

  test('open breakers are listed with the services that use them', () => {
    const b1 = overview.breakers.find((b) => b.targetId === targets.b1.id);
    assert.deepEqual(b1 && [b1.state, b1.services], ['open', [names.burning]]);
    assert.ok(overview.summary.breakersOpen >= 1);
    assert.ok(overview.summary.pages >= 1);
    assert.ok(overview.summary.critical >= 1);
  });

  test('the last hour of changes is listed newest first, each linking to its service or target', () => {
    const labels = new Set([...Object.values(names), ...Object.values(targets).map((t) => t.name)]);
    const mine = overview.changes.filter((c) => c.links.some((l) => labels.has(l.label)));
    assert.deepEqual(
      mine.filter((c) => c.kind === 'alert').map((c) => c.title).sort(),
      [`${names.burning}: burn-rate alert Page page-1h opened`, `${names.burning}: burn-rate alert Page page-6h opened`, `${names.burning}: burn-rate alert Ticket ticket-3d opened`],
    );
    assert.deepEqual(
      mine.filter((c) => c.kind !== 'alert').map((c) => [c.kind, c.title]),
      [
        ['tier', `${names.burning}: tier Full → Degraded`],
        ['breaker', `${targets.b1.name}: breaker closed → open`],
        ['config', `${operatorEmail} updated target ${targets.c1.name}`],
        ['override', `Override: ${names.pinned} pinned to ${targets.p2.name}`],
      ],
    );
    assert.ok(!overview.changes.some((c) => c.title.includes('created user') || c.title.includes(`updated service ${names.calm}`)), 'non-configuration and older audit entries are left out');
    assert.ok(!overview.changes.some((c) => c.kind === 'config' && c.title.includes(names.pinned)), 'the pin shows once, as the override');
    const times = overview.changes.map((c) => c.at);
    assert.deepEqual(times, [...times].sort().reverse());
    assert.deepEqual(mine.find((c) => c.kind === 'tier')?.links, [{ label: names.burning, href: `/services/${names.burning}` }]);
    assert.deepEqual(mine.find((c) => c.kind === 'breaker')?.links, [
      { label: targets.b1.name, href: `/targets/${targets.b1.name}` },
      { label: names.burning, href: `/services/${names.burning}` },
    ]);
  });

  test('the estate line counts what exists', () => {
    assert.ok(overview.estate.services >= 4);
    assert.ok(overview.estate.targets >= 5);
  });
});
