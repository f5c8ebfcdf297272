import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createTestProviderAndRegion, disconnect, targetInputFor, uniqueName } from '@/test/fixtures';
import { db } from '@/lib/server/db';
import { bucketize, type StatSample } from './stats';
import { getHealthOverview, getServiceLive } from './data';

// Aligned to a 10-second boundary so each sample's chart bucket is known by hand;
// every query takes `now`, so nothing depends on when the test runs.
const now = new Date(Math.floor(Date.now() / 10_000) * 10_000);
const ago = (seconds: number) => new Date(now.getTime() - seconds * 1000);

type Sample = StatSample & { targetId: string; serviceId: string | null; source: 'traffic' | 'probe'; at: Date };

const ids = { primary: '', fallback: '', stray: '', unrelated: '', neverTripped: '', service: '', otherService: '' };
let serviceName = '';
let samples: Sample[] = [];
const transitionIds: string[] = [];

async function createTarget(providerId: string, regionId: string) {
  const { name, providerId: p, regionId: r, model, endpointUrl, rpm, tpm, contextWindow, priceInPerMTok, priceOutPerMTok } = targetInputFor(providerId, regionId);
  const target = await db().target.create({ data: { name, providerId: p, regionId: r, model, endpointUrl, rpm, tpm, contextWindow, priceInPerMTok, priceOutPerMTok, qualityClass: 'frontier' }, select: { id: true } });
  return target.id;
}

before(async () => {
  const { provider, region } = await createTestProviderAndRegion();
  ids.primary = await createTarget(provider.id, region.id);
  ids.fallback = await createTarget(provider.id, region.id);
  ids.stray = await createTarget(provider.id, region.id);
  ids.unrelated = await createTarget(provider.id, region.id);
  ids.neverTripped = await createTarget(provider.id, region.id);
  serviceName = uniqueName('live-svc');
  ids.service = (await db().service.create({ data: { name: serviceName }, select: { id: true } })).id;
  ids.otherService = (await db().service.create({ data: { name: uniqueName('other-svc') }, select: { id: true } })).id;
  await db().chainEntry.createMany({
    data: [
      { serviceId: ids.service, targetId: ids.primary, position: 0, failoverOn: ['server_error'] },
      { serviceId: ids.service, targetId: ids.fallback, position: 1, failoverOn: [] },
    ],
  });

  await db().targetBreaker.createMany({
    data: [
      { targetId: ids.primary, state: 'open', since: ago(40) },
      { targetId: ids.fallback, state: 'closed', since: ago(3600) },
      { targetId: ids.unrelated, state: 'half_open', since: ago(20) },
    ],
  });
  for (const transition of [
    { targetId: ids.primary, from: 'closed', to: 'open', at: ago(300), cause: 'failure rate 0.5 over 10 requests' },
    { targetId: ids.primary, from: 'half_open', to: 'open', at: ago(40), cause: 'probe failed: rate_limited' },
    { targetId: ids.unrelated, from: 'open', to: 'half_open', at: ago(20), cause: 'open timeout elapsed' },
  ] as const) {
    const row = await db().breakerTransition.create({ data: { ...transition, replica: 'test' }, select: { id: true } });
    transitionIds.push(row.id.toString());
  }

  await db().routingOverride.createMany({
    data: [
      { kind: 'pin', serviceId: ids.service, targetId: ids.fallback, reason: 'primary flapping', createdBy: 'oncall@standby.test' },
      { kind: 'drain', targetId: ids.primary, reason: 'provider incident', createdBy: 'oncall@standby.test', expiresAt: new Date(now.getTime() + 3_600_000) },
      { kind: 'force_failover', serviceId: ids.service, reason: 'expired', createdBy: 'x', expiresAt: ago(60) },
      { kind: 'force_failover', serviceId: ids.service, reason: 'cleared', createdBy: 'x', clearedAt: ago(30), clearedBy: 'x' },
      { kind: 'drain', targetId: ids.unrelated, reason: 'not this service', createdBy: 'x' },
    ],
  });

  const traffic = (targetId: string, at: Date, ok: boolean, latencyMs: number, ttftMs: number | null, errorClass: string | null = null, serviceId = ids.service): Sample => ({
    targetId, serviceId, source: 'traffic', at, ok, latencyMs, ttftMs, errorClass,
  });
  const range = (count: number, f: (i: number) => Sample) => Array.from({ length: count }, (_, i) => f(i));
  samples = [
    // Primary, last minute: 20 successes of 100..2000 ms (TTFT a quarter of that) and 5 rate-limited refusals.
    ...range(10, (i) => traffic(ids.primary, ago(5), true, (i + 1) * 100, (i + 1) * 25)),
    ...range(10, (i) => traffic(ids.primary, ago(15), true, (i + 11) * 100, (i + 11) * 25)),
    ...range(5, () => traffic(ids.primary, ago(25), false, 50, null, 'rate_limited')),
    // Primary, ten minutes ago: 10 slow successes and 5 server errors.
    ...range(10, () => traffic(ids.primary, ago(600), true, 5000, 1000)),
    ...range(5, () => traffic(ids.primary, ago(600), false, 30_000, null, 'server_error')),
    // Fallback answered last, two seconds ago.
    traffic(ids.fallback, ago(3), true, 300, null),
    traffic(ids.fallback, ago(2), true, 500, null),
    // A target outside the chain served this service eight minutes ago.
    traffic(ids.stray, ago(480), true, 800, 200),
    // Not counted for the service: too old, in the future, another service, probes.
    traffic(ids.primary, ago(20 * 60), true, 1, 1),
    traffic(ids.primary, new Date(now.getTime() + 60_000), true, 1, 1),
    traffic(ids.primary, ago(5), true, 700, null, null, ids.otherService),
    { targetId: ids.primary, serviceId: null, source: 'probe', at: ago(30), ok: true, latencyMs: 120, ttftMs: null, errorClass: null },
    { targetId: ids.primary, serviceId: null, source: 'probe', at: ago(15), ok: false, latencyMs: 3000, ttftMs: null, errorClass: 'connect_failed' },
    { targetId: ids.fallback, serviceId: null, source: 'probe', at: ago(25 * 60 * 60), ok: true, latencyMs: 90, ttftMs: null, errorClass: null },
  ];
  await db().healthSample.createMany({ data: samples.map((s) => ({ ...s, statusCode: s.ok ? 200 : 503 })) });
});
after(disconnect);

