import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { auditEntriesFor, createTestUser, disconnect, rejectsWith, uniqueName } from '@/test/fixtures';
import { db } from '@/lib/server/db';
import { env } from '@/lib/server/env';
import { AppError } from '@/lib/server/errors';
import { changeOwnPassword, createUser, resetPassword, signOutOtherSessions, updateUser } from './mutations';
import { deleteExpiredAccessRows } from './cleanup';
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
    assert.deepEqual(await verifySignIn(user.email.toUpperCase(), user.password, address), { id: user.id, email: user.email, name: user.name, role: user.role, sessionGeneration: 0 });
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

describe('signing in under attack', () => {
  test('a hundred wrong passwords at once: at most the limit are verified, the account locks, the right password waits for the lock to end, another account is unaffected', async () => {
    const [user, bystander] = [await createTestUser('viewer'), await createTestUser('viewer')];
    const outcomes = await Promise.all(
      Array.from({ length: 100 }, (_, i) => verifySignIn(user.email, `wrong-${i}`, newAddress()).then(() => 'verified', (error: unknown) => (error instanceof AppError ? error.code : String(error)))),
    );
    const verified = outcomes.filter((o) => o === 'verified').length;
    assert.equal(verified, env().STANDBY_SIGNIN_MAX_FAILURES, 'exactly the limit were verified');
    assert.equal(outcomes.filter((o) => o === 'RATE_LIMITED').length, 100 - verified, 'every other attempt was refused unverified');

    await rejectsWith(verifySignIn(user.email, user.password, newAddress()), 'RATE_LIMITED');
    assert.equal((await verifySignIn(bystander.email, bystander.password, newAddress()))?.id, bystander.id);

    // The lock ends (as if its minutes had passed): the right password signs in again.
    await db().signInThrottle.update({ where: { key: `account:${user.email}` }, data: { lockedUntil: new Date(Date.now() - 1000) } });
    assert.equal((await verifySignIn(user.email, user.password, newAddress()))?.id, user.id);
  });

  test('one address is limited too, whatever accounts it tries, and a successful sign-in gives its attempt back', async () => {
    const address = newAddress();
    const limit = env().STANDBY_SIGNIN_MAX_FAILURES * 4;
    for (let i = 0; i < limit - 1; i += 1) assert.equal(await verifySignIn(`${uniqueName('nobody')}@standby.test`, 'guess', address), null);
    const user = await createTestUser('viewer');
    for (let i = 0; i < 3; i += 1) assert.equal((await verifySignIn(user.email, user.password, address))?.id, user.id, 'successes do not use up the address');
    assert.equal(await verifySignIn(`${uniqueName('nobody')}@standby.test`, 'guess', address), null);
    await rejectsWith(verifySignIn(user.email, user.password, address), 'RATE_LIMITED');
  });

  test('expired throttle rows and session revocations are deleted; live ones stay', async () => {
    const long = new Date(Date.now() - 24 * 3_600_000);
    const keys = { stale: `account:${uniqueName('stale')}@x`, lockOver: `account:${uniqueName('lock-over')}@x`, live: `account:${uniqueName('live')}@x`, locked: `account:${uniqueName('locked')}@x` };
    await db().signInThrottle.createMany({
      data: [
        { key: keys.stale, failures: 2, windowStartsAt: long },
        { key: keys.lockOver, failures: 5, windowStartsAt: long, lockedUntil: new Date(Date.now() - 1000) },
        { key: keys.live, failures: 2, windowStartsAt: new Date() },
        { key: keys.locked, failures: 5, windowStartsAt: long, lockedUntil: new Date(Date.now() + 600_000) },
      ],
    });
    const [expired, current] = [uniqueName('expired'), uniqueName('current')];
    await db().revokedSession.createMany({ data: [{ id: expired, expiresAt: long }, { id: current, expiresAt: new Date(Date.now() + 3_600_000) }] });
    const deleted = await deleteExpiredAccessRows();
    assert.ok(deleted.throttles >= 2 && deleted.revokedSessions >= 1);
    const left = await db().signInThrottle.findMany({ where: { key: { in: Object.values(keys) } }, select: { key: true } });
    assert.deepEqual(left.map((row) => row.key).sort(), [keys.live, keys.locked].sort());
    assert.deepEqual((await db().revokedSession.findMany({ where: { id: { in: [expired, current] } } })).map((row) => row.id), [current]);
  });
});

