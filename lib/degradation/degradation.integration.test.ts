import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { auditEntriesFor, createTestProviderAndRegion, createTestUsers, disconnect, rejectsWith, targetInputFor, type TestUsers, uniqueName } from '@/test/fixtures';
import { db, Prisma } from '@/lib/server/db';
import { AppError } from '@/lib/server/errors';
import { steer } from '@/lib/failover/mutations';
import { DEFAULT_FAILOVER_ON } from '@/lib/failover/schemas';
import { loadSnapshot } from '@/lib/gateway/snapshot';
import { emptyHistogram } from '@/lib/health/histogram';
import { getDegradationOverview, getServiceDegradation } from './data';
import { DEFAULT_TIER_POLICY } from '@/lib/routing/defaults';
import { DEFAULT_TIER_THRESHOLDS } from './defaults';
import { evaluateTiers } from './evaluate';
import { clearTierOverride, setTierOverride, updateDegradationPolicy } from './mutations';
import { effectiveTier } from '@/lib/routing/tier';
import { seedDemoEstate } from '@/prisma/seed';

let users: TestUsers;

before(async () => {
  users = await createTestUsers();
});
after(disconnect);

const SECOND = 1_000;
const MINUTE = 60_000;


/**
 * Measured demand of `rpm` requests per minute: per-minute rollups from ten minutes before now to five after, so
 * that every evaluation a test makes within those minutes sees the same demand in its last minute and its window.
 */
async function setDemand(serviceId: string, rpm: number) {
  await db().serviceRollup.deleteMany({ where: { serviceId } });
  const minute = Math.floor(Date.now() / MINUTE) * MINUTE;
  await db().serviceRollup.createMany({
    data: Array.from({ length: 16 }, (_, i) => ({
      serviceId, resolutionSec: 60, bucket: new Date(minute + (i - 10) * MINUTE), requests: rpm, latencyHist: emptyHistogram(), ttftHist: emptyHistogram(),
    })),
  });
}

/** A service over targets of its own with these RPMs, in this order, `demandRpm` of measured demand, and (unless null) a policy. */
async function serviceWith(rpms: number[], policy: Partial<Prisma.DegradationPolicyUncheckedCreateInput> | null = { plannedRpm: 1_500 }, demandRpm = 1_500) {
  const { provider, region } = await createTestProviderAndRegion();
  const targets = [];
  for (const rpm of rpms) {
    targets.push(await db().target.create({ data: targetInputFor(provider.id, region.id, { rpm }) as Prisma.TargetUncheckedCreateInput, select: { id: true, name: true } }));
  }
  const service = await db().service.create({ data: { name: uniqueName('svc') }, select: { id: true, name: true } });
  await db().chainEntry.createMany({ data: targets.map((t, i) => ({ serviceId: service.id, targetId: t.id, position: i + 1, failoverOn: DEFAULT_FAILOVER_ON })) });
  if (policy) await db().degradationPolicy.create({ data: { serviceId: service.id, ...policy } });
  if (demandRpm > 0) await setDemand(service.id, demandRpm);
  return { service, targets };
}

/** One evaluation of this service at `now`, from a snapshot loaded the way the leader's is. */
async function evaluate(serviceId: string, now: number) {
  const [result] = await evaluateTiers(await loadSnapshot(now), now, { serviceIds: [serviceId] });
  return result;
}

const setBreaker = (targetId: string, state: 'open' | 'half_open' | 'closed') =>
  db().targetBreaker.upsert({ where: { targetId }, create: { targetId, state }, update: { state, since: new Date(), version: { increment: 1 } } });

const changesOf = async (serviceId: string) =>
  (await db().tierChange.findMany({ where: { serviceId }, orderBy: [{ at: 'asc' }, { id: 'asc' }] })).map((c) => ({ ...c, id: undefined }));

const stateOf = (serviceId: string) => db().serviceTierState.findUniqueOrThrow({ where: { serviceId } });

