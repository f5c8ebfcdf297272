import 'server-only';
// Starting and ending a drill run's faults, shared by the operator's actions
// (mutations.ts) and the controller (controller.ts). A run's faults are
// leases (DrillFault rows): the routing snapshot of every replica carries
// them on the NOTIFY their trigger sends, and the gateway ends each at its
// deadline by its own clock; ending one here (halt, stop) only brings that
// moment forward, and every ending is recorded with its reason.
import type { FailureMode } from '@/lib/server/generated/prisma/enums';
import type { Actor } from '@/lib/server/auth';
import { Prisma, type Tx } from '@/lib/server/db';
import { AppError } from '@/lib/server/errors';
import { createIncidentIn } from '@/lib/incidents/mutations';
import { publicIdOf } from '@/lib/incidents/model';
import { appendTimeline } from '@/lib/incidents/timeline';
import type { DisruptionKind } from '@/lib/recovery/model';
import { fingerprint, resolveScope, runbookVersion, type PlanScope } from '@/lib/recovery/drill-states';
import type { faultInput } from './schemas';
import type { z } from 'zod';

export type PlanFault = z.output<typeof faultInput>;

/** An entry on the run's timeline, and on its drill incident's timeline when it has one. */
export async function addEvent(tx: Tx, runId: string, kind: string, text: string, data: Record<string, unknown> = {}, at = new Date()) {
  const event = await tx.drillEvent.create({ data: { runId, kind, text, at, data: data as Prisma.InputJsonValue }, select: { id: true, run: { select: { incidentId: true } } } });
  if (event.run.incidentId) {
    await appendTimeline(tx, [{ incidentId: event.run.incidentId, at, kind: 'drill', actor: 'standby', text: `Drill: ${text}`, sourceKey: `drill-event:${event.id}`, data: { runId, drillEvent: kind } }]);
  }
}

/** The failure mode of the drill incident (lib/incidents, which also picks its runbook by it when the plan names none). */
const FAILURE_MODES: Record<DisruptionKind, FailureMode | null> = {
  provider_outage: 'provider_outage', regional_outage: 'regional_outage', capacity_loss: 'capacity_exhaustion', model_retirement: null, data_loss: 'database_loss',
};

export type PlanRow = {
  id: string; name: string; serviceId: string; componentId: string; disruption: string; scope: unknown; trafficMode: 'share' | 'synthetic'; trafficShare: number;
  faults: unknown; durationMs: number; runbookId: string | null; version: number;
};

/**
 * Opens the run's incident, marked as a drill: the commander follows the
 * plan's runbook (or the one the incident rules match) as in a real outage,
 * its notify steps go to the plan's drill channel or nowhere, and the drill's
 * episode joins it (lib/incidents/watch-task.ts), so its acknowledgement is
 * the episode's assessment.
 */
async function openDrillIncident(tx: Tx, plan: PlanRow, actor: Actor, targetIds: string[], at: Date): Promise<{ id: string; publicId: string }> {
  const service = await tx.service.findUnique({ where: { id: plan.serviceId }, select: { id: true, name: true } });
  const runbook = plan.runbookId ? await runbookVersion(tx, plan.runbookId) : null;
  const incident = await createIncidentIn(
    tx, actor,
    {
      title: `Drill: ${plan.name}`, summary: `A game-day drill of ${service?.name ?? 'a deleted service'}: faults injected on purpose, ending at their lease. Follow the runbook as in a real outage.`,
      serviceId: service?.id ?? null, serviceName: service?.name ?? null, severity: 'P3', suggested: null, failureMode: FAILURE_MODES[plan.disruption as DisruptionKind],
      openedVia: 'drill', openedAt: at, targetIds, acknowledged: false, isDrill: true,
    },
    { runbookVersionId: runbook?.versionId },
  );
  return { id: incident.id, publicId: publicIdOf(incident.number) };
}

/**
 * Starts a run of `plan` now: its faults as leases ending at now + duration,
 * what it tests, and the objective it is scored against. Refused while
 * another run of the same plan is running (one rehearsal at a time).
 */
