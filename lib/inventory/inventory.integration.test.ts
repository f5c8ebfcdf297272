import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { auditEntriesFor, createTestProviderAndRegion, createTestUser, disconnect, rejectsWith, targetInputFor } from '@/test/fixtures';
import { db } from '@/lib/server/db';
import { AppError } from '@/lib/server/errors';
import { createCredential, createService, createTarget, deleteProvider, deleteRegion, deleteService, deleteTarget, setTargetEnabled, updateService, updateTarget } from './mutations';
import { getTarget, listServices, listTargets } from './data';

type Users = Record<'viewer' | 'operator' | 'admin', Awaited<ReturnType<typeof createTestUser>>>;
let users: Users;

before(async () => {
  users = { viewer: await createTestUser('viewer'), operator: await createTestUser('operator'), admin: await createTestUser('admin') };
});
after(disconnect);


describe('recovery components', () => {
  test('a service or target created from a form has its recovery component at once, and a deleted one has it retired', async () => {
    const { provider, region } = await createTestProviderAndRegion();
    const target = await createTarget(users.operator, { ...targetInputFor(provider.id, region.id), reason: 'new capacity' });
    const service = await createService(users.operator, { name: `components-${target.name}`, description: 'recovery components', owner: 'qa', reason: 'new service' });
    const componentOf = (name: string) => db().recoveryComponent.findUnique({ where: { name }, select: { kind: true, retiredAt: true, objectives: { select: { id: true } } } });

    const serving = await componentOf(`${target.name} serving`);
    const routing = await componentOf(`${service.name} routing`);
    assert.equal(serving?.kind, 'model_serving');
    assert.equal(routing?.kind, 'service_routing');
    assert.ok(serving.retiredAt === null && serving.objectives.length > 0 && routing.retiredAt === null && routing.objectives.length > 0, 'open, with default objectives');
    // Configuration history has the objectives file with the new component, as a version of the same change.
    const objectives = await db().configVersion.findFirstOrThrow({ where: { section: 'objectives' }, orderBy: { number: 'desc' } });
    assert.equal(objectives.action, 'service.create');
    assert.equal(objectives.actorEmail, users.operator.email);
    assert.ok(objectives.content.includes(`name: ${service.name} routing`));

    await deleteService(users.operator, { id: service.id, reason: 'retired' });
    await deleteTarget(users.operator, { id: target.id, reason: 'retired' });
    assert.ok((await componentOf(`${service.name} routing`))?.retiredAt, 'kept for past reports, retired');
    assert.ok((await componentOf(`${target.name} serving`))?.retiredAt, 'kept for past reports, retired');
  });
});