async function snapshotDegradation(serviceName: string, now: number) {
  const degradation = (await loadSnapshot(now)).services.get(serviceName)!.degradation;
  return { ...degradation, effective: effectiveTier(degradation, now) };
}

describe('automatic tier', () => {
  test('drops at once when a breaker opens, and comes back only after D has held above the threshold plus hysteresis for the hold time', async () => {
    // 2 x 1,000 RPM for 1,500 RPM of demand: D = 1.33 (Full); one breaker open: D = 0.67 (Degraded).
    const { service, targets } = await serviceWith([1_000, 1_000]);
    const t0 = Date.now();

    const first = await evaluate(service.id, t0);
    assert.deepEqual([first.automaticTier, first.availableRpm, first.demandRpm, first.change], ['full', 2_000, 1_500, null]);
    assert.ok(Math.abs(first.level! - 4 / 3) < 1e-9);
    assert.equal((await stateOf(service.id)).automaticTier, 'full', 'the first evaluation writes the state row');

    await setBreaker(targets[0].id, 'open');
    const down = await evaluate(service.id, t0 + 2 * SECOND);
    assert.equal(down.automaticTier, 'degraded');
    assert.deepEqual(down.change, { from: 'full', to: 'degraded', cause: 'automatic' });
    const seen = await snapshotDegradation(service.name, t0 + 2 * SECOND);
    assert.equal(seen.effective, 'degraded', 'the gateway snapshot carries the new tier');
    assert.ok(Math.abs(seen.servedShare - 2 / 3) < 1e-9, 'and the share the capacity has room for, which the gateway serves as in Full');

    // Half-open counts nothing: still Degraded, nothing pending.
    await setBreaker(targets[0].id, 'half_open');
    const probing = await evaluate(service.id, t0 + 4 * SECOND);
    assert.deepEqual([probing.automaticTier, probing.pendingTier, probing.availableRpm], ['degraded', null, 1_000]);

    await setBreaker(targets[0].id, 'closed');
    const pending = await evaluate(service.id, t0 + 6 * SECOND);
    assert.deepEqual([pending.automaticTier, pending.pendingTier, pending.change], ['degraded', 'full', null]);
    const stillHolding = await evaluate(service.id, t0 + 65 * SECOND);
    assert.equal(stillHolding.automaticTier, 'degraded', '59 s into a 60 s hold');
    const up = await evaluate(service.id, t0 + 66 * SECOND);
    assert.deepEqual(up.change, { from: 'degraded', to: 'full', cause: 'automatic' });

    const changes = await changesOf(service.id);
    assert.deepEqual(changes.map((c) => [c.from, c.to, c.cause, c.actor, c.availableRpm, c.demandRpm]), [
      ['full', 'degraded', 'automatic', 'standby', 1_000, 1_500],
      ['degraded', 'full', 'automatic', 'standby', 2_000, 1_500],
    ]);
    assert.ok(Math.abs(changes[0].level! - 2 / 3) < 1e-9);
    assert.equal(changes[1].at.getTime(), t0 + 66 * SECOND);
    assert.equal((await stateOf(service.id)).automaticSince.getTime(), t0 + 66 * SECOND);
  });

  test('a dip during the hold starts it again', async () => {
    const { service, targets } = await serviceWith([1_000, 1_000]);
    const t0 = Date.now();
    await setBreaker(targets[1].id, 'open');
    assert.equal((await evaluate(service.id, t0)).automaticTier, 'degraded');
    await setBreaker(targets[1].id, 'closed');
    assert.equal((await evaluate(service.id, t0 + 10 * SECOND)).pendingTier, 'full');
    await setBreaker(targets[1].id, 'open');
    assert.equal((await evaluate(service.id, t0 + 40 * SECOND)).pendingTier, null);
    await setBreaker(targets[1].id, 'closed');
    await evaluate(service.id, t0 + 50 * SECOND);
    assert.equal((await evaluate(service.id, t0 + 80 * SECOND)).automaticTier, 'degraded', '70 s after the first recovery, but only 30 s after the dip');
    assert.equal((await evaluate(service.id, t0 + 110 * SECOND)).automaticTier, 'full');
  });

  test('drained targets count nothing: draining one and then the other walks the service down to Emergency', async () => {
    // 2 x 1,000 RPM for 2,000 RPM of demand: D = 1 (Full), 0.5 (Degraded), 0 (Emergency).
    const { service, targets } = await serviceWith([1_000, 1_000], { plannedRpm: 2_000 }, 2_000);
    const drain = async (targetId: string) => {
      const { routingVersion } = await db().service.findUniqueOrThrow({ where: { id: service.id }, select: { routingVersion: true } });
      await steer(users.operator, { serviceId: service.id, expectedRoutingVersion: routingVersion, kind: 'drain', targetId, reason: 'maintenance window' });
    };
    const t0 = Date.now();
    assert.equal((await evaluate(service.id, t0)).automaticTier, 'full');
    await drain(targets[0].id);
    assert.deepEqual(await evaluate(service.id, t0 + 2 * SECOND).then((r) => [r.automaticTier, r.availableRpm, r.level]), ['degraded', 1_000, 0.5]);
    await drain(targets[1].id);
    assert.deepEqual(await evaluate(service.id, t0 + 4 * SECOND).then((r) => [r.automaticTier, r.availableRpm, r.level]), ['emergency', 0, 0]);
    assert.deepEqual((await changesOf(service.id)).map((c) => `${c.from}>${c.to}`), ['full>degraded', 'degraded>emergency']);
  });

  test('demand is the busier of the last complete minute and the five-minute average of the rollups', async () => {
    const { service } = await serviceWith([1_500], { plannedRpm: 100 }, 0);
    const t0 = Math.floor(Date.now() / MINUTE) * MINUTE + 30 * SECOND;
    const rollup = (minutesAgo: number, requests: number) => ({
      serviceId: service.id, resolutionSec: 60, bucket: new Date(Math.floor(t0 / MINUTE) * MINUTE - minutesAgo * MINUTE), requests,
      latencyHist: emptyHistogram(), ttftHist: emptyHistogram(),
    });

    const quiet = await evaluate(service.id, t0);
    assert.deepEqual([quiet.demandRpm, quiet.level, quiet.automaticTier], [0, null, 'full'], 'no traffic, no demand: nothing to refuse');

    // 5 complete minutes of 1,000 requests; the running minute (0) and one 6 minutes ago are outside the window.
    await db().serviceRollup.createMany({ data: [rollup(0, 90_000), ...[1, 2, 3, 4, 5].map((m) => rollup(m, 1_000)), rollup(6, 90_000)] });
    const busy = await evaluate(service.id, t0 + 2 * SECOND);
    assert.deepEqual([busy.demandRpm, busy.availableRpm, busy.automaticTier], [1_000, 1_500, 'full']);

    // A surge in the last complete minute counts at once, before the average catches up.
    await db().serviceRollup.updateMany({ where: { serviceId: service.id, bucket: new Date(Math.floor(t0 / MINUTE) * MINUTE - MINUTE) }, data: { requests: 5_000 } });
    const swamped = await evaluate(service.id, t0 + 4 * SECOND);
    assert.deepEqual([swamped.demandRpm, swamped.automaticTier], [5_000, 'minimal'], 'D = 1,500 / 5,000 = 0.3');
  });

  test('a plan far above what is left never lowers the tier while the demand fits (the demo reproduction of issue 10)', async () => {
    // code-assistant's case: 4,600 RPM left of a chain planned for 12,000, and 40 requests a minute arriving.
    const { service } = await serviceWith([4_000, 600], { plannedRpm: 12_000 }, 40);
    const result = await evaluate(service.id, Date.now());
    assert.deepEqual([result.automaticTier, result.availableRpm, result.demandRpm, result.level], ['full', 4_600, 40, 115]);
    const view = (await getServiceDegradation(service.name))!;
    assert.deepEqual([view.tier, view.servedShare, view.overflowRpm], ['full', 1, 0]);
    assert.deepEqual([view.planning?.plannedRpm, view.planning?.worstLoss?.name, view.planning?.worstLoss?.remainingRpm], [12_000, (await db().target.findFirstOrThrow({ where: { rpm: 4_000, chainEntries: { some: { serviceId: service.id } } } })).name, 600]);
  });

  test('a service with no chain is in Emergency; a disabled service is left alone', async () => {
    const { service } = await serviceWith([], { plannedRpm: 0 }, 0);
    const result = await evaluate(service.id, Date.now());
    assert.deepEqual([result.automaticTier, result.level, result.change?.to], ['emergency', 0, 'emergency']);

    const { service: off } = await serviceWith([1_000]);
    await db().service.update({ where: { id: off.id }, data: { enabled: false } });
    assert.equal(await evaluate(off.id, Date.now()), undefined);
    assert.equal(await db().serviceTierState.count({ where: { serviceId: off.id } }), 0);
  });

  test('a level change alone is written at most every 15 s; tier, hold and shed-share changes at once', async () => {
    const { service } = await serviceWith([1_000, 1_000, 1_000], { plannedRpm: 1_000 }, 1_000);
    const t0 = Date.now();
    assert.equal((await evaluate(service.id, t0)).wrote, true);
    assert.equal((await evaluate(service.id, t0 + 2 * SECOND)).wrote, false, 'nothing changed');
    await setDemand(service.id, 1_200);
    assert.equal((await evaluate(service.id, t0 + 4 * SECOND)).wrote, false, 'D moved within Full, 4 s after the last write');
    assert.equal((await stateOf(service.id)).demandRpm, 1_000);
    assert.equal((await evaluate(service.id, t0 + 16 * SECOND)).wrote, true);
    assert.equal((await stateOf(service.id)).demandRpm, 1_200);
    await setDemand(service.id, 5_000);
    const dropped = await evaluate(service.id, t0 + 18 * SECOND);
    assert.deepEqual([dropped.wrote, dropped.automaticTier], [true, 'degraded'], '3,000 RPM for 5,000 of demand');
    // Shedding: the share served reaches the gateway at once, not 15 s later.
    await setDemand(service.id, 4_000);
    const shedLess = await evaluate(service.id, t0 + 20 * SECOND);
    assert.equal(shedLess.wrote, true);
    assert.equal((await loadSnapshot()).services.get(service.name)!.degradation.servedShare, 0.75);
  });
});

