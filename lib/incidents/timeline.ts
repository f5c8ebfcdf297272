import 'server-only';
// Appends to an incident's timeline. Entries Standby writes itself carry a
// sourceKey (the row they came from), so writing one twice (two leaders for a
// moment, a pass that reads a row again) keeps one.
import type { Prisma, Tx } from '@/lib/server/db';
import { curatedByDefault } from './model';

export type TimelineEntry = {
  incidentId: string;
  at: Date;
  kind: string;
  actor: string;
  text: string;
  data?: Record<string, unknown>;
  curated?: boolean;
  sourceKey?: string;
};

export async function appendTimeline(tx: Pick<Tx, 'timelineEvent'>, entries: TimelineEntry[]): Promise<number> {
  if (entries.length === 0) return 0;
  const { count } = await tx.timelineEvent.createMany({
    data: entries.map((e) => ({
      incidentId: e.incidentId, at: e.at, kind: e.kind, actor: e.actor, text: e.text.slice(0, 4_000), data: (e.data ?? {}) as Prisma.InputJsonValue,
      curated: e.curated ?? curatedByDefault(e.kind), sourceKey: e.sourceKey ?? null,
    })),
    skipDuplicates: true,
  });
  return count;
}

export { spokenDuration as spoken } from './format';
