import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createService } from '@/lib/inventory/mutations';
import { db } from '@/lib/server/db';
import { AppError } from '@/lib/server/errors';
import { auditEntriesFor, createTestUser, disconnect, rejectsWith, uniqueName } from '@/test/fixtures';
import { listActiveApiTokens, listApiTokens } from './token-data';
import { createApiToken, revokeApiToken } from './token-mutations';
import { hashToken, parseBearer } from './tokens';

type TestUser = Awaited<ReturnType<typeof createTestUser>>;
let admin: TestUser;
let operator: TestUser;

before(async () => {
  admin = await createTestUser('admin');
  operator = await createTestUser('operator');
});
after(disconnect);

const serialized = (value: unknown) => JSON.stringify(value, (_key, inner) => (typeof inner === 'bigint' ? inner.toString() : inner));

describe('API tokens', () => {
  test('create stores only the hash and prefix, returns the token once, and audits neither token nor hash', async () => {
    const service = await createService(admin, { name: uniqueName('svc') });
    const created = await createApiToken(admin, { name: uniqueName('ci job'), services: [service.name], expiresInDays: 30, reason: 'nightly backups' });
    assert.match(created.token, /^sbk_[0-9A-Za-z]{8}_[0-9A-Za-z]{32}$/);
    assert.equal(parseBearer(`Bearer ${created.token}`), created.token);

    const row = await db().apiToken.findUniqueOrThrow({ where: { id: created.id } });
    assert.equal(row.tokenHash, hashToken(created.token));
    assert.equal(row.prefix, created.prefix);
    assert.deepEqual(row.services, [service.name]);
    assert.equal(row.createdBy, admin.email);
    assert.ok(!serialized(row).includes(created.token), 'the token itself is not stored');
    const days = (row.expiresAt!.getTime() - row.createdAt.getTime()) / 86_400_000;
    assert.ok(Math.abs(days - 30) < 0.01, `expires in 30 days, not ${days}`);

    const listed = (await listApiTokens()).find((t) => t.id === created.id)!;
    assert.equal(listed.status, 'active');
    assert.ok(!serialized(listed).includes(created.token) && !serialized(listed).includes(row.tokenHash), 'the list shows neither token nor hash');
    assert.ok((await listActiveApiTokens()).some((t) => t.tokenHash === row.tokenHash));

    const entries = await auditEntriesFor(created.id);
    assert.deepEqual(entries.map((e) => [e.action, e.actorEmail, e.reason]), [['api_token.create', admin.email, 'nightly backups']]);
    const audit = serialized(entries);
    assert.ok(!audit.includes(created.token) && !audit.includes(row.tokenHash) && !audit.includes(created.token.slice(13)), audit);
  });

  test('revoke stops the token at once, is audited, and cannot happen twice', async () => {
    const created = await createApiToken(admin, { name: uniqueName('revoked') });
    const row = await db().apiToken.findUniqueOrThrow({ where: { id: created.id }, select: { tokenHash: true } });
    await revokeApiToken(admin, { id: created.id, reason: 'leaked in a log' });
    const revoked = await db().apiToken.findUniqueOrThrow({ where: { id: created.id } });
    assert.ok(revoked.revokedAt);
    assert.equal(revoked.revokedBy, admin.email);
    assert.ok(!(await listActiveApiTokens()).some((t) => t.tokenHash === row.tokenHash), 'no longer usable');
    assert.equal((await listApiTokens()).find((t) => t.id === created.id)!.status, 'revoked');

    await rejectsWith(revokeApiToken(admin, { id: created.id }), 'CONFLICT');
    const entries = await auditEntriesFor(created.id);
    assert.deepEqual(entries.map((e) => [e.action, e.reason]), [['api_token.create', null], ['api_token.revoke', 'leaked in a log']]);
    assert.ok(!serialized(entries).includes(row.tokenHash));
  });

  test('only admins manage tokens; bad input lists every field; unknown services are refused; nothing is written', async () => {
    const [tokens, audit] = [await db().apiToken.count(), await db().auditLog.count()];
    await rejectsWith(createApiToken(operator, { name: uniqueName('op') }), 'FORBIDDEN');
    await rejectsWith(createApiToken(null, { name: uniqueName('anon') }), 'UNAUTHENTICATED');

    const invalid = await createApiToken(admin, { name: 'x', services: ['Not A Service!'], expiresInDays: 4000 }).catch((e) => e);
    assert.ok(invalid instanceof AppError && invalid.code === 'INVALID');
    assert.deepEqual(Object.keys(invalid.fieldErrors ?? {}).sort(), ['expiresInDays', 'name', 'services.0']);

    const unknown = await createApiToken(admin, { name: uniqueName('unknown'), services: ['no-such-service'] }).catch((e) => e);
    assert.ok(unknown instanceof AppError && unknown.code === 'INVALID');
    assert.match(unknown.fieldErrors?.services?.[0] ?? '', /No service named no-such-service/);
    assert.equal(await db().apiToken.count(), tokens);
    assert.equal(await db().auditLog.count(), audit);

    const created = await createApiToken(admin, { name: uniqueName('other') });
    await rejectsWith(revokeApiToken(operator, { id: created.id }), 'FORBIDDEN');
    const duplicate = await createApiToken(admin, { name: created.name }).catch((e) => e);
    assert.deepEqual(duplicate.fieldErrors, { name: ['A token with this name already exists.'] });
  });
});