describe('tier override', () => {
  test('an override wins over the automatic tier, is audited and on the timeline, and ends by itself when it expires', async () => {
    const { service, targets } = await serviceWith([1_000, 1_000]);
    const t0 = Date.now();
    await evaluate(service.id, t0);
    const { version } = await stateOf(service.id);

    const result = await setTierOverride(users.operator, { serviceId: service.id, expectedVersion: version, tier: 'emergency', reason: 'provider outage drill', expiresInMinutes: 15 });
    assert.equal(result.version, version + 1);
    const seen = await snapshotDegradation(service.name, Date.now());
    assert.deepEqual([seen.automaticTier, seen.override?.tier, seen.override?.by, seen.effective], ['full', 'emergency', users.operator.email, 'emergency']);

    // Capacity lost under the override moves the automatic tier, but traffic keeps the operator's tier: no timeline entry.
    await setBreaker(targets[0].id, 'open');
    const hidden = await evaluate(service.id, t0 + 2 * SECOND);
    assert.deepEqual([hidden.automaticTier, hidden.change], ['degraded', null]);

    const audit = (await auditEntriesFor(service.id)).filter((e) => e.action === 'degradation.override');
    assert.equal(audit.length, 1);
    assert.equal(audit[0].reason, 'provider outage drill');
    assert.equal(audit[0].actorEmail, users.operator.email);
    assert.deepEqual((audit[0].after as { tier: string }).tier, 'Emergency');

    const expiresAt = (await stateOf(service.id)).overrideExpiresAt!.getTime();
    assert.ok(Math.abs(expiresAt - Date.now() - 15 * MINUTE) < MINUTE);
    const stillOn = await evaluate(service.id, expiresAt - SECOND);
    assert.equal(stillOn.change, null);
    const expired = await evaluate(service.id, expiresAt + 2 * SECOND);
    assert.deepEqual(expired.change, { from: 'emergency', to: 'degraded', cause: 'override_expired' });
    const state = await stateOf(service.id);
    assert.deepEqual([state.overrideTier, state.overrideBy, state.overrideExpiresAt, state.version], [null, null, null, version + 2]);

    const changes = await changesOf(service.id);
    assert.deepEqual(changes.map((c) => [c.from, c.to, c.cause, c.actor, c.reason]), [
      ['full', 'emergency', 'override', users.operator.email, 'provider outage drill'],
      ['emergency', 'degraded', 'override_expired', 'standby', 'the override expired'],
    ]);
    assert.equal(changes[1].at.getTime(), expiresAt, 'the timeline shows when the override stopped applying');
  });

  test('an operator can clear an override; the service goes back to its automatic tier', async () => {
    const { service } = await serviceWith([1_000, 1_000]);
    await evaluate(service.id, Date.now());
    const set = await setTierOverride(users.commander, { serviceId: service.id, expectedVersion: 1, tier: 'minimal', reason: 'shed load for the launch', expiresInMinutes: 'none' });
    assert.equal((await stateOf(service.id)).overrideExpiresAt, null, 'until cleared');

    const cleared = await clearTierOverride(users.operator, { serviceId: service.id, expectedVersion: set.version, reason: 'launch over' });
    assert.equal(cleared.tier, 'full');
    assert.equal((await snapshotDegradation(service.name, Date.now())).override, null);
    assert.deepEqual((await changesOf(service.id)).map((c) => [c.from, c.to, c.cause, c.actor, c.reason]), [
      ['full', 'minimal', 'override', users.commander.email, 'shed load for the launch'],
      ['minimal', 'full', 'override_cleared', users.operator.email, 'launch over'],
    ]);
    assert.deepEqual((await auditEntriesFor(service.id)).map((e) => e.action), ['degradation.override', 'degradation.override_clear']);

    await rejectsWith(clearTierOverride(users.operator, { serviceId: service.id, expectedVersion: cleared.version, reason: 'again' }), 'INVALID');
  });

  test('works on a service the control loop has not evaluated yet', async () => {
    const { service } = await serviceWith([1_000]);
    await setTierOverride(users.operator, { serviceId: service.id, expectedVersion: 1, tier: 'degraded', reason: 'pre-emptive' });
    const before = (await getServiceDegradation(service.name))!;
    assert.deepEqual([before.tier, before.evaluatedAt], ['degraded', null], 'not evaluated yet, and the page says so');
    const first = await evaluate(service.id, Date.now());
    assert.deepEqual([first.wrote, first.change], [true, null], 'the first evaluation is written at once; the override keeps the effective tier');
    const after = (await getServiceDegradation(service.name))!;
    assert.deepEqual([after.tier, after.automaticTier, after.availableRpm, after.demandRpm], ['degraded', 'degraded', 1_000, 1_500]);
    assert.ok(after.evaluatedAt);
  });

  test('of two operators acting on the same version, the second is refused and told who won', async () => {
    const { service } = await serviceWith([2_000]);
    await evaluate(service.id, Date.now());
    await setTierOverride(users.operator, { serviceId: service.id, expectedVersion: 1, tier: 'degraded', reason: 'first' });
    const error = await setTierOverride(users.admin, { serviceId: service.id, expectedVersion: 1, tier: 'emergency', reason: 'second' }).catch((e) => e);
    assert.ok(error instanceof AppError && error.code === 'CONFLICT');
    assert.match(error.message, new RegExp(`${users.operator.email} set it to Degraded \\("first"\\)`));
    assert.equal((await stateOf(service.id)).overrideTier, 'degraded');
    assert.equal((await changesOf(service.id)).length, 1);
  });

  test('a reason is required', async () => {
    const { service } = await serviceWith([1_000]);
    const error = await setTierOverride(users.operator, { serviceId: service.id, expectedVersion: 1, tier: 'minimal', reason: ' ' }).catch((e) => e);
    assert.ok(error instanceof AppError && error.code === 'INVALID');
    assert.deepEqual(Object.keys(error.fieldErrors ?? {}), ['reason']);
  });

  test('a viewer (or nobody) cannot set or clear an override, and nothing is written', async () => {
    const { service } = await serviceWith([1_000]);
    const auditBefore = await db().auditLog.count();
    await rejectsWith(setTierOverride(users.viewer, { serviceId: service.id, expectedVersion: 1, tier: 'emergency', reason: 'curious' }), 'FORBIDDEN');
    await rejectsWith(setTierOverride(null, { serviceId: service.id, expectedVersion: 1, tier: 'emergency', reason: 'curious' }), 'UNAUTHENTICATED');
    await rejectsWith(clearTierOverride(users.viewer, { serviceId: service.id, expectedVersion: 1, reason: 'curious' }), 'FORBIDDEN');
    assert.equal(await db().serviceTierState.count({ where: { serviceId: service.id } }), 0);
    assert.equal(await db().tierChange.count({ where: { serviceId: service.id } }), 0);
    assert.equal(await db().auditLog.count(), auditBefore);
  });
});

