import 'server-only';
// Drill writes: a plan saved (new or edited, versioned), a run started now,
// a running drill halted by a person, a scheduled run cancelled. Each checks
// 'drills.run', validates its input and is audited in the same transaction
// (STYLE.md habit 6).
import { recordAudit } from '@/lib/audit/record';
import { requireActor, type SessionUser } from '@/lib/server/auth';
import { Prisma, type Tx } from '@/lib/server/db';
import { AppError, parseInput } from '@/lib/server/errors';
import { assertVersionMatched, inTransaction, withUniqueField } from '@/lib/server/mutation';
import { resolveScope } from '@/lib/recovery/drill-states';
import { addEvent, beginRun, endFaults, type PlanRow } from './runs';
import { archiveInput, haltInput, planInput, runInput } from './schemas';

type Caller = SessionUser | null;

const PLAN_SELECT = { id: true, name: true, serviceId: true, componentId: true, disruption: true, scope: true, trafficMode: true, trafficShare: true, faults: true, durationMs: true, runbookId: true, version: true } as const;

/** Creates a drill plan or saves an edit of one (the version read must still be current). */
export async function savePlan(caller: Caller, input: unknown) {
  const actor = requireActor(caller, 'drills.run');
  const p = parseInput(planInput, input);
  return inTransaction(async (tx) => {
    const component = await tx.recoveryComponent.findFirst({ where: { kind: 'service_routing', serviceId: p.serviceId, retiredAt: null }, select: { id: true, service: { select: { name: true } } } });
    if (!component) throw new AppError('INVALID', 'This service has no routing component yet (the recovery loop adds one within a minute of its creation). Try again shortly.', { serviceId: ['No recovery component for this service yet.'] });
    if (p.runbookId && !(await tx.runbook.findFirst({ where: { id: p.runbookId, archivedAt: null }, select: { id: true } }))) throw new AppError('INVALID', 'Some fields need attention.', { runbookId: ['This runbook no longer exists or is archived.'] });
    if (p.drillWebhookId && !(await tx.notificationWebhook.findFirst({ where: { id: p.drillWebhookId, disabledAt: null }, select: { id: true } }))) throw new AppError('INVALID', 'Some fields need attention.', { drillWebhookId: ['This webhook no longer exists or is disabled.'] });
    const scope = { kind: p.scopeKind, ids: p.scopeIds };
    const inScope = await resolveScope(tx, scope);
    if (inScope.length === 0) throw new AppError('INVALID', 'Some fields need attention.', { scopeIds: ['The scope names no target.'] });
    // Faults on targets the service never calls reach no traffic: such a drill would prove nothing.
    const chain = await tx.chainEntry.findMany({ where: { serviceId: p.serviceId }, select: { targetId: true } });
    if (!inScope.some((t) => chain.some((c) => c.targetId === t.id))) {
      throw new AppError('INVALID', 'Some fields need attention.', { scopeIds: [`None of these targets is in ${component.service?.name ?? 'the service'}'s failover chain: the faults would reach none of its traffic.`] });
    }
    const data = {
      name: p.name, description: p.description, serviceId: p.serviceId, componentId: component.id, disruption: p.disruption,
      scope: scope as Prisma.InputJsonValue, trafficMode: p.trafficMode, trafficShare: p.sharePercent / 100, syntheticRps: p.syntheticRps,
      faults: p.faults as unknown as Prisma.InputJsonValue,
      haltConditions: { maxErrorRate: p.maxErrorRatePercent === null ? null : p.maxErrorRatePercent / 100, maxP95TtftMs: p.maxP95TtftMs, maxBurnRate: p.maxBurnRate, tierFloor: p.tierFloor } as Prisma.InputJsonValue,
      durationMs: p.durationSeconds * 1000, runbookId: p.runbookId || null, drillWebhookId: p.drillWebhookId || null, recurrenceDays: p.recurrenceDays, cadenceDays: p.cadenceDays, nextRunAt: p.nextRunAt,
    };
    const unique = () => `A drill named ${p.name} exists already.`;
    if (!p.planId) {
      const plan = await withUniqueField('name', unique(), () => tx.drillPlan.create({ data: { ...data, createdBy: actor.email }, select: { id: true, name: true } }));
      await recordAudit(tx, actor, { action: 'drill.plan.create', entityType: 'DrillPlan', entityId: plan.id, entityName: plan.name, after: data, reason: p.reason });
      return plan;
    }
    const before = await tx.drillPlan.findUnique({ where: { id: p.planId } });
    if (!before || before.archivedAt) throw new AppError('NOT_FOUND', 'This drill no longer exists.');
    if (before.version !== p.expectedVersion) throw new AppError('CONFLICT', `${before.name} was changed while you were editing it. Reload, then try again.`);
    const { count } = await withUniqueField('name', unique(), () => tx.drillPlan.updateMany({ where: { id: p.planId, version: p.expectedVersion }, data: { ...data, version: { increment: 1 } } }));
    assertVersionMatched(count, 'drill');
    await recordAudit(tx, actor, { action: 'drill.plan.update', entityType: 'DrillPlan', entityId: before.id, entityName: p.name, before, after: data, reason: p.reason });
    return { id: before.id, name: p.name };
  });
}