describe('targets', () => {
  test('an operator creates and edits a target; each change is audited with before and after', async () => {
    const { provider, region } = await createTestProviderAndRegion();
    const input = targetInputFor(provider.id, region.id);
    const created = await createTarget(users.operator, { ...input, reason: 'new capacity' });
    const updated = await updateTarget(users.operator, { id: created.id, version: 1 }, { ...input, rpm: 2500, reason: 'quota raised' });
    assert.equal(updated.version, 2);

    const entries = await auditEntriesFor(created.id);
    assert.deepEqual(entries.map((e) => e.action), ['target.create', 'target.update']);
    assert.equal(entries[1].actorEmail, users.operator.email);
    assert.equal(entries[1].reason, 'quota raised');
    assert.equal((entries[1].before as { rpm: number }).rpm, 1000);
    assert.equal((entries[1].after as { rpm: number }).rpm, 2500);
  });

  test('a viewer cannot create or edit, and nothing is written', async () => {
    const { provider, region } = await createTestProviderAndRegion();
    const before = await db().target.count();
    await rejectsWith(createTarget(users.viewer, targetInputFor(provider.id, region.id)), 'FORBIDDEN');
    await rejectsWith(createTarget(null, targetInputFor(provider.id, region.id)), 'UNAUTHENTICATED');
    assert.equal(await db().target.count(), before);
  });

  test('bad input lists every problem by field and writes nothing', async () => {
    const { provider, region } = await createTestProviderAndRegion();
    const auditBefore = await db().auditLog.count();
    const error = await createTarget(users.operator, targetInputFor(provider.id, region.id, { name: 'Bad Name!', rpm: -5, endpointUrl: 'ftp://x', qualityClass: 'best' })).catch((e) => e);
    assert.ok(error instanceof AppError && error.code === 'INVALID');
    assert.deepEqual(Object.keys(error.fieldErrors ?? {}).sort(), ['endpointUrl', 'name', 'qualityClass', 'rpm']);
    assert.equal(await db().auditLog.count(), auditBefore);
  });

  test('of two operators editing the same version, one wins and the other is told', async () => {
    const { provider, region } = await createTestProviderAndRegion();
    const input = targetInputFor(provider.id, region.id);
    const { id } = await createTarget(users.operator, input);
    const results = await Promise.allSettled([
      updateTarget(users.operator, { id, version: 1 }, { ...input, rpm: 111 }),
      updateTarget(users.admin, { id, version: 1 }, { ...input, rpm: 222 }),
    ]);
    assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
    const rejected = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    assert.equal((rejected.reason as AppError).code, 'CONFLICT');
    assert.equal((await auditEntriesFor(id)).filter((e) => e.action === 'target.update').length, 1);
  });

  test('a credential of another provider is refused for a target', async () => {
    const a = await createTestProviderAndRegion();
    const b = await createTestProviderAndRegion();
    const credential = await createCredential(users.admin, { name: `key-${a.provider.name}`, providerId: b.provider.id, secret: 'sk-test-1234567890' });
    const error = await createTarget(users.operator, targetInputFor(a.provider.id, a.region.id, { credentialId: credential.id })).catch((e) => e);
    assert.ok(error instanceof AppError);
    assert.ok(error.fieldErrors?.credentialId);
  });

  test('disabling keeps the target and audits it; the list filters by status', async () => {
    const { provider, region } = await createTestProviderAndRegion();
    const { id, name } = await createTarget(users.operator, targetInputFor(provider.id, region.id));
    await setTargetEnabled(users.operator, { id, version: 1, enabled: false, reason: 'maintenance' });
    const disabled = await listTargets({ q: name, page: 1, status: 'disabled' });
    assert.deepEqual(disabled.rows.map((r) => r.name), [name]);
    assert.equal((await listTargets({ q: name, page: 1, status: 'enabled' })).total, 0);
  });

  test('lists page at 50 rows', async () => {
    const { provider, region } = await createTestProviderAndRegion();
    for (let i = 0; i < 55; i += 1) await createTarget(users.operator, targetInputFor(provider.id, region.id));
    const first = await listTargets({ page: 1, status: 'all', q: undefined, providerId: provider.id });
    const second = await listTargets({ page: 2, status: 'all', q: undefined, providerId: provider.id });
    assert.equal(first.rows.length, 50);
    assert.equal(second.rows.length, 5);
    assert.equal(first.pageCount, 2);
  });
});

describe('availability and breaker settings of a target', () => {
  test('declared availability is typed as a percentage and stored as a fraction; the breaker section is saved and audited', async () => {
    const { provider, region } = await createTestProviderAndRegion();
    const input = targetInputFor(provider.id, region.id, { declaredAvailability: 99.95, breakerConsecutiveFailures: 3, breakerFailureRate: 0.25, breakerWindowMs: 20_000 });
    const { id } = await createTarget(users.operator, input);
    const row = await getTarget(id);
    assert.equal(row?.declaredAvailability, 0.9995);
    assert.deepEqual([row?.breakerConsecutiveFailures, row?.breakerFailureRate, row?.breakerWindowMs, row?.breakerOpenMs], [3, 0.25, 20_000, 15_000]);

    await updateTarget(users.operator, { id, version: 1 }, { ...input, declaredAvailability: '', breakerConsecutiveFailures: 8, reason: 'no SLA published' });
    const after = await getTarget(id);
    assert.equal(after?.declaredAvailability, null, 'emptied: none');
    assert.equal(after?.breakerConsecutiveFailures, 8);
    const [, update] = await auditEntriesFor(id);
    assert.deepEqual([(update.before as { declaredAvailability: number }).declaredAvailability, (update.after as { breakerConsecutiveFailures: number }).breakerConsecutiveFailures], [0.9995, 8]);
  });

  test('a caller that leaves the new settings out keeps them as they are', async () => {
    const { provider, region } = await createTestProviderAndRegion();
    const { id } = await createTarget(users.operator, targetInputFor(provider.id, region.id, { declaredAvailability: 99.9, breakerConsecutiveFailures: 2 }));
    await updateTarget(users.operator, { id, version: 1 }, targetInputFor(provider.id, region.id, { rpm: 5 }));
    const row = await getTarget(id);
    assert.deepEqual([row?.rpm, row?.declaredAvailability, row?.breakerConsecutiveFailures], [5, 0.999, 2]);
  });

  test('out-of-range values are each refused with a message, and nothing is written', async () => {
    const { provider, region } = await createTestProviderAndRegion();
    const before = await db().target.count();
    const error = await createTarget(users.operator, targetInputFor(provider.id, region.id, { declaredAvailability: 0.999, breakerConsecutiveFailures: 0, breakerFailureRate: 1.5, breakerWindowMs: '' })).catch((e) => e);
    assert.ok(error instanceof AppError && error.code === 'INVALID');
    assert.deepEqual(Object.keys(error.fieldErrors ?? {}).sort(), ['breakerConsecutiveFailures', 'breakerFailureRate', 'breakerWindowMs', 'declaredAvailability']);
    assert.match(error.fieldErrors!.declaredAvailability[0], /as a percentage of time, e\.g\. 99\.9/);
    assert.match(error.fieldErrors!.breakerWindowMs[0], /as a number/, 'an emptied field is not read as 0');
    const perfect = await createTarget(users.operator, targetInputFor(provider.id, region.id, { declaredAvailability: 100 })).catch((e) => e);
    assert.match(perfect.fieldErrors.declaredAvailability[0], /No provider is available 100% of the time/);
    assert.equal(await db().target.count(), before);
  });
});