describe('degradation policy', () => {
  const validPolicy = (serviceId: string, extra: Record<string, unknown> = {}) => ({
    serviceId, version: 1, ...DEFAULT_TIER_THRESHOLDS, ...DEFAULT_TIER_POLICY, plannedRpm: 800, degradedMaxTokens: 256,
    rules: [{ match: 'contains', pattern: 'reset password', answer: 'See https://help.example.com/reset.' }], reason: 'tune for launch', ...extra,
  });

  test('saving creates the policy row, is audited field by field, bumps the version and drives the next evaluation', async () => {
    const { service, targets } = await serviceWith([1_000, 600], null);
    const saved = await updateDegradationPolicy(users.operator, validPolicy(service.id, { degradedTargetId: targets[1].id }));
    assert.equal(saved.version, 2);
    assert.equal(saved.warnings.length, 1, 'a frontier model as the Degraded target is saved, with a warning');

    const row = await db().degradationPolicy.findUniqueOrThrow({ where: { serviceId: service.id } });
    assert.deepEqual([row.plannedRpm, row.degradedMaxTokens, row.degradedTargetId], [800, 256, targets[1].id]);
    assert.deepEqual(row.rules, [{ match: 'contains', pattern: 'reset password', answer: 'See https://help.example.com/reset.' }]);

    const [audit] = (await auditEntriesFor(service.id)).filter((e) => e.action === 'degradation.policy_update');
    assert.equal(audit.reason, 'tune for launch');
    const before = audit.before as Record<string, unknown>;
    const afterward = audit.after as Record<string, unknown>;
    assert.equal(before['degraded target'], 'none');
    assert.equal(afterward['degraded target'], targets[1].name);
    assert.equal(afterward['planned capacity'], '800 RPM');
    assert.deepEqual(afterward.rules, ['contains "reset password" → "See https://help.example.com/reset."']);

    const snapshot = await loadSnapshot();
    assert.equal(snapshot.services.get(service.name)!.degradation.policy.degradedMaxTokens, 256, 'the gateway snapshot carries the policy');
    assert.equal((await getServiceDegradation(service.name))!.planning?.plannedRpm, 800, 'the plan feeds the planning risk');

    await rejectsWith(updateDegradationPolicy(users.admin, validPolicy(service.id, { plannedRpm: 900 })), 'CONFLICT');
    assert.equal((await db().degradationPolicy.findUniqueOrThrow({ where: { serviceId: service.id } })).plannedRpm, 800);
  });

  test('a bad policy is refused with every field error, and nothing is written', async () => {
    const { service } = await serviceWith([1_000], null);
    const auditBefore = await db().auditLog.count();
    const error = await updateDegradationPolicy(
      users.operator,
      validPolicy(service.id, {
        degradedBelow: 0.4, minimalBelow: 0, hysteresis: -0.1, holdSeconds: 1.5, degradedMaxTokens: 0, maintenanceMessage: '  ',
        rules: [{ match: 'regex', pattern: '(unclosed', answer: 'x' }, { match: 'contains', pattern: '', answer: '' }],
      }),
    ).catch((e) => e);
    assert.ok(error instanceof AppError && error.code === 'INVALID');
    assert.deepEqual(Object.keys(error.fieldErrors ?? {}).sort(), [
      'degradedMaxTokens', 'holdSeconds', 'hysteresis', 'maintenanceMessage', 'minimalBelow', 'rules.0.pattern', 'rules.1.answer', 'rules.1.pattern',
    ]);
    assert.match(error.fieldErrors!['rules.0.pattern'][0], /does not compile/);

    const missingTarget = await updateDegradationPolicy(users.operator, validPolicy(service.id, { degradedTargetId: '00000000-0000-4000-8000-000000000000' })).catch((e) => e);
    assert.deepEqual(Object.keys(missingTarget.fieldErrors ?? {}), ['degradedTargetId']);

    assert.equal(await db().degradationPolicy.count({ where: { serviceId: service.id } }), 0);
    assert.equal(await db().auditLog.count(), auditBefore);
  });

  test('the column defaults of a new policy row are the defaults a service without one gets', async () => {
    const { service } = await serviceWith([1_000], null);
    await db().degradationPolicy.create({ data: { serviceId: service.id } });
    const row = await db().degradationPolicy.findUniqueOrThrow({ where: { serviceId: service.id } });
    const { plannedRpm, degradedBelow, minimalBelow, hysteresis, holdSeconds } = row;
    assert.deepEqual({ plannedRpm, degradedBelow, minimalBelow, hysteresis, holdSeconds }, DEFAULT_TIER_THRESHOLDS);
    const { degradedTargetId, degradedMaxTokens, cacheTtlSeconds, rules, retryAfterSeconds, maintenanceMessage, queueEnabled, queueTtlSeconds } = row;
    assert.deepEqual({ degradedTargetId, degradedMaxTokens, cacheTtlSeconds, rules, retryAfterSeconds, maintenanceMessage, queueEnabled, queueTtlSeconds }, DEFAULT_TIER_POLICY);
  });

  test('a viewer cannot edit a policy, nor can a commander (it is inventory)', async () => {
    const { service } = await serviceWith([1_000], null);
    await rejectsWith(updateDegradationPolicy(users.viewer, validPolicy(service.id)), 'FORBIDDEN');
    await rejectsWith(updateDegradationPolicy(users.commander, validPolicy(service.id)), 'FORBIDDEN');
    assert.equal(await db().degradationPolicy.count({ where: { serviceId: service.id } }), 0);
  });
});

