import 'server-only';
// The overview's count of breached objectives. Judging the whole grid is too
// much work for a page that refreshes every five seconds, so the recovery
// loop (and every change of an objective) stores the last 90 days' counts in
// one Setting row, which the overview reads.
import { db, type Prisma } from '@/lib/server/db';
import { getCompliance, type ComplianceSummary } from './data';
import { parsePeriod, ROLLING_KEY } from './period';

const KEY = 'recovery.summary';

export type RecoverySummary = ComplianceSummary & { computedAt: string };

export async function refreshRecoverySummary(now = Date.now()): Promise<RecoverySummary> {
  const compliance = await getCompliance(parsePeriod(ROLLING_KEY, now)!, now);
  const value: RecoverySummary = { ...compliance.summary, computedAt: new Date(now).toISOString() };
  await db().setting.upsert({ where: { key: KEY }, create: { key: KEY, value: value as unknown as Prisma.InputJsonValue }, update: { value: value as unknown as Prisma.InputJsonValue } });
  return value;
}

/** The stored counts; null before the recovery loop has run once. */
export async function readRecoverySummary(): Promise<RecoverySummary | null> {
  const row = await db().setting.findUnique({ where: { key: KEY }, select: { value: true } });
  return (row?.value as RecoverySummary | undefined) ?? null;
}
