import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { auditEntriesFor, createTestProviderAndRegion, createTestUsers, disconnect, rejectsWith, targetInputFor, type TestUsers, uniqueName } from '@/test/fixtures';
import { db, Prisma } from '@/lib/server/db';
import { AppError } from '@/lib/server/errors';
import { findServiceById, loadPlanningInputs } from '@/lib/routing/planning-inputs';
import { getServiceRouting, listRoutingOverview, previewServiceSteering } from './data';
import { saveChain, steer } from './mutations';
import { planRoute, servingTarget } from '@/lib/routing/plan';
import { DEFAULT_CHAIN_ENTRY } from './schemas';

let users: TestUsers;

before(async () => {
  users = await createTestUsers();
});
after(disconnect);


/** A service with `count` targets of its own, and a chain over them in that order (version 2 after the save). */
async function serviceWithChain(count = 3) {
  const { provider, region } = await createTestProviderAndRegion();
  const targets = [];
  for (let i = 0; i < count; i += 1) {
    targets.push(await db().target.create({ data: targetInputFor(provider.id, region.id) as Prisma.TargetUncheckedCreateInput, select: { id: true, name: true } }));
  }
  const service = await db().service.create({ data: { name: uniqueName('svc') }, select: { id: true, name: true } });
  await saveChain(users.operator, { serviceId: service.id, version: 1, entries: targets.map((t) => ({ ...DEFAULT_CHAIN_ENTRY, targetId: t.id })), reason: 'initial chain' });
  return { service, targets };
}

async function routingVersionOf(serviceId: string) {
  return (await db().service.findUniqueOrThrow({ where: { id: serviceId }, select: { routingVersion: true } })).routingVersion;
}

async function servingNow(serviceName: string) {
  const inputs = await loadPlanningInputs();
  const service = inputs.services.get(serviceName)!;
  const plan = planRoute(service, inputs.targets, inputs.overrides, inputs.breakerOf, Date.now());
  return { plan, serving: servingTarget(plan)?.target.name ?? null };
}

describe('failover chain', () => {
  test('saving a chain replaces its entries, bumps the versions and is audited with target names', async () => {
    const { service, targets } = await serviceWithChain(2);
    const [a, b] = targets;
    const saved = await saveChain(users.operator, {
      serviceId: service.id, version: 2, reason: 'b first',
      entries: [{ ...DEFAULT_CHAIN_ENTRY, targetId: b.id, maxRetries: 4 }, { ...DEFAULT_CHAIN_ENTRY, targetId: a.id }],
    });
    assert.equal(saved.version, 3);

    const rows = await db().chainEntry.findMany({ where: { serviceId: service.id }, orderBy: { position: 'asc' } });
    assert.deepEqual(rows.map((r) => [r.targetId, r.position, r.maxRetries]), [[b.id, 1, 4], [a.id, 2, 2]]);
    assert.deepEqual(rows[0].failoverOn, [...DEFAULT_CHAIN_ENTRY.failoverOn]);

    const entries = (await auditEntriesFor(service.id)).filter((e) => e.action === 'service.chain_update');
    assert.equal(entries.length, 2);
    const last = entries[1];
    assert.equal(last.reason, 'b first');
    assert.equal(last.actorEmail, users.operator.email);
    assert.deepEqual((last.before as Record<string, unknown>)['chain order'], [a.name, b.name]);
    assert.deepEqual((last.after as Record<string, unknown>)['chain order'], [b.name, a.name]);
    assert.match((last.after as Record<string, string>)[b.name], /^retries 4, backoff 200-5000 ms; timeouts \(ms\) connect 3000, /);
    assert.equal((last.before as Record<string, string>)[a.name], (last.after as Record<string, string>)[a.name], 'a moved target with the same settings shows no change');
  });

  test('a stale version is refused with CONFLICT and changes nothing', async () => {
    const { service, targets } = await serviceWithChain(2);
    await rejectsWith(saveChain(users.operator, { serviceId: service.id, version: 1, entries: [{ ...DEFAULT_CHAIN_ENTRY, targetId: targets[1].id }] }), 'CONFLICT');
    assert.equal(await db().chainEntry.count({ where: { serviceId: service.id } }), 2);
    assert.equal((await auditEntriesFor(service.id)).filter((e) => e.action === 'service.chain_update').length, 1);
  });

  test('bad entries are refused field by field', async () => {
    const { service, targets } = await serviceWithChain(1);
    const error = await saveChain(users.operator, {
      serviceId: service.id, version: 2,
      entries: [
        { ...DEFAULT_CHAIN_ENTRY, targetId: targets[0].id, baseBackoffMs: 1000, maxBackoffMs: 500, failoverOn: ['server_error', 'sunspots'] },
        { ...DEFAULT_CHAIN_ENTRY, targetId: targets[0].id, headerTimeoutMs: 60_000, totalTimeoutMs: 30_000 },
      ],
    }).catch((e) => e);
    assert.ok(error instanceof AppError && error.code === 'INVALID');
    assert.deepEqual(Object.keys(error.fieldErrors ?? {}).sort(), ['entries.0.failoverOn.1', 'entries.0.maxBackoffMs', 'entries.1.targetId', 'entries.1.totalTimeoutMs']);
  });

  test('a viewer cannot edit a chain', async () => {
    const { service, targets } = await serviceWithChain(1);
    await rejectsWith(saveChain(users.viewer, { serviceId: service.id, version: 2, entries: [{ ...DEFAULT_CHAIN_ENTRY, targetId: targets[0].id }] }), 'FORBIDDEN');
  });
});