describe("ending a user's sessions", () => {
  const generationOf = async (id: string) => (await db().user.findUniqueOrThrow({ where: { id }, select: { sessionGeneration: true } })).sessionGeneration;

  test('a password reset, a role change, disabling and "sign out other sessions" move the generation on; renaming does not', async () => {
    const user = await createTestUser('viewer');
    let generation = await generationOf(user.id);
    const expectMove = async (what: string, moves: boolean) => {
      const next = await generationOf(user.id);
      assert.equal(next, moves ? generation + 1 : generation, what);
      generation = next;
    };
    await updateUser(admin, { ...(await editOf(user.id)), name: 'Renamed' });
    await expectMove('rename', false);
    await resetPassword(admin, { id: user.id, password: 'another-long-password' });
    await expectMove('password reset', true);
    await updateUser(admin, { ...(await editOf(user.id)), role: 'operator' });
    await expectMove('role change', true);
    await updateUser(admin, { ...(await editOf(user.id)), disabled: true });
    await expectMove('disabled', true);
    await updateUser(admin, { ...(await editOf(user.id)), disabled: false });
    await expectMove('enabled again', false);
    assert.equal(await signOutOtherSessions({ ...user, role: 'operator' }), generation + 1);
    await expectMove('sign out other sessions', true);
    await rejectsWith(signOutOtherSessions(null), 'UNAUTHENTICATED');
    assert.ok((await auditEntriesFor(user.id)).some((e) => e.action === 'user.sessions_ended' && e.actorEmail === user.email));
  });
});

describe('changing one\'s own password', () => {
  test('the current password is needed; the new one signs in, the old one no longer; other sessions end; audited without the password', async () => {
    const user = await createTestUser('viewer');
    const caller = { id: user.id, email: user.email, name: user.name, role: user.role };
    const generation = (await db().user.findUniqueOrThrow({ where: { id: user.id } })).sessionGeneration;
    const refused = async (input: Record<string, string>, field: string, message: RegExp) => {
      const error = await changeOwnPassword(caller, input).catch((e: unknown) => e);
      assert.ok(error instanceof AppError && error.code === 'INVALID', String(error));
      assert.match(error.fieldErrors?.[field]?.join(' ') ?? '', message);
    };
    await refused({ currentPassword: 'not-the-password', password: 'a-fresh-long-password', confirm: 'a-fresh-long-password' }, 'currentPassword', /not your current password/);
    await refused({ currentPassword: user.password, password: 'short', confirm: 'short' }, 'password', /at least 12/i);
    await refused({ currentPassword: user.password, password: 'a-fresh-long-password', confirm: 'a-fresh-long-passwore' }, 'confirm', /differ/);
    await refused({ currentPassword: user.password, password: user.password, confirm: user.password }, 'password', /other than the current one/);
    await rejectsWith(changeOwnPassword(null, { currentPassword: user.password, password: 'a-fresh-long-password', confirm: 'a-fresh-long-password' }), 'UNAUTHENTICATED');
    assert.ok(await verifySignIn(user.email, user.password, newAddress()), 'refusals change nothing');

    assert.equal(await changeOwnPassword(caller, { currentPassword: user.password, password: 'a-fresh-long-password', confirm: 'a-fresh-long-password' }), generation + 1);
    assert.equal(await verifySignIn(user.email, user.password, newAddress()), null);
    assert.equal((await verifySignIn(user.email, 'a-fresh-long-password', newAddress()))?.sessionGeneration, generation + 1, 'sessions of the old generation are no longer valid');
    const entry = (await auditEntriesFor(user.id)).find((e) => e.action === 'user.password_change');
    assert.equal(entry?.actorEmail, user.email);
    assert.doesNotMatch(JSON.stringify(entry, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v)), /a-fresh-long-password/);
  });

  test('a session used to guess the current password locks the account as wrong sign-ins do', async () => {
    const user = await createTestUser('operator');
    const caller = { id: user.id, email: user.email, name: user.name, role: user.role };
    const guesses = await Promise.all(
      Array.from({ length: 30 }, (_, i) => changeOwnPassword(caller, { currentPassword: `guess-${i}`, password: 'a-fresh-long-password', confirm: 'a-fresh-long-password' }).then(() => 'changed', (e: unknown) => (e instanceof AppError ? e.code : String(e)))),
    );
    assert.equal(guesses.filter((g) => g === 'INVALID').length, env().STANDBY_SIGNIN_MAX_FAILURES, 'at most the limit are checked');
    assert.ok(guesses.filter((g) => g === 'RATE_LIMITED').length > 0);
    const locked = await changeOwnPassword(caller, { currentPassword: user.password, password: 'a-fresh-long-password', confirm: 'a-fresh-long-password' }).catch((e: unknown) => e);
    assert.ok(locked instanceof AppError && locked.code === 'RATE_LIMITED', 'even the right one waits for the lock');
    await assert.rejects(verifySignIn(user.email, user.password, newAddress()), (e: unknown) => e instanceof AppError && e.code === 'RATE_LIMITED');
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
