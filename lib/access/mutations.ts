import 'server-only';
// User administration. An admin cannot lock everyone out: the last enabled
// admin can be neither demoted nor disabled.
import { recordAudit } from '@/lib/audit/record';
import { requirePermission, requireSignedIn, type Actor, type SessionUser } from '@/lib/server/auth';
import type { Tx } from '@/lib/server/db';
import { AppError, parseInput } from '@/lib/server/errors';
import { assertVersionMatched, inTransaction, withUniqueField } from '@/lib/server/mutation';
import { hashPassword } from './passwords';
import { changePasswordInput, createUserInput, resetPasswordInput, updateUserInput } from './schemas';
import { checkCurrentPassword } from './sign-in';

const userSnapshot = { id: true, email: true, name: true, role: true, disabled: true, version: true } as const;

/** Creates a user as `actor`, who must be allowed to manage users (or be Standby itself). */
export async function createUserAs(actor: Actor, input: unknown) {
  const { password, reason, ...data } = parseInput(createUserInput, input);
  const passwordHash = await hashPassword(password);
  return withUniqueField('email', 'A user with this email already exists.', () =>
    inTransaction(async (tx) => {
      const created = await tx.user.create({ data: { ...data, passwordHash }, select: userSnapshot });
      await recordAudit(tx, actor, { action: 'user.create', entityType: 'user', entityId: created.id, entityName: created.email, after: created, reason });
      return created;
    }),
  );
}

export async function createUser(caller: SessionUser | null, input: unknown) {
  requirePermission(caller, 'users.manage');
  return createUserAs(caller, input);
}

async function assertAnotherAdminRemains(tx: Tx, userId: string) {
  const others = await tx.user.count({ where: { role: 'admin', disabled: false, id: { not: userId } } });
  if (others === 0) throw new AppError('INVALID', 'This is the last enabled admin. Make someone else an admin first, so Standby keeps an administrator.');
}

export async function updateUser(caller: SessionUser | null, input: unknown) {
  requirePermission(caller, 'users.manage');
  const { id, version, reason, ...data } = parseInput(updateUserInput, input);
  return withUniqueField('email', 'A user with this email already exists.', () =>
    inTransaction(async (tx) => {
      const before = await tx.user.findUnique({ where: { id }, select: userSnapshot });
      if (!before) throw new AppError('NOT_FOUND', 'This user no longer exists.');
      if (before.role === 'admin' && !before.disabled && (data.role !== 'admin' || data.disabled)) await assertAnotherAdminRemains(tx, id);
      // A new role or a disabled account ends the user's sessions: the next page they open asks them to sign in again.
      const endsSessions = before.role !== data.role || (data.disabled && !before.disabled);
      const { count } = await tx.user.updateMany({
        where: { id, version },
        data: { ...data, version: { increment: 1 }, ...(endsSessions ? { sessionGeneration: { increment: 1 } } : {}) },
      });
      assertVersionMatched(count, 'user');
      const after = await tx.user.findUniqueOrThrow({ where: { id }, select: userSnapshot });
      const action = before.role !== after.role ? 'user.role_change' : before.disabled !== after.disabled ? (after.disabled ? 'user.disable' : 'user.enable') : 'user.update';
      await recordAudit(tx, caller, { action, entityType: 'user', entityId: id, entityName: after.email, before, after, reason });
      return after;
    }),
  );
}

export async function resetPassword(caller: SessionUser | null, input: unknown) {
  requirePermission(caller, 'users.manage');
  const { id, password, reason } = parseInput(resetPasswordInput, input);
  const passwordHash = await hashPassword(password);
  return inTransaction(async (tx) => {
    const user = await tx.user.findUnique({ where: { id }, select: { email: true } });
    if (!user) throw new AppError('NOT_FOUND', 'This user no longer exists.');
    // Whoever holds a session of this user (perhaps the reason for the reset) is signed out.
    await tx.user.update({ where: { id }, data: { passwordHash, version: { increment: 1 }, sessionGeneration: { increment: 1 } } });
    await tx.signInThrottle.deleteMany({ where: { key: `account:${user.email}` } });
    // The audit entry says that the password changed, never what it is.
    await recordAudit(tx, caller, { action: 'user.password_reset', entityType: 'user', entityId: id, entityName: user.email, reason });
  });
}

/** A user changes their own password; their other sessions end (the action re-issues this one under the new generation). */
export async function changeOwnPassword(caller: SessionUser | null, input: unknown): Promise<number> {
  const actor = requireSignedIn(caller);
  const { currentPassword, password } = parseInput(changePasswordInput, input);
  if (!(await checkCurrentPassword(actor.id, currentPassword))) {
    throw new AppError('INVALID', 'Some fields need attention.', { currentPassword: ['This is not your current password.'] });
  }
  const passwordHash = await hashPassword(password);
  return inTransaction(async (tx) => {
    const user = await tx.user.update({ where: { id: actor.id }, data: { passwordHash, version: { increment: 1 }, sessionGeneration: { increment: 1 } }, select: { email: true, sessionGeneration: true } });
    // The audit entry says that the password changed, never what it is.
    await recordAudit(tx, actor, { action: 'user.password_change', entityType: 'user', entityId: actor.id, entityName: user.email, reason: 'Changed their own password; their other sessions were signed out' });
    return user.sessionGeneration;
  });
}

/** Ends every session of the caller but this one (the action re-issues this one under the new generation). */
export async function signOutOtherSessions(caller: SessionUser | null): Promise<number> {
  const actor = requireSignedIn(caller);
  return inTransaction(async (tx) => {
    const user = await tx.user.update({ where: { id: actor.id }, data: { sessionGeneration: { increment: 1 } }, select: { email: true, sessionGeneration: true } });
    await recordAudit(tx, actor, { action: 'user.sessions_ended', entityType: 'user', entityId: actor.id, entityName: user.email, reason: 'Signed out their other sessions' });
    return user.sessionGeneration;
  });
}