describe('steering', () => {
  test('force failover moves traffic to the next target, is audited with reason, plan and expiry, and bumps the routing version', async () => {
    const { service, targets } = await serviceWithChain();
    const version = await routingVersionOf(service.id);
    const result = await steer(users.commander, { serviceId: service.id, expectedRoutingVersion: version, kind: 'force_failover', reason: 'primary slow', expiresInMinutes: 60 });
    assert.equal(result.routingVersion, version + 1);
    assert.equal(await routingVersionOf(service.id), version + 1);
    assert.equal(result.after.serving?.name, targets[1].name);

    const override = await db().routingOverride.findFirstOrThrow({ where: { serviceId: service.id } });
    assert.equal(override.kind, 'force_failover');
    assert.equal(override.targetId, targets[0].id, 'the override records the target traffic moved away from');
    assert.equal(override.createdBy, users.commander.email);
    assert.ok(override.expiresAt && Math.abs(override.expiresAt.getTime() - Date.now() - 3_600_000) < 60_000);

    const audit = (await auditEntriesFor(service.id)).find((e) => e.action === 'routing.force_failover')!;
    assert.equal(audit.reason, 'primary slow');
    assert.equal((audit.before as { serving: string }).serving, targets[0].name);
    assert.equal((audit.after as { serving: string }).serving, targets[1].name);
    assert.ok((audit.after as { expiresAt: string | null }).expiresAt);

    assert.equal((await servingNow(service.name)).serving, targets[1].name, 'the planner reading the database agrees');
  });

  test('a viewer cannot steer, and nothing is written', async () => {
    const { service } = await serviceWithChain();
    const version = await routingVersionOf(service.id);
    const auditBefore = await db().auditLog.count();
    await rejectsWith(steer(users.viewer, { serviceId: service.id, expectedRoutingVersion: version, kind: 'force_failover', reason: 'curious' }), 'FORBIDDEN');
    await rejectsWith(steer(null, { serviceId: service.id, expectedRoutingVersion: version, kind: 'force_failover', reason: 'curious' }), 'UNAUTHENTICATED');
    assert.equal(await db().routingOverride.count({ where: { serviceId: service.id } }), 0);
    assert.equal(await routingVersionOf(service.id), version);
    assert.equal(await db().auditLog.count(), auditBefore);
  });

  test('of two operators steering at once from the same version, exactly one wins and the other is told what happened', async () => {
    const { service, targets } = await serviceWithChain();
    const version = await routingVersionOf(service.id);
    const results = await Promise.allSettled([
      steer(users.operator, { serviceId: service.id, expectedRoutingVersion: version, kind: 'pin', targetId: targets[2].id, reason: 'pin to the big one' }),
      steer(users.admin, { serviceId: service.id, expectedRoutingVersion: version, kind: 'force_failover', reason: 'primary is flapping' }),
    ]);
    assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
    const rejected = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    const error = rejected.reason as AppError;
    assert.equal(error.code, 'CONFLICT');
    assert.match(error.message, new RegExp(`^Another operator changed routing for ${service.name} a moment ago: .+(pinned it to|forced failover away from) .+\\. Review the new state and try again\\.$`));
    assert.equal(await db().routingOverride.count({ where: { serviceId: service.id } }), 1);
    assert.equal((await auditEntriesFor(service.id)).filter((e) => e.action.startsWith('routing.')).length, 1);
    assert.equal(await routingVersionOf(service.id), version + 1);
  });

  test('a pin sends traffic only to its target; return to automatic clears pins and forced failovers', async () => {
    const { service, targets } = await serviceWithChain();
    let version = await routingVersionOf(service.id);
    await steer(users.operator, { serviceId: service.id, expectedRoutingVersion: version++, kind: 'force_failover', reason: 'primary slow' });
    await steer(users.operator, { serviceId: service.id, expectedRoutingVersion: version++, kind: 'pin', targetId: targets[2].id, reason: 'known good' });
    const pinned = await servingNow(service.name);
    assert.equal(pinned.plan.mode, 'pinned');
    assert.equal(pinned.serving, targets[2].name);
    assert.equal(await db().routingOverride.count({ where: { serviceId: service.id, clearedAt: null } }), 1, 'the pin replaced the forced failover');

    await steer(users.operator, { serviceId: service.id, expectedRoutingVersion: version++, kind: 'clear', reason: 'incident over' });
    assert.equal(await db().routingOverride.count({ where: { serviceId: service.id, clearedAt: null } }), 0);
    const cleared = await db().routingOverride.findMany({ where: { serviceId: service.id } });
    assert.ok(cleared.every((o) => o.clearedAt && o.clearedBy === users.operator.email));
    const automatic = await servingNow(service.name);
    assert.equal(automatic.plan.mode, 'automatic');
    assert.equal(automatic.serving, targets[0].name);
    assert.deepEqual((await auditEntriesFor(service.id)).filter((e) => e.action.startsWith('routing.')).map((e) => e.action), ['routing.force_failover', 'routing.pin', 'routing.clear']);
  });

  test('a drain applies to every service using the target, bumps their routing version, and is cleared from either', async () => {
    const { service, targets } = await serviceWithChain(2);
    const other = await db().service.create({ data: { name: uniqueName('svc') }, select: { id: true, name: true } });
    await saveChain(users.operator, { serviceId: other.id, version: 1, entries: [{ ...DEFAULT_CHAIN_ENTRY, targetId: targets[0].id }, { ...DEFAULT_CHAIN_ENTRY, targetId: targets[1].id }] });
    const otherVersion = await routingVersionOf(other.id);

    const preview = await previewServiceSteering(service.name, { kind: 'drain', targetId: targets[0].id });
    assert.deepEqual(preview?.elsewhere.map((s) => s.name), [other.name]);

    await steer(users.operator, { serviceId: service.id, expectedRoutingVersion: await routingVersionOf(service.id), kind: 'drain', targetId: targets[0].id, reason: 'provider maintenance' });
    const drain = await db().routingOverride.findFirstOrThrow({ where: { targetId: targets[0].id, kind: 'drain' } });
    assert.equal(drain.serviceId, null);
    assert.equal((await servingNow(other.name)).serving, targets[1].name);
    assert.equal(await routingVersionOf(other.id), otherVersion + 1);
    const audit = (await auditEntriesFor(targets[0].id)).find((e) => e.action === 'routing.drain')!;
    assert.equal(audit.entityType, 'target');
    assert.deepEqual((audit.after as { alsoAffects: string[] }).alsoAffects, [other.name]);

    // The other service's operator, with a page from before the drain, is told about it.
    const error = await steer(users.admin, { serviceId: other.id, expectedRoutingVersion: otherVersion, kind: 'force_failover', reason: 'late' }).catch((e) => e);
    assert.equal(error.code, 'CONFLICT');
    assert.match(error.message, new RegExp(`drained ${targets[0].name} \\("provider maintenance"\\)`));

    await steer(users.admin, { serviceId: other.id, expectedRoutingVersion: otherVersion + 1, kind: 'clear', reason: 'maintenance done' });
    assert.equal((await db().routingOverride.findUniqueOrThrow({ where: { id: drain.id } })).clearedBy, users.admin.email);
    assert.equal((await servingNow(service.name)).serving, targets[0].name);
  });

  test('a missing reason is refused with a field error, and nothing is written', async () => {
    const { service, targets } = await serviceWithChain();
    const version = await routingVersionOf(service.id);
    for (const reason of [undefined, '', '  ', 'ok']) {
      const error = await steer(users.operator, { serviceId: service.id, expectedRoutingVersion: version, kind: 'pin', targetId: targets[1].id, reason }).catch((e) => e);
      assert.ok(error instanceof AppError && error.code === 'INVALID');
      assert.ok(error.fieldErrors?.reason, `reason ${JSON.stringify(reason)} is refused`);
    }
    const noTarget = await steer(users.operator, { serviceId: service.id, expectedRoutingVersion: version, kind: 'drain', reason: 'which one?' }).catch((e) => e);
    assert.deepEqual(noTarget.fieldErrors?.targetId, ['Choose the target to drain.']);
    assert.equal(await db().routingOverride.count({ where: { serviceId: service.id } }), 0);
    assert.equal(await routingVersionOf(service.id), version);
  });

  test('pinning to a target outside the chain is refused; a pinned target cannot be dropped from the chain', async () => {
    const { service, targets } = await serviceWithChain(2);
    const stranger = await serviceWithChain(1);
    let version = await routingVersionOf(service.id);
    const error = await steer(users.operator, { serviceId: service.id, expectedRoutingVersion: version, kind: 'pin', targetId: stranger.targets[0].id, reason: 'wrong one' }).catch((e) => e);
    assert.ok(error.fieldErrors?.targetId);
    assert.equal(await routingVersionOf(service.id), version, 'the refused change rolled back the version bump');

    await steer(users.operator, { serviceId: service.id, expectedRoutingVersion: version++, kind: 'pin', targetId: targets[1].id, reason: 'known good' });
    const chainVersion = (await db().service.findUniqueOrThrow({ where: { id: service.id } })).version;
    const dropped = await saveChain(users.operator, { serviceId: service.id, version: chainVersion, entries: [{ ...DEFAULT_CHAIN_ENTRY, targetId: targets[0].id }] }).catch((e) => e);
    assert.equal(dropped.code, 'INVALID');
    assert.match(dropped.message, /is pinned to/);
  });

  test('an expired override is ignored by the planner reading the database', async () => {
    const { service, targets } = await serviceWithChain();
    await db().routingOverride.create({
      data: { kind: 'pin', serviceId: service.id, targetId: targets[2].id, reason: 'old pin', createdBy: 'someone@standby.test', expiresAt: new Date(Date.now() - 1_000) },
    });
    const { plan, serving } = await servingNow(service.name);
    assert.equal(plan.mode, 'automatic');
    assert.equal(serving, targets[0].name);

    const routing = await getServiceRouting(service.name);
    assert.equal(routing?.plan.mode, 'automatic');
    assert.deepEqual(routing?.overrides, []);
    // Nothing to return from: the expired pin does not count.
    await rejectsWith(steer(users.operator, { serviceId: service.id, expectedRoutingVersion: await routingVersionOf(service.id), kind: 'clear', reason: 'tidy up' }), 'INVALID');
  });
});

