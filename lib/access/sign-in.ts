import 'server-only';
// Credential checks with throttling per account and per client address; the
// counters live in PostgreSQL so every replica enforces the same limit.
import { db } from '@/lib/server/db';
import { env } from '@/lib/server/env';
import { AppError } from '@/lib/server/errors';
import { afterFailure, lockMessage, lockRemainingMs, type ThrottlePolicy } from './throttle';
import { decoyHash, verifyPassword } from './passwords';

const policy = (): ThrottlePolicy => ({ maxFailures: env().STANDBY_SIGNIN_MAX_FAILURES, lockMinutes: env().STANDBY_SIGNIN_LOCK_MINUTES, windowMinutes: 15 });

async function recordFailure(key: string, now: Date, limits: ThrottlePolicy) {
  const state = await db().signInThrottle.findUnique({ where: { key } });
  const next = afterFailure(state, now, limits);
  await db().signInThrottle.upsert({ where: { key }, create: { key, ...next }, update: next });
}

export async function verifySignIn(rawEmail: string, password: string, address: string) {
  const email = rawEmail.trim().toLowerCase();
  const now = new Date();
  // Addresses get a looser limit than accounts: many users may share one NAT.
  const keys = [`account:${email}`, `address:${address}`];
  const states = await db().signInThrottle.findMany({ where: { key: { in: keys } } });
  const remaining = Math.max(0, ...states.map((state) => lockRemainingMs(state, now)));
  if (remaining > 0) throw new AppError('RATE_LIMITED', lockMessage(remaining));

  const user = email ? await db().user.findUnique({ where: { email }, select: { id: true, email: true, name: true, role: true, passwordHash: true, disabled: true } }) : null;
  const valid = await verifyPassword(user?.passwordHash ?? (await decoyHash()), password);
  if (!user || !valid || user.disabled) {
    const limits = policy();
    await recordFailure(keys[0], now, limits);
    await recordFailure(keys[1], now, { ...limits, maxFailures: limits.maxFailures * 4 });
    return null;
  }
  await db().$transaction([
    db().signInThrottle.deleteMany({ where: { key: keys[0] } }),
    db().user.update({ where: { id: user.id }, data: { lastSignInAt: now } }),
  ]);
  return { id: user.id, email: user.email, name: user.name, role: user.role };
}
