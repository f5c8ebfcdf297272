import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { emptyHistogram } from '@/lib/health/histogram';
import { db } from '@/lib/server/db';
import { disconnect, uniqueName } from '@/test/fixtures';
import { ASSUMED_FAILURES_PER_YEAR, ASSUMED_REQUESTS_PER_SECOND, ASSUMED_TARGET_AVAILABILITY } from './assumptions';
import { getServiceAvailability } from './data';
import { DAY_MS, evaluateAvailability } from './maths';

const HOUR_MS = 3_600_000;
const now = new Date();
const hoursAgo = (hours: number) => new Date(Math.floor(now.getTime() / HOUR_MS) * HOUR_MS - hours * HOUR_MS);

async function provider(failureDomain: string | null) {
  return db().provider.create({ data: { name: uniqueName('prov'), kind: 'openai', apiStyle: 'openai_chat', failureDomain }, select: { id: true, name: true } });
}

async function target(providerId: string, regionId: string, extra: { declaredAvailability?: number; enabled?: boolean; createdAt?: Date } = {}) {
  return db().target.create({
    data: {
      name: uniqueName('target'), providerId, regionId, model: 'm', endpointUrl: 'https://api.example.com/v1', rpm: 100, tpm: 10_000, contextWindow: 8192,
      priceInPerMTok: 1, priceOutPerMTok: 1, qualityClass: 'standard', ...extra,
    },
    select: { id: true, name: true },
  });
}

const rollup = (targetId: string, bucket: Date, samples: number, failures: number, resolutionSec = 3600) => ({
  targetId, resolutionSec, bucket, samples, failures, latencyHist: emptyHistogram(), ttftHist: emptyHistogram(),
});

let service: string;
let names: Record<'measured' | 'declared' | 'assumed' | 'disabled', string>;
let otherProvider: string;

before(async () => {
  const region = await db().region.create({ data: { code: uniqueName('reg'), name: 'Test region' }, select: { id: true } });
  // Two providers in one failure domain (as OpenAI and Azure OpenAI), one on its own.
  const openai = await provider('shared-fate-test');
  const azure = await provider('shared-fate-test');
  const other = await provider(null);
  otherProvider = other.name;
  const measured = await target(openai.id, region.id, { createdAt: new Date(now.getTime() - 100 * DAY_MS) });
  const declared = await target(azure.id, region.id, { declaredAvailability: 0.999 });
  const assumed = await target(other.id, region.id);
  const disabled = await target(other.id, region.id, { enabled: false });
  names = { measured: measured.name, declared: declared.name, assumed: assumed.name, disabled: disabled.name };

  const created = await db().service.create({ data: { name: uniqueName('svc') }, select: { id: true, name: true } });
  service = created.name;
  await db().chainEntry.createMany({
    data: [
      { serviceId: created.id, targetId: measured.id, position: 1, failoverOn: [], headerTimeoutMs: 20_000, maxRetries: 3, baseBackoffMs: 1_000, maxBackoffMs: 2_000 },
      { serviceId: created.id, targetId: declared.id, position: 2, failoverOn: [] },
      { serviceId: created.id, targetId: assumed.id, position: 3, failoverOn: [] },
      { serviceId: created.id, targetId: disabled.id, position: 4, failoverOn: [] },
    ],
  });

  await db().targetRollup.createMany({
    data: [
      // 4 of 2,000 failed over the window: 99.8%.
      rollup(measured.id, hoursAgo(2), 1_000, 1),
      rollup(measured.id, hoursAgo(24 * 20), 1_000, 3),
      // Per-minute rows repeat the hourly ones and must not be added again.
      rollup(measured.id, hoursAgo(2), 1_000, 1, 60),
      // Below the minimum of 1,000 samples: the declared figure is used.
      rollup(declared.id, hoursAgo(3), 999, 0),
      // Outside the 30-day window: not counted, so the target has no usable history.
      rollup(assumed.id, hoursAgo(24 * 31), 50_000, 0),
    ],
  });

  // 432,000 requests over the last 24 hours: 5 a second.
  await db().serviceRollup.createMany({
    data: [0, 1, 2, 3].map((hour) => ({ serviceId: created.id, resolutionSec: 3600, bucket: hoursAgo(hour + 1), requests: 108_000, latencyHist: emptyHistogram(), ttftHist: emptyHistogram() })),
  });

  // Three times the primary's breaker opened from closed in its 100 days; a reopening from half-open is the same failure.
  const transition = (targetId: string, daysAgo: number, from: 'closed' | 'half_open') => ({ targetId, from, to: 'open' as const, at: new Date(now.getTime() - daysAgo * DAY_MS), cause: 'test', replica: 'test' });
  await db().breakerTransition.createMany({
    data: [transition(measured.id, 90, 'closed'), transition(measured.id, 50, 'closed'), transition(measured.id, 50, 'half_open'), transition(measured.id, 1, 'closed'), transition(declared.id, 1, 'closed')],
  });
});
after(disconnect);