describe('reads', () => {
  test('service routing shows the chain, breakers, overrides, transitions and recent load', async () => {
    const { service, targets } = await serviceWithChain(2);
    await db().targetBreaker.create({ data: { targetId: targets[0].id, state: 'open' } });
    await db().breakerTransition.create({ data: { targetId: targets[0].id, from: 'closed', to: 'open', cause: 'failure rate 80%', replica: 'test' } });
    const now = Date.now();
    await db().healthSample.createMany({
      data: [
        // One request retried once, one plain request, and one outside the window: two requests in five minutes.
        { targetId: targets[0].id, serviceId: service.id, source: 'traffic', ok: false, latencyMs: 10, requestId: 'r1', attempt: 1, at: new Date(now - 60_000) },
        { targetId: targets[1].id, serviceId: service.id, source: 'traffic', ok: true, latencyMs: 10, requestId: 'r1', attempt: 2, at: new Date(now - 60_000) },
        { targetId: targets[1].id, serviceId: service.id, source: 'traffic', ok: true, latencyMs: 10, requestId: 'r2', attempt: 1, at: new Date(now - 120_000) },
        { targetId: targets[1].id, serviceId: service.id, source: 'traffic', ok: true, latencyMs: 10, requestId: 'r3', attempt: 1, at: new Date(now - 600_000) },
        { targetId: targets[1].id, serviceId: service.id, source: 'probe', ok: true, latencyMs: 10, at: new Date(now - 60_000) },
      ],
    });
    await steer(users.operator, { serviceId: service.id, expectedRoutingVersion: await routingVersionOf(service.id), kind: 'drain', targetId: targets[1].id, reason: 'maintenance', expiresInMinutes: 15 });

    const routing = (await getServiceRouting(service.name))!;
    assert.deepEqual(routing.chain.map((e) => [e.targetName, e.breaker.state]), [[targets[0].name, 'open'], [targets[1].name, 'closed']]);
    assert.equal(routing.plan.mode, 'automatic');
    assert.equal(routing.plan.serving?.name, targets[0].name, 'the open breaker serves as a last resort: the other target is drained');
    assert.equal(routing.plan.lastResort, true);
    assert.deepEqual(routing.overrides.map((o) => [o.kind, o.targetName, o.reason, o.createdBy]), [['drain', targets[1].name, 'maintenance', users.operator.email]]);
    assert.ok(routing.overrides[0].expiresAt);
    assert.deepEqual(routing.transitions.map((t) => [t.targetName, t.to]), [[targets[0].name, 'open']]);
    assert.equal(routing.load.requestsPerMinute, 0.4);

    const overview = (await listRoutingOverview()).find((row) => row.id === service.id)!;
    assert.equal(overview.chainLength, 2);
    assert.deepEqual(overview.openBreakers, [targets[0].name]);
    assert.equal(overview.overrides.length, 1);

    assert.equal(await getServiceRouting(uniqueName('missing')), null);
  });

  test('the planning inputs carry no credentials', async () => {
    const inputs = await loadPlanningInputs();
    assert.ok([...inputs.targets.values()].every((t) => t.apiKey === null));
    const { service } = await serviceWithChain(1);
    assert.equal(findServiceById(inputs, service.id), null, 'a service created after loading is not in the inputs');
  });
});
