// Sign-in throttling policy. After `maxFailures` attempts within the window an
// account or address is locked for `lockMinutes`.
//
// The policy runs inside PostgreSQL as one INSERT ... ON CONFLICT DO UPDATE per
// attempt, before the password is verified: the row lock of the upsert
// serialises concurrent attempts on one key (on every replica), and each gets
// its own count back. An attempt whose count is above the limit is refused
// unverified; the attempt that reaches the limit starts the lock (and a
// successful sign-in lifts it again). Attempts made while locked keep counting,
// so that every one of them sees a count above the limit, but never move the
// lock's end.
import { Prisma } from '@/lib/server/db';

export type ThrottlePolicy = { maxFailures: number; lockMinutes: number; windowMinutes: number };

/** Counts one attempt on `key`; returns its count (`failures`) and the lock's end. Refuse the attempt when the count is above the limit. */
export function reserveAttemptSql(key: string, policy: ThrottlePolicy, now: Date): Prisma.Sql {
  const at = Prisma.sql`${now}::timestamp`;
  const lockEnd = Prisma.sql`${new Date(now.getTime() + policy.lockMinutes * 60_000)}::timestamp`;
  const windowStart = Prisma.sql`${new Date(now.getTime() - policy.windowMinutes * 60_000)}::timestamp`;
  const max = Prisma.sql`${policy.maxFailures}::int`;
  // In DO UPDATE, t.* is the row as it was: every expression below reads the old values.
  const locked = Prisma.sql`t."lockedUntil" > ${at}`;
  const fresh = Prisma.sql`(t."lockedUntil" IS NOT NULL OR t."windowStartsAt" <= ${windowStart})`;
  return Prisma.sql`
    INSERT INTO "SignInThrottle" AS t (key, failures, "windowStartsAt", "lockedUntil")
    VALUES (${key}, 1, ${at}, CASE WHEN 1 >= ${max} THEN ${lockEnd} END)
    ON CONFLICT (key) DO UPDATE SET
      failures = CASE WHEN ${locked} THEN LEAST(t.failures + 1, 1000000) WHEN ${fresh} THEN 1 ELSE t.failures + 1 END,
      "windowStartsAt" = CASE WHEN ${locked} THEN t."windowStartsAt" WHEN ${fresh} THEN ${at} ELSE t."windowStartsAt" END,
      "lockedUntil" = CASE
        WHEN ${locked} THEN t."lockedUntil"
        WHEN (CASE WHEN ${fresh} THEN 1 ELSE t.failures + 1 END) >= ${max} THEN ${lockEnd}
      END
    RETURNING failures, "lockedUntil"`;
}

export function lockMessage(remainingMs: number): string {
  const minutes = Math.max(1, Math.ceil(remainingMs / 60_000));
  return `Too many failed sign-ins. Try again in ${minutes} minute${minutes === 1 ? '' : 's'}, or ask an admin to check the account.`;
}