describe('service level objective of a service', () => {
  test('the SLO is typed as a percentage with its window, stored as a fraction, audited; a 100% SLO is refused', async () => {
    const name = `slo-${Date.now().toString(36)}`;
    const created = await createService(users.operator, { name, sloTarget: '99.5', sloWindowDays: '28' });
    assert.deepEqual([created.sloTarget, created.sloWindowDays], [0.995, 28]);
    const error = await updateService(users.operator, { id: created.id, version: 1 }, { name, sloTarget: '100', sloWindowDays: '0' }).catch((e) => e);
    assert.ok(error instanceof AppError && error.code === 'INVALID');
    assert.match(error.fieldErrors!.sloTarget[0], /An SLO of 100% leaves no error budget/);
    assert.match(error.fieldErrors!.sloWindowDays[0], /at least 1/);
    await updateService(users.operator, { id: created.id, version: 1 }, { name, sloTarget: 99.99, sloWindowDays: 30, reason: 'tighter' });
    const [row] = (await listServices({ q: name, page: 1, status: 'all' })).rows;
    assert.deepEqual([row.sloTarget, row.sloWindowDays], [0.9999, 30]);
    const audit = await auditEntriesFor(created.id);
    assert.deepEqual(audit.map((e) => (e.after as { sloTarget: number }).sloTarget), [0.995, 0.9999]);
  });

  test('a service created without an SLO gets 99.9% over 30 days', async () => {
    const created = await createService(users.operator, { name: `slo-default-${Date.now().toString(36)}` });
    assert.deepEqual([created.sloTarget, created.sloWindowDays], [0.999, 30]);
  });
});

describe('deleting what others use', () => {
  test('a provider or region with targets cannot be deleted and stays', async () => {
    const { provider, region } = await createTestProviderAndRegion();
    await createTarget(users.operator, targetInputFor(provider.id, region.id));
    const providerError = await deleteProvider(users.operator, { id: provider.id }).catch((e) => e);
    assert.equal(providerError.code, 'IN_USE');
    assert.match(providerError.message, /disable the provider instead/);
    await rejectsWith(deleteRegion(users.operator, { id: region.id }), 'IN_USE');
    assert.equal(await db().provider.count({ where: { id: provider.id } }), 1);
    assert.equal(await db().region.count({ where: { id: region.id } }), 1);
  });
});

describe('credentials', () => {
  test('only admins manage credentials, and the secret is stored encrypted', async () => {
    const { provider } = await createTestProviderAndRegion();
    await rejectsWith(createCredential(users.operator, { name: `op-${provider.name}`, providerId: provider.id, secret: 'sk-live-operator-secret' }), 'FORBIDDEN');
    const created = await createCredential(users.admin, { name: `adm-${provider.name}`, providerId: provider.id, secret: 'sk-live-very-secret-value-9876' });
    const row = await db().credential.findUniqueOrThrow({ where: { id: created.id } });
    assert.ok(!row.ciphertext.includes('very-secret'));
    assert.equal(row.hint, '••••9876');
    const audit = await auditEntriesFor(created.id);
    assert.ok(!JSON.stringify(audit.map(({ before, after }) => ({ before, after }))).includes('very-secret'), 'the audit log never holds the secret');
  });
});

describe('audit log', () => {
  test('entries cannot be changed or deleted, even with direct SQL', async () => {
    const { provider, region } = await createTestProviderAndRegion();
    const { id } = await createTarget(users.operator, targetInputFor(provider.id, region.id));
    await assert.rejects(db().$executeRaw`UPDATE "AuditLog" SET action = 'forged' WHERE "entityId" = ${id}`, /cannot be changed or deleted/);
    await assert.rejects(db().$executeRaw`DELETE FROM "AuditLog" WHERE "entityId" = ${id}`, /cannot be changed or deleted/);
    assert.equal((await auditEntriesFor(id))[0].action, 'target.create');
  });
});
