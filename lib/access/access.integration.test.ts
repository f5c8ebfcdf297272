import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { auditEntriesFor, createTestUser, disconnect, rejectsWith, uniqueName } from '@/lib/server/test-fixtures';
import { db } from '@/lib/server/db';
import { env } from '@/lib/server/env';
import { AppError } from '@/lib/server/errors';
import { createUser, resetPassword, updateUser } from './mutations';
import { verifySignIn } from './sign-in';

type TestUser = Awaited<ReturnType<typeof createTestUser>>;
let admin: TestUser;
let operator: TestUser;

before(async () => {
  admin = await createTestUser('admin');
  operator = await createTestUser('operator');
});
after(disconnect);

// Each test signs in from its own address, so the per-address limit of one test never locks another.
const newAddress = () => uniqueName('address');
const editOf = async (id: string) => db().user.findUniqueOrThrow({ where: { id }, select: { id: true, email: true, name: true, role: true, disabled: true, version: true } });

describe('signing in', () => {
  test('the right password signs in; a wrong password and an unknown email are refused alike', async () => {
    const user = await createTestUser('viewer');
    const address = newAddress();
    assert.deepEqual(await verifySignIn(user.email.toUpperCase(), user.password, address), { id: user.id, email: user.email, name: user.name, role: user.role });
    assert.equal(await verifySignIn(user.email, 'not-the-password', address), null);
    assert.equal(await verifySignIn(`${uniqueName('nobody')}@standby.test`, user.password, address), null);
  });

  test('a disabled user cannot sign in, even with the right password', async () => {
    const user = await createTestUser('operator');
    await updateUser(admin, { ...(await editOf(user.id)), disabled: true });
    assert.equal(await verifySignIn(user.email, user.password, newAddress()), null);
  });

  test('after too many failures the account is locked, even for the right password, until an admin resets it', async () => {
    const user = await createTestUser('viewer');
    const address = newAddress();
    for (let i = 0; i < env().STANDBY_SIGNIN_MAX_FAILURES; i += 1) assert.equal(await verifySignIn(user.email, `wrong-${i}`, address), null);

    const locked = await verifySignIn(user.email, user.password, newAddress()).catch((error) => error);
    assert.ok(locked instanceof AppError && locked.code === 'RATE_LIMITED', 'the lock applies from any address');
    assert.match(locked.message, new RegExp(`Try again in ${env().STANDBY_SIGNIN_LOCK_MINUTES} minutes`));

    await resetPassword(admin, { id: user.id, password: 'a-brand-new-password' });
    assert.equal(await verifySignIn(user.email, user.password, address), null, 'the old password no longer works');
    assert.equal((await verifySignIn(user.email, 'a-brand-new-password', address))?.id, user.id);
  });
});

describe('user administration', () => {
  const newUserInput = () => ({ email: `${uniqueName('new')}@standby.test`, name: 'New User', role: 'viewer', password: 'long-enough-password' });

  test('only admins create users; an operator is refused and nothing is written', async () => {
    const [users, audit] = [await db().user.count(), await db().auditLog.count()];
    await rejectsWith(createUser(operator, newUserInput()), 'FORBIDDEN');
    await rejectsWith(createUser(null, newUserInput()), 'UNAUTHENTICATED');
    assert.equal(await db().user.count(), users);
    assert.equal(await db().auditLog.count(), audit);

    const created = await createUser(admin, newUserInput());
    assert.deepEqual((await auditEntriesFor(created.id)).map((e) => [e.action, e.actorEmail]), [['user.create', admin.email]]);
  });

  test('an email already in use, in any letter case, is a field error', async () => {
    const input = newUserInput();
    await createUser(admin, input);
    const error = await createUser(admin, { ...input, email: input.email.toUpperCase() }).catch((e) => e);
    assert.ok(error instanceof AppError && error.code === 'INVALID');
    assert.deepEqual(error.fieldErrors, { email: ['A user with this email already exists.'] });
  });

  test('the last enabled admin can be neither demoted nor disabled; with another admin the demotion is audited', async () => {
    const last = await createTestUser('admin');
    // Other tests (and files) share this database: make `last` the only enabled admin for this test.
    const others = await db().user.findMany({ where: { role: 'admin', disabled: false, id: { not: last.id } }, select: { id: true } });
    await db().user.updateMany({ where: { id: { in: others.map((o) => o.id) } }, data: { disabled: true } });
    try {
      const edit = await editOf(last.id);
      const demote = await updateUser(last, { ...edit, role: 'operator' }).catch((e) => e);
      assert.ok(demote instanceof AppError && demote.code === 'INVALID');
      assert.match(demote.message, /last enabled admin/);
      await rejectsWith(updateUser(last, { ...edit, disabled: true }), 'INVALID');
      assert.deepEqual(await editOf(last.id), edit, 'still an enabled admin, unchanged');

      const second = await createTestUser('admin');
      await updateUser(second, { ...edit, role: 'operator', reason: 'moved to on-call' });
      const [change] = (await auditEntriesFor(last.id)).filter((e) => e.action === 'user.role_change');
      assert.equal(change.actorEmail, second.email);
      assert.equal(change.reason, 'moved to on-call');
      assert.equal((change.before as { role: string }).role, 'admin');
      assert.equal((change.after as { role: string }).role, 'operator');
    } finally {
      await db().user.updateMany({ where: { id: { in: others.map((o) => o.id) } }, data: { disabled: false } });
    }
  });

  test('a password reset is audited without the password or its hash', async () => {
    const user = await createTestUser('viewer');
    const password = 'reset-password-that-must-not-leak';
    await resetPassword(admin, { id: user.id, password, reason: 'forgot it' });
    const { passwordHash } = await db().user.findUniqueOrThrow({ where: { id: user.id }, select: { passwordHash: true } });
    const entries = (await auditEntriesFor(user.id)).filter((e) => e.action === 'user.password_reset');
    assert.equal(entries.length, 1);
    const stored = JSON.stringify(entries, (_key, value) => (typeof value === 'bigint' ? value.toString() : value));
    assert.ok(!stored.includes(password) && !stored.includes(passwordHash) && !stored.includes('argon2'), stored);
  });
});