const lockPlan = (tx: Tx, planId: string) => tx.$queryRaw(Prisma.sql`SELECT id FROM "DrillPlan" WHERE id = ${planId}::uuid FOR UPDATE`);

/** Runs a drill now. */
export async function startRun(caller: Caller, input: unknown) {
  const actor = requireActor(caller, 'drills.run');
  const { planId } = parseInput(runInput, input);
  return inTransaction(async (tx) => {
    // The plan's row lock orders a start against an archive of the same plan.
    await lockPlan(tx, planId);
    const plan = await tx.drillPlan.findUnique({ where: { id: planId }, select: { ...PLAN_SELECT, archivedAt: true } });
    if (!plan || plan.archivedAt) throw new AppError('NOT_FOUND', 'This drill no longer exists.');
    const run = await beginRun(tx, plan as PlanRow, actor);
    await recordAudit(tx, actor, { action: 'drill.run.start', entityType: 'DrillRun', entityId: run.runId, entityName: plan.name, after: { faultsEndAt: run.faultsEndAt, incident: run.incident } });
    return { runId: run.runId, name: plan.name, incident: run.incident };
  });
}

/**
 * Archives a plan: it leaves the drills page, the calendar, the posture and the
 * report, and its schedule stops; its runs stay readable through their links
 * and the audit log. Refused while a run of it is running: halt that first.
 */
export async function archivePlan(caller: Caller, input: unknown) {
  const actor = requireActor(caller, 'drills.run');
  const { planId, expectedVersion, reason } = parseInput(archiveInput, input);
  return inTransaction(async (tx) => {
    await lockPlan(tx, planId);
    const plan = await tx.drillPlan.findUnique({ where: { id: planId }, select: { id: true, name: true, version: true, archivedAt: true, nextRunAt: true } });
    if (!plan || plan.archivedAt) throw new AppError('NOT_FOUND', 'This drill no longer exists.');
    if (plan.version !== expectedVersion) throw new AppError('CONFLICT', `${plan.name} was changed while you were looking at it. Reload, then try again.`);
    if (await tx.drillRun.findFirst({ where: { planId, status: { in: ['running', 'scheduled'] } }, select: { id: true } })) {
      throw new AppError('CONFLICT', `${plan.name} is running: halt the run first, so that its faults end and its result is recorded.`);
    }
    const { count } = await tx.drillPlan.updateMany({ where: { id: planId, version: expectedVersion, archivedAt: null }, data: { archivedAt: new Date(), nextRunAt: null, version: { increment: 1 } } });
    assertVersionMatched(count, 'drill');
    await recordAudit(tx, actor, { action: 'drill.plan.archive', entityType: 'DrillPlan', entityId: plan.id, entityName: plan.name, before: { nextRunAt: plan.nextRunAt }, reason: reason || undefined });
    return { id: plan.id, name: plan.name };
  });
}

/** Halts a running drill at once: every fault ends now, the run is marked halted with the person's reason. */
export async function haltRun(caller: Caller, input: unknown) {
  const actor = requireActor(caller, 'drills.run');
  const { runId, reason } = parseInput(haltInput, input);
  return inTransaction(async (tx) => {
    await tx.$queryRaw(Prisma.sql`SELECT id FROM "DrillRun" WHERE id = ${runId}::uuid FOR UPDATE`);
    const run = await tx.drillRun.findUnique({ where: { id: runId }, select: { id: true, status: true, plan: { select: { name: true } } } });
    if (!run) throw new AppError('NOT_FOUND', 'This run no longer exists.');
    if (run.status !== 'running' && run.status !== 'scheduled') throw new AppError('CONFLICT', `This run has already ended (${run.status}).`);
    const now = new Date();
    const ended = await endFaults(tx, runId, 'halted', now);
    const status = run.status === 'scheduled' ? 'cancelled' : 'halted';
    const haltReason = `halted by ${actor.email}: ${reason}`;
    await tx.drillRun.update({ where: { id: runId }, data: { status, haltReason, verdict: status === 'halted' ? `Halted by ${actor.email}: ${reason}` : `Cancelled by ${actor.email}: ${reason}`, faultsEndedAt: now, finishedAt: now, version: { increment: 1 } } });
    await addEvent(tx, runId, status, `${status === 'halted' ? 'Halted' : 'Cancelled'} by ${actor.email}: ${reason}. ${ended} fault${ended === 1 ? '' : 's'} ended.`, {}, now);
    await recordAudit(tx, actor, { action: status === 'halted' ? 'drill.run.halt' : 'drill.run.cancel', entityType: 'DrillRun', entityId: runId, entityName: run.plan.name, reason });
    return { runId, status };
  });
}
