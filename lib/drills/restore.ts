import 'server-only';
// A drill's restore check (issue 14): where the drill's targets serve models
// Standby keeps backups of (lib/backups), the restore part of recovering them
// is the newest restore their backup jobs timed (POST
// /api/v1/backups/restore-tests), judged against the data-loss RTO of the
// model's serving component (verdict.ts judgeRestores). Standby does not copy
// weights back itself: the job that restores them reports how long it took.
import { servingComponentName } from '@/lib/recovery/model';
import { db } from '@/lib/server/db';
import { judgeRestores, type CheckOutcome, type RestoreEvidence } from './verdict';

export async function checkRestores(targetIds: readonly string[], cadenceDays: number, now: number): Promise<CheckOutcome | null> {
  const models = await db().modelArtifact.findMany({
    where: { targetId: { in: [...targetIds] } },
    orderBy: { name: 'asc' },
    select: {
      name: true, target: { select: { name: true } },
      restoreTests: { where: { observedAt: { lte: new Date(now) } }, orderBy: { observedAt: 'desc' }, take: 1, select: { observedAt: true, ok: true, restoreMs: true } },
    },
  });
  const evidence: RestoreEvidence[] = [];
  for (const m of models) {
    const objective = await db().recoveryObjective.findFirst({ where: { disruption: 'data_loss', component: { name: servingComponentName(m.target!.name), retiredAt: null } }, select: { rtoMs: true } });
    const newest = m.restoreTests[0];
    evidence.push({ model: m.name, rtoMs: objective?.rtoMs ?? null, newest: newest ? { observedAt: newest.observedAt.getTime(), ok: newest.ok, restoreMs: newest.restoreMs } : null });
  }
  return judgeRestores(evidence, cadenceDays, now);
}
