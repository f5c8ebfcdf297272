import 'server-only';
// Rows of sign-in throttling and of signed-out sessions say nothing once their
// window, lock or token has expired; invented emails would otherwise pile up
// throttle rows for ever. A leader task (worker/control-loops.ts) deletes them.
import { db } from '@/lib/server/db';
import { deleteExpiredThrottles } from './sign-in';

export const ACCESS_CLEANUP_INTERVAL_MS = 10 * 60_000;

export async function deleteExpiredAccessRows(now = new Date()): Promise<{ throttles: number; revokedSessions: number }> {
  const throttles = await deleteExpiredThrottles(now);
  const { count: revokedSessions } = await db().revokedSession.deleteMany({ where: { expiresAt: { lte: now } } });
  return { throttles, revokedSessions };
}

export const accessCleanupTask = {
  name: 'access-cleanup',
  intervalMs: ACCESS_CLEANUP_INTERVAL_MS,
  run: async ({ log }: { log: (line: string) => void }): Promise<void> => {
    const deleted = await deleteExpiredAccessRows();
    if (deleted.throttles + deleted.revokedSessions > 0) {
      log(`access cleanup: deleted ${deleted.throttles} expired sign-in throttle rows and ${deleted.revokedSessions} expired session revocations`);
    }
  },
};
