import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { auditEntriesFor, createTestProviderAndRegion, createTestUser, disconnect, targetInputFor } from '@/lib/server/test-fixtures';
import { db } from '@/lib/server/db';
import { AppError } from '@/lib/server/errors';
import { createCredential, createTarget, deleteProvider, deleteRegion, setTargetEnabled, updateTarget } from './mutations';
import { listTargets } from './data';

type Users = Record<'viewer' | 'operator' | 'admin', Awaited<ReturnType<typeof createTestUser>>>;
let users: Users;

before(async () => {
  users = { viewer: await createTestUser('viewer'), operator: await createTestUser('operator'), admin: await createTestUser('admin') };
});
after(disconnect);

const rejectsWith = (promise: Promise<unknown>, code: string) => assert.rejects(promise, (error: unknown) => error instanceof AppError && error.code === code);

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