describe('getServiceLive', () => {
  test('summarises the last minute per chain target: success rate and latency percentiles from successful attempts', async () => {
    const live = await getServiceLive(serviceName, 15, now);
    assert.ok(live);
    assert.deepEqual(live.perTarget.map((t) => [t.targetId, t.position]), [[ids.primary, 0], [ids.fallback, 1], [ids.stray, null]]);
    const primary = live.perTarget[0];
    // 20 of 25 succeeded. Successful latencies 100..2000: p50 rank 9.5 -> 1050; p95 rank 18.05 -> 1900 + 0.05 * 100.
    assert.deepEqual(primary.last1m, { requests: 25, successRate: 0.8, p50: 1050, p95: 1905, ttftP50: 263, ttftP95: 476, errorsByClass: { rate_limited: 5 } });
    // Over 15 minutes: 30 of 40, latencies 100..2000 and ten of 5000: p50 rank 14.5 -> 1550; p95 rank 27.55 -> 5000.
    assert.deepEqual(primary.last15m, { requests: 40, successRate: 0.75, p50: 1550, p95: 5000, ttftP50: 388, ttftP95: 1000, errorsByClass: { rate_limited: 5, server_error: 5 } });
    const fallback = live.perTarget[1];
    assert.deepEqual(fallback.last1m, { requests: 2, successRate: 1, p50: 400, p95: 490, ttftP50: null, ttftP95: null, errorsByClass: {} });
    assert.equal(live.perTarget[2].last1m.requests, 0);
    assert.equal(live.perTarget[2].last15m.requests, 1);
  });

  test('the serving target is the one that answered last, and breakers come from TargetBreaker', async () => {
    const live = (await getServiceLive(serviceName, 15, now))!;
    assert.equal(live.servingTargetId, ids.fallback);
    assert.equal(live.lastServedAt, ago(2).toISOString());
    assert.deepEqual(live.perTarget[0].breaker, { state: 'open', since: ago(40).toISOString() });
    assert.deepEqual(live.perTarget[1].breaker, { state: 'closed', since: ago(3600).toISOString() });
  });

  test('charts get 90 ten-second buckets ending with the one in progress, matching the hand count and bucketize', async () => {
    const live = (await getServiceLive(serviceName, 15, now))!;
    assert.equal(live.bucketSeconds, 10);
    assert.equal(live.series.length, 90);
    assert.equal(live.series.at(-1)!.t, now.toISOString(), 'the last bucket starts at now (aligned) and is in progress');
    const at = (secondsAgo: number) => live.series.find((point) => point.t === ago(secondsAgo).toISOString())!;
    assert.deepEqual([at(10).requests, at(10).errors], [12, 0], '10 primary + 2 fallback in [now-10s, now)');
    assert.deepEqual([at(20).requests, at(20).errors, at(20).p50], [10, 0, 1550], 'latencies 1100..2000');
    assert.deepEqual([at(30).requests, at(30).errors, at(30).p50], [5, 5, null], 'only refusals: no latency');
    assert.deepEqual([at(600).requests, at(600).errors], [15, 5]);
    assert.deepEqual([at(480).requests, at(480).errors], [1, 0]);
    assert.equal(live.series.reduce((sum, point) => sum + point.requests, 0), 43);

    // The SQL and the pure bucketing agree on the same samples.
    const seriesStart = new Date(live.series[0].t).getTime();
    const expected = bucketize(samples.filter((s) => s.serviceId === ids.service && s.at <= now), seriesStart, seriesStart + 900_000, 90);
    const round = (value: number | null) => (value == null ? null : Math.round(value));
    assert.deepEqual(
      live.series.map(({ requests, errors, p50, p95 }) => ({ requests, errors, p50, p95 })),
      expected.map(({ requests, errors, p50, p95 }) => ({ requests, errors, p50: round(p50), p95: round(p95) })),
    );
  });

  test("lists the chain targets' transitions newest first and the overrides in force", async () => {
    const live = (await getServiceLive(serviceName, 15, now))!;
    assert.deepEqual(live.transitions.map((t) => [t.id, t.from, t.to, t.cause]), [
      [transitionIds[1], 'half_open', 'open', 'probe failed: rate_limited'],
      [transitionIds[0], 'closed', 'open', 'failure rate 0.5 over 10 requests'],
    ]);
    assert.ok(live.transitions.every((t) => t.targetName === live.perTarget[0].name));
    assert.deepEqual(live.overrides.map((o) => [o.kind, o.reason, o.targetName]).sort(), [
      ['drain', 'provider incident', live.perTarget[0].name],
      ['pin', 'primary flapping', live.perTarget[1].name],
    ]);
  });

  test('an unknown service is null', async () => {
    assert.equal(await getServiceLive(uniqueName('no-such-service'), 15, now), null);
  });
});