describe('reads', () => {
  test('the overview and the service view show the effective tier, the override, D and the timeline newest first', async () => {
    const { service, targets } = await serviceWith([1_000, 1_000]);
    await setBreaker(targets[0].id, 'open');
    await evaluate(service.id, Date.now());
    await setTierOverride(users.operator, { serviceId: service.id, expectedVersion: 1, tier: 'minimal', reason: 'hold it low', expiresInMinutes: 60 });

    const overview = await getDegradationOverview();
    const row = overview.services.find((s) => s.serviceId === service.id)!;
    assert.deepEqual([row.tier, row.automaticTier, row.override?.tier, row.override?.by, row.availableRpm, row.demandRpm, row.overflowRpm], ['minimal', 'degraded', 'minimal', users.operator.email, 1_000, 1_500, 500]);
    assert.ok(Math.abs(row.level! - 2 / 3) < 1e-9);
    assert.equal(row.since, row.override?.at);

    const view = (await getServiceDegradation(service.name))!;
    assert.deepEqual(view.changes.map((c) => c.cause), ['override', 'automatic']);
    assert.equal(view.policy.plannedRpm, 1_500);
    assert.equal(view.policy.isDefault, false);
    assert.equal(await getServiceDegradation(uniqueName('nope')), null);
  });
});