export async function beginRun(tx: Tx, plan: PlanRow, actor: Actor, runId: string | null = null): Promise<{ runId: string; faultsEndAt: Date; targets: string[]; incident: string }> {
  const startedBy = actor.id === null ? 'the schedule' : actor.email;
  await tx.$executeRaw(Prisma.sql`SELECT pg_advisory_xact_lock(hashtext(${`standby:drill:${plan.id}`}))`);
  const running = await tx.drillRun.findFirst({ where: { planId: plan.id, status: 'running' }, select: { id: true } });
  if (running) throw new AppError('CONFLICT', `A run of ${plan.name} is already in progress: halt it or let it finish first.`);
  const scope = plan.scope as PlanScope;
  const targets = await resolveScope(tx, scope);
  if (targets.length === 0) throw new AppError('INVALID', `The scope of ${plan.name} names no target now: edit the drill.`);
  const faults = plan.faults as PlanFault[];
  const objective = await tx.recoveryObjective.findUnique({ where: { componentId_disruption: { componentId: plan.componentId, disruption: plan.disruption as never } }, select: { rtoMs: true } });
  const now = new Date();
  const faultsEndAt = new Date(now.getTime() + plan.durationMs);
  const tested = await fingerprint(tx, { serviceId: plan.serviceId, runbookId: plan.runbookId, scope });
  const incident = await openDrillIncident(tx, plan, actor, targets.map((t) => t.id), now);
  const data = {
    status: 'running' as const, startedAt: now, startedBy, faultsEndAt, planVersion: plan.version, objectiveRtoMs: objective?.rtoMs ?? null, incidentId: incident.id,
    tested: tested as unknown as Prisma.InputJsonValue,
  };
  const run = runId ? await tx.drillRun.update({ where: { id: runId }, data, select: { id: true } }) : await tx.drillRun.create({ data: { planId: plan.id, ...data }, select: { id: true } });
  const drillOnly = plan.trafficMode === 'synthetic';
  await tx.drillFault.createMany({
    data: faults.map((f) => ({
      runId: run.id, kind: f.kind, targetIds: targets.map((t) => t.id), share: drillOnly ? 1 : plan.trafficShare, drillOnly, startsAt: now, expiresAt: faultsEndAt,
      params: { status: f.status ?? undefined, retryAfterSeconds: f.retryAfterSeconds, delayMs: f.delayMs ?? undefined, afterChunks: f.afterChunks ?? undefined } as Prisma.InputJsonValue,
    })),
  });
  const who = drillOnly ? 'the drill\'s own synthetic requests' : `${Math.round(plan.trafficShare * 100)}% of traffic`;
  await addEvent(tx, run.id, 'started', `Started by ${startedBy}: ${faults.map((f) => f.kind.replace(/_/g, ' ')).join(', ')} on ${targets.map((t) => t.name).join(', ')} for ${who}, until ${faultsEndAt.toISOString().slice(11, 19)} UTC at the latest. Drill incident ${incident.publicId} opened.`, { targets: targets.map((t) => t.name), incident: incident.publicId }, now);
  return { runId: run.id, faultsEndAt, targets: targets.map((t) => t.id), incident: incident.publicId };
}

/** Records leases past their deadline as ended then (the gateway stopped applying them at that moment); all runs, or one. */
export async function recordExpiredLeases(tx: Tx, at: Date, runId: string | null = null): Promise<{ runId: string; kind: string; expiresAt: Date }[]> {
  return tx.$queryRaw(Prisma.sql`
    UPDATE "DrillFault" SET "endedAt" = "expiresAt", "endReason" = 'expired'
    WHERE "endedAt" IS NULL AND "expiresAt" <= ${at}::timestamp ${runId ? Prisma.sql`AND "runId" = ${runId}::uuid` : Prisma.empty}
    RETURNING "runId"::text AS "runId", kind::text AS kind, "expiresAt"`);
}

/** Ends every fault of the run that is still on, recording why; returns how many it ended before their deadline. */
export async function endFaults(tx: Tx, runId: string, reason: 'halted' | 'stopped' | 'cancelled', at = new Date()): Promise<number> {
  await recordExpiredLeases(tx, at, runId);
  const ended = await tx.drillFault.updateMany({ where: { runId, endedAt: null }, data: { endedAt: at, endReason: reason } });
  return ended.count;
}
