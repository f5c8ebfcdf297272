import 'server-only';
// Recovery writes: an objective (set or changed, with a reason, versioned),
// a component outside Standby, and a person's reclassification of an
// episode's disruption. Each checks 'recovery.write', validates its input and
// is audited in the same transaction (STYLE.md habit 6); objectives carry a
// version, so two people editing one at once cannot both win.
import { recordAudit } from '@/lib/audit/record';
import { recordConfigChange } from '@/lib/config-versions/writer';
import { requireActor, type SessionUser } from '@/lib/server/auth';
import { Prisma } from '@/lib/server/db';
import { AppError, parseInput } from '@/lib/server/errors';
import { assertVersionMatched, inTransaction, withUniqueField } from '@/lib/server/mutation';
import { addComponent } from './components';
import { objectivesSection } from './config-section';
import { formatSpan } from './format';
import { COMPONENT_KIND_LABELS, DISRUPTION_LABELS } from './model';
import { componentInput, objectiveInput, reclassifyInput } from './schemas';
import { refreshRecoverySummary } from './summary';

type Caller = SessionUser | null;

const describeObjective = (o: { rtoMs: number; rpoMs: number; reason: string } | null) => (o ? { RTO: formatSpan(o.rtoMs), RPO: formatSpan(o.rpoMs), reason: o.reason } : null);

/** The overview's count follows a change at once; a failure here only delays it to the loop's next minute. */
async function refreshSummary() {
  await refreshRecoverySummary().catch((error: unknown) => console.error('[standby] recovery summary refresh failed', { error }));
}

/** Sets the objective of a component for one disruption, or changes it. */
export async function saveObjective(caller: Caller, input: unknown) {
  const actor = requireActor(caller, 'recovery.write');
  const { componentId, disruption, expectedVersion, rtoSeconds, rpoSeconds, reason } = parseInput(objectiveInput, input);
  const rtoMs = Math.round(rtoSeconds * 1000);
  const rpoMs = Math.round(rpoSeconds * 1000);
  const result = await inTransaction(async (tx) => {
    const component = await tx.recoveryComponent.findUnique({ where: { id: componentId }, select: { id: true, name: true, retiredAt: true } });
    if (!component) throw new AppError('NOT_FOUND', 'This component no longer exists.');
    if (component.retiredAt) throw new AppError('INVALID', `${component.name} is retired: its service or target was deleted. Its objectives stay as they were for past reports.`);
    // Locked, so that of two people saving at once the second sees the first's version and is told who won.
    await tx.$queryRaw(Prisma.sql`SELECT id FROM "RecoveryObjective" WHERE "componentId" = ${componentId}::uuid AND disruption = ${disruption}::"DisruptionKind" FOR UPDATE`);
    const existing = await tx.recoveryObjective.findUnique({ where: { componentId_disruption: { componentId, disruption } }, select: { id: true, rtoMs: true, rpoMs: true, reason: true, version: true, updatedBy: true } });
    const now = new Date();
    let objectiveId: string;
    let version: number;
    if (!existing) {
      if (expectedVersion !== 0) throw new AppError('CONFLICT', 'This objective was removed while you were editing it. Reload and try again.');
      const created = await withUniqueField('disruption', 'Someone set this objective a moment ago. Reload to see it.', () =>
        tx.recoveryObjective.create({ data: { componentId, disruption, rtoMs, rpoMs, reason, updatedBy: actor.email, updatedAt: now, createdAt: now }, select: { id: true } }),
      );
      objectiveId = created.id;
      version = 1;
    } else {
      if (expectedVersion !== existing.version) {
        throw new AppError('CONFLICT', `${existing.updatedBy} changed this objective while you were editing it (now RTO ${formatSpan(existing.rtoMs)}, RPO ${formatSpan(existing.rpoMs)}: "${existing.reason}"). Reload, then try again.`);
      }
      if (existing.rtoMs === rtoMs && existing.rpoMs === rpoMs && existing.reason === reason) throw new AppError('INVALID', 'Nothing changed: the objective already has these values.');
      const { count } = await tx.recoveryObjective.updateMany({ where: { id: existing.id, version: expectedVersion }, data: { rtoMs, rpoMs, reason, updatedBy: actor.email, updatedAt: now, version: { increment: 1 } } });
      assertVersionMatched(count, 'objective');
      objectiveId = existing.id;
      version = expectedVersion + 1;
    }
    await tx.recoveryObjectiveVersion.create({ data: { objectiveId, version, rtoMs, rpoMs, reason, changedBy: actor.email, changedAt: now } });
    await recordConfigChange(tx, actor, objectivesSection, {
      action: existing ? 'recovery.objective_update' : 'recovery.objective_create',
      entityType: 'recovery_objective',
      entityId: objectiveId,
      entityName: `${component.name}: ${DISRUPTION_LABELS[disruption]}`,
      before: describeObjective(existing),
      after: describeObjective({ rtoMs, rpoMs, reason }),
      reason,
    });
    return { objectiveId, componentId, componentName: component.name, disruption, rtoMs, rpoMs, version };
  });
  await refreshSummary();
  return result;
}

/** Adds a component outside Standby (or a conversation store, a configuration) that reports its evidence through the API. */
export async function createComponent(caller: Caller, input: unknown) {
  const actor = requireActor(caller, 'recovery.write');
  const { name, kind, description, reason } = parseInput(componentInput, input);
  const result = await withUniqueField('name', 'A component with this name already exists.', () =>
    inTransaction(async (tx) => {
      if (await tx.recoveryComponent.count({ where: { name } })) throw new AppError('INVALID', 'A component with this name already exists.', { name: ['A component with this name already exists.'] });
      const component = await addComponent(tx, { name, kind, description }, actor);
      if (component.name !== name) throw new AppError('INVALID', 'A component with this name already exists.', { name: ['A component with this name already exists.'] });
      await recordConfigChange(tx, actor, objectivesSection, { action: 'recovery.component_create', entityType: 'recovery_component', entityId: component.id, entityName: name, after: { kind: COMPONENT_KIND_LABELS[kind], description }, reason });
      return component;
    }),
  );
  await refreshSummary();
  return result;
}

/** A person's word on what kind of disruption an episode was; the detector leaves it alone from then on. */
export async function reclassifyEpisode(caller: Caller, input: unknown) {
  const actor = requireActor(caller, 'recovery.write');
  const { episodeId, disruption, reason } = parseInput(reclassifyInput, input);
  const result = await inTransaction(async (tx) => {
    const episode = await tx.disruptionEpisode.findUnique({ where: { id: episodeId }, select: { id: true, disruption: true, component: { select: { name: true } } } });
    if (!episode) throw new AppError('NOT_FOUND', 'This episode no longer exists.');
    if (episode.disruption === disruption) throw new AppError('INVALID', `It is already classified as ${DISRUPTION_LABELS[disruption].toLowerCase()}.`);
    await tx.disruptionEpisode.update({ where: { id: episodeId }, data: { disruption, disruptionSetBy: actor.email } });
    await recordAudit(tx, actor, {
      action: 'recovery.episode_reclassify', entityType: 'disruption_episode', entityId: episodeId, entityName: episode.component.name,
      before: { disruption: DISRUPTION_LABELS[episode.disruption] }, after: { disruption: DISRUPTION_LABELS[disruption] }, reason,
    });
    return { episodeId, disruption };
  });
  await refreshSummary();
  return result;
}