describe('demo estate', () => {
  test('sits in Full while healthy and stays there when a drain takes away planned capacity the demand does not need', async () => {
    await seedDemoEstate();
    // As seeded (the seed's own test edits one of them).
    const rpm: Record<string, number> = {
      'openai-gpt-4o-us-east': 10_000, 'openai-gpt-4o-mini-us-east': 30_000, 'azure-gpt-4o-eu-west': 6_000, 'anthropic-sonnet-us-west': 4_000,
      'anthropic-haiku-us-west': 8_000, 'gemini-flash-us-east': 2_000, 'vllm-llama-70b-on-prem': 600, 'vllm-llama-8b-on-prem': 2_400,
    };
    for (const [name, value] of Object.entries(rpm)) await db().target.update({ where: { name }, data: { rpm: value } });
    const services = await db().service.findMany({ where: { name: { in: ['support-bot', 'code-assistant', 'doc-summarizer'] } }, select: { id: true, name: true } });
    const ids = services.map((s) => s.id);
    // The demo traffic's share: a few dozen requests a minute each.
    for (const id of ids) await setDemand(id, 40);
    const supportBot = services.find((s) => s.name === 'support-bot')!;
    const view = (await getServiceDegradation('support-bot'))!;
    assert.deepEqual([view.policy.degradedTarget?.name, view.policy.degradedMaxTokens, view.policy.rules.length], ['openai-gpt-4o-mini-us-east', 256, 2]);

    const t0 = Date.now();
    const healthy = await evaluateTiers(await loadSnapshot(t0), t0, { serviceIds: ids });
    assert.deepEqual(healthy.map((r) => [r.serviceName, r.automaticTier]).sort(), [['code-assistant', 'full'], ['doc-summarizer', 'full'], ['support-bot', 'full']]);

    const gpt4o = await db().target.findUniqueOrThrow({ where: { name: 'openai-gpt-4o-us-east' }, select: { id: true } });
    const routingVersion = async () => (await db().service.findUniqueOrThrow({ where: { id: supportBot.id }, select: { routingVersion: true } })).routingVersion;
    await steer(users.operator, { serviceId: supportBot.id, expectedRoutingVersion: await routingVersion(), kind: 'drain', targetId: gpt4o.id, reason: 'demo: provider outage' });
    try {
      const drained = await evaluateTiers(await loadSnapshot(t0 + 2 * SECOND), t0 + 2 * SECOND, { serviceIds: ids });
      const tierOf = (name: string) => drained.find((r) => r.serviceName === name)!.automaticTier;
      assert.deepEqual(['support-bot', 'code-assistant', 'doc-summarizer'].map(tierOf), ['full', 'full', 'full'], '4,600 RPM left for 40 RPM of demand is plenty');
      const planning = (await getServiceDegradation('code-assistant'))!.planning!;
      assert.equal(Math.round(planning.coverage * 100), 38, 'the lost plan is a risk on the page: 4,600 of the planned 12,000 RPM');
    } finally {
      await steer(users.operator, { serviceId: supportBot.id, expectedRoutingVersion: await routingVersion(), kind: 'clear', reason: 'demo over' });
    }
  });
});
