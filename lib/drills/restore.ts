import 'server-only';
// A drill's restore check (issue 14): where the drill's targets serve models
// Standby keeps backups of (lib/backups), the restore part of recovering them
// is the newest restore their backup jobs timed (POST
// /api/v1/backups/restore-tests), judged against the data-loss RTO of the
// model's serving component (verdict.ts judgeRestores). Standby does not copy
// weights back itself: the job that restores them reports how long it took.
import { db } from '@/lib/server/db';
import { judgeRestores, type CheckOutcome, type RestoreEvidence } from './verdict';

export async function checkRestores(targetIds: readonly string[], cadenceDays: number, now: number): Promise<CheckOutcome | null> {
  const [models, objectives] = await Promise.all([
    db().modelArtifact.findMany({
      where: { targetId: { in: [...targetIds] } },
      orderBy: { name: 'asc' },
      select: { name: true, targetId: true, restoreTests: { where: { observedAt: { lte: new Date(now) } }, orderBy: { observedAt: 'desc' }, take: 1, select: { observedAt: true, ok: true, restoreMs: true } } },
    }),
    // The data-loss objective of each target's serving component.
    db().recoveryObjective.findMany({ where: { disruption: 'data_loss', component: { kind: 'model_serving', targetId: { in: [...targetIds] }, retiredAt: null } }, select: { rtoMs: true, component: { select: { targetId: true } } } }),
  ]);
  const rtoOf = new Map(objectives.map((o) => [o.component.targetId, o.rtoMs]));
  const evidence: RestoreEvidence[] = models.map((m) => {
    const newest = m.restoreTests[0];
    return { model: m.name, rtoMs: rtoOf.get(m.targetId) ?? null, newest: newest ? { observedAt: newest.observedAt.getTime(), ok: newest.ok, restoreMs: newest.restoreMs } : null };
  });
  return judgeRestores(evidence, cadenceDays, now);
}
