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

/** Milliseconds as the timeline says a duration: 850 ms, 42 s, 3 min 10 s, 2 h 5 min. */
export function spoken(ms: number): string {
  if (ms < 1_000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${Math.round(ms / 100) / 10} s`;
  if (ms < 3_600_000) return `${Math.floor(ms / 60_000)} min${ms % 60_000 >= 1_000 ? ` ${Math.round((ms % 60_000) / 1_000)} s` : ''}`;
  return `${Math.floor(ms / 3_600_000)} h${ms % 3_600_000 >= 60_000 ? ` ${Math.floor((ms % 3_600_000) / 60_000)} min` : ''}`;
}