describe('getHealthOverview', () => {
  test('lists every target with its breaker, last probe, five-minute probes and traffic apart, and a verdict from all of them', async () => {
    const overview = await getHealthOverview(now);
    const row = (id: string) => overview.targets.find((t) => t.targetId === id)!;
    assert.deepEqual(row(ids.primary).breaker, { state: 'open', since: ago(40).toISOString() });
    assert.deepEqual(row(ids.unrelated).breaker, { state: 'half_open', since: ago(20).toISOString() });
    assert.deepEqual(row(ids.neverTripped).breaker, { state: 'closed', since: null });
    assert.deepEqual(row(ids.primary).lastProbe, { at: ago(15).toISOString(), ok: false, latencyMs: 3000, errorClass: 'connect_failed', statusCode: 503 });
    assert.equal(row(ids.fallback).lastProbe, null, 'a probe older than a day is not "last"');
    // Primary's traffic over five minutes, every service: 25 + 1 other-service = 26 attempts, of which 21 succeeded.
    // Successful latencies 100..2000 and 700: p95 rank 19 -> 1900. Its two probes are counted apart.
    assert.deepEqual([row(ids.primary).traffic.requests, row(ids.primary).traffic.successRate, row(ids.primary).traffic.p95], [26, 21 / 26, 1900]);
    assert.deepEqual([row(ids.primary).probes.count, row(ids.primary).probes.failures], [2, 1]);
    assert.deepEqual([row(ids.primary).verdict.level, row(ids.primary).verdict.drivenBy], ['unhealthy', 'traffic and probes']);
    assert.equal(row(ids.neverTripped).traffic.successRate, null);
    assert.deepEqual([row(ids.neverTripped).verdict.level, row(ids.neverTripped).verdict.drivenBy], ['unknown', 'nothing']);
    const mine = overview.transitions.filter((t) => transitionIds.includes(t.id));
    assert.deepEqual(mine.map((t) => t.id), [transitionIds[2], transitionIds[1], transitionIds[0]]);
    assert.equal(mine[0].targetName, row(ids.unrelated).name);
  });
});