describe('the availability inputs of a service', () => {
  test('each target: measured when it has enough samples, else declared, else assumed; disabled ones are marked', async () => {
    const view = (await getServiceAvailability(service, now))!;
    const byName = new Map(view.members.map((m) => [m.name, m]));
    assert.deepEqual(
      view.members.map((m) => [m.position, m.source, m.enabled]),
      [[1, 'measured', true], [2, 'declared', true], [3, 'assumed', true], [4, 'assumed', false]],
    );
    const measured = byName.get(names.measured)!;
    assert.deepEqual([measured.samples, measured.failures, measured.availability], [2_000, 4, 0.998]);
    assert.deepEqual([byName.get(names.declared)!.samples, byName.get(names.declared)!.availability], [999, 0.999]);
    assert.deepEqual([byName.get(names.assumed)!.samples, byName.get(names.assumed)!.availability], [0, ASSUMED_TARGET_AVAILABILITY]);
  });

  test('failure domains: the provider\'s, else the provider itself', async () => {
    const view = (await getServiceAvailability(service, now))!;
    assert.deepEqual(view.members.map((m) => m.domain), ['shared-fate-test', 'shared-fate-test', otherProvider, otherProvider]);
  });

  test('failures a year from the primary\'s breaker openings, detection from its breaker and the request rate, failover from its chain entry', async () => {
    const view = (await getServiceAvailability(service, now))!;
    assert.equal(view.failures.source, 'measured');
    assert.equal(view.failures.opens, 3);
    assert.equal(view.failures.historyDays, 100);
    assert.ok(Math.abs(view.failures.perYear - (3 * 365) / 100) < 1e-9, String(view.failures.perYear));
    assert.equal(view.detection.rateSource, 'measured');
    assert.equal(view.detection.requestsPerSecond, 5);
    assert.equal(view.detection.ms, 1_000, '5 failures in a row at 5 requests a second');
    assert.equal(view.failover.backoffMs, 5_000, '1 s + 2 s + 2 s');
    assert.equal(view.failover.ms, 20_000, 'the header timeout is the longer wait');
  });

  test('the composite of those inputs: the shared domain counts once', async () => {
    const view = (await getServiceAvailability(service, now))!;
    const counted = view.members.filter((m) => m.enabled);
    const result = evaluateAvailability({ members: counted, standbyAvailability: 1, failuresPerYear: 0, perFailureMs: 0 });
    // Domain shared-fate-test at max(0.998, 0.999); the other at 0.995: 1 - 0.001 × 0.005.
    assert.ok(Math.abs(result.chain.availability - 0.999995) < 1e-12, String(result.chain.availability));
  });

  test('a service with no history falls back on stated assumptions', async () => {
    const p = await provider(null);
    const region = await db().region.create({ data: { code: uniqueName('reg'), name: 'Fresh' }, select: { id: true } });
    const fresh = await target(p.id, region.id);
    const created = await db().service.create({ data: { name: uniqueName('svc') }, select: { id: true, name: true } });
    await db().chainEntry.create({ data: { serviceId: created.id, targetId: fresh.id, position: 1, failoverOn: [] } });
    const view = (await getServiceAvailability(created.name, now))!;
    assert.deepEqual([view.failures.source, view.failures.perYear], ['assumed', ASSUMED_FAILURES_PER_YEAR]);
    assert.deepEqual([view.detection.rateSource, view.detection.requestsPerSecond], ['assumed', ASSUMED_REQUESTS_PER_SECOND]);
    assert.equal(view.detection.ms, 5_000, '5 failures at the assumed 1 request a second');
    assert.equal(view.failover.ms, 30_000, 'the default header timeout');
    assert.equal(view.standby.source, 'assumed');
  });

  test('an unknown service has none', async () => {
    assert.equal(await getServiceAvailability(uniqueName('no-such-service'), now), null);
  });
});
