import 'server-only';
// Credential checks with throttling per account and per client address; the
// counters live in PostgreSQL so every replica enforces the same limit.
//
// An attempt is reserved before its password is verified, with one atomic
// statement per key (throttle.ts): of any number of attempts sent at once, at
// most the limit are ever verified, on any number of replicas. A successful
// sign-in gives its reservation back.
import { db, Prisma } from '@/lib/server/db';
import { env } from '@/lib/server/env';
import { AppError } from '@/lib/server/errors';
import { countSignIn } from '@/lib/server/data-plane-link';
import { lockMessage, reserveAttemptSql, type ThrottlePolicy } from './throttle';
import { decoyHash, verifyPassword } from './passwords';


export function accountPolicy(): ThrottlePolicy {
  return { maxFailures: env().STANDBY_SIGNIN_MAX_FAILURES, lockMinutes: env().STANDBY_SIGNIN_LOCK_MINUTES, windowMinutes: 15 };
}

/** Addresses get a looser limit than accounts: many users may share one NAT. */
export function addressPolicy(): ThrottlePolicy {
  const account = accountPolicy();
  return { ...account, maxFailures: account.maxFailures * 4 };
}

async function reserve(key: string, policy: ThrottlePolicy, now: Date): Promise<void> {
  const [row] = await db().$queryRaw<{ failures: number; lockedUntil: Date | null }[]>(reserveAttemptSql(key, policy, now));
  if (row.failures > policy.maxFailures) {
    countSignIn('throttled');
    throw new AppError('RATE_LIMITED', lockMessage(Math.max(0, (row.lockedUntil?.getTime() ?? now.getTime()) - now.getTime())));
  }
}

/** Gives an address's reservation back after a successful sign-in (a shared NAT's users do not use up its limit). */
function releaseAddress(key: string, policy: ThrottlePolicy) {
  return db().$executeRaw`
    UPDATE "SignInThrottle" SET failures = failures - 1,
      "lockedUntil" = CASE WHEN failures - 1 < ${policy.maxFailures}::int THEN NULL ELSE "lockedUntil" END
    WHERE key = ${key} AND failures > 0`;
}

export const accountKey = (email: string) => `account:${email}`;
export const addressKey = (address: string) => `address:${address}`;

export async function verifySignIn(rawEmail: string, password: string, address: string) {
  // PostgreSQL text cannot hold NUL: such an email matches no account, and its key must still be storable.
  const email = rawEmail.trim().toLowerCase().replaceAll('\u0000', '');
  const now = new Date();
  const keys = { account: accountKey(email), address: addressKey(address) };
  await reserve(keys.address, addressPolicy(), now);
  await reserve(keys.account, accountPolicy(), now);

  const user = email && email === rawEmail.trim().toLowerCase()
    ? await db().user.findUnique({ where: { email }, select: { id: true, email: true, name: true, role: true, passwordHash: true, disabled: true, sessionGeneration: true } })
    : null;
  const valid = await verifyPassword(user?.passwordHash ?? (await decoyHash()), password);
  if (!user || !valid || user.disabled) {
    countSignIn('refused');
    return null;
  }
  await db().$transaction([
    db().signInThrottle.deleteMany({ where: { key: keys.account } }),
    releaseAddress(keys.address, addressPolicy()),
    db().user.update({ where: { id: user.id }, data: { lastSignInAt: now } }),
  ]);
  countSignIn('signed_in');
  return { id: user.id, email: user.email, name: user.name, role: user.role, sessionGeneration: user.sessionGeneration };
}

/**
 * The current password of a signed-in user who changes theirs, counted against the account's sign-in limit: a
 * session left open on a shared machine cannot be used to guess it, and guessing locks sign-in as it would.
 */
export async function checkCurrentPassword(userId: string, password: string): Promise<boolean> {
  const user = await db().user.findUnique({ where: { id: userId }, select: { email: true, passwordHash: true } });
  if (!user) return false;
  const key = accountKey(user.email);
  await reserve(key, accountPolicy(), new Date());
  const valid = await verifyPassword(user.passwordHash, password);
  if (valid) await db().signInThrottle.deleteMany({ where: { key } });
  return valid;
}

/** Rows of windows and locks that are over: they say nothing any more (a leader task deletes them). */
export async function deleteExpiredThrottles(now = new Date()): Promise<number> {
  const windowStart = new Date(now.getTime() - accountPolicy().windowMinutes * 60_000);
  return db().$executeRaw(Prisma.sql`
    DELETE FROM "SignInThrottle"
    WHERE ("lockedUntil" IS NULL AND "windowStartsAt" <= ${windowStart}::timestamp) OR "lockedUntil" <= ${now}::timestamp`);
}
