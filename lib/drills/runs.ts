import 'server-only';
// Starting and ending a drill run's faults, shared by the operator's actions
// (mutations.ts) and the controller (controller.ts). A run's faults are
// leases (DrillFault rows): the routing snapshot of every replica carries
// them on the NOTIFY their trigger sends, and the gateway ends each at its
// deadline by its own clock; ending one here (halt, stop) only brings that
// moment forward, and every ending is recorded with its reason.
import { Prisma, type Tx } from '@/lib/server/db';
import { AppError } from '@/lib/server/errors';
import type { TestedFingerprint } from './freshness';
import type { faultInput } from './schemas';
import type { z } from 'zod';

export type PlanFault = z.output<typeof faultInput>;
export type PlanScope = { kind: 'targets' | 'provider' | 'region'; ids: string[] };

export async function addEvent(tx: Tx, runId: string, kind: string, text: string, data: Record<string, unknown> = {}, at = new Date()) {
  await tx.drillEvent.create({ data: { runId, kind, text, at, data: data as Prisma.InputJsonValue } });
}

/** The targets a scope names now: chosen ones, or every target of a provider or region. */
export async function resolveScope(tx: Tx, scope: PlanScope): Promise<{ id: string; name: string }[]> {
  const where = scope.kind === 'targets' ? { id: { in: scope.ids } } : scope.kind === 'provider' ? { providerId: { in: scope.ids } } : { regionId: { in: scope.ids } };
  return tx.target.findMany({ where, select: { id: true, name: true }, orderBy: { name: 'asc' } });
}

/** What a run of this plan tests now: the service's chain, the runbook's version and the targets in scope (freshness.ts). */
export async function fingerprint(tx: Tx, plan: { serviceId: string; runbookId: string | null; scope: PlanScope }): Promise<TestedFingerprint> {
  const [chain, targets, runbook] = await Promise.all([
    tx.chainEntry.findMany({ where: { serviceId: plan.serviceId }, orderBy: { position: 'asc' }, select: { targetId: true } }),
    resolveScope(tx, plan.scope).then((ts) => tx.target.findMany({ where: { id: { in: ts.map((t) => t.id) } }, select: { id: true, name: true, model: true, endpointUrl: true, enabled: true }, orderBy: { name: 'asc' } })),
    plan.runbookId ? runbookVersion(tx, plan.runbookId) : Promise.resolve(null),
  ]);
  return { chain: chain.map((c) => c.targetId), runbook, targets };
}

/** The runbook's current version, once runbooks exist (issue 13); until then a plan's runbook reference is kept as it is. */
async function runbookVersion(_tx: Tx, id: string): Promise<{ id: string; version: number }> {
  return { id, version: 1 };
}

export type PlanRow = {
  id: string; name: string; serviceId: string; componentId: string; disruption: string; scope: unknown; trafficMode: 'share' | 'synthetic'; trafficShare: number;
  faults: unknown; durationMs: number; runbookId: string | null; version: number;
};

/**
 * Starts a run of `plan` now: its faults as leases ending at now + duration,
 * what it tests, and the objective it is scored against. Refused while
 * another run of the same plan is running (one rehearsal at a time).
 */
export async function beginRun(tx: Tx, plan: PlanRow, startedBy: string, runId: string | null = null): Promise<{ runId: string; faultsEndAt: Date; targets: string[] }> {
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
  const data = {
    status: 'running' as const, startedAt: now, startedBy, faultsEndAt, planVersion: plan.version, objectiveRtoMs: objective?.rtoMs ?? null,
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
  await addEvent(tx, run.id, 'started', `Started by ${startedBy}: ${faults.map((f) => f.kind.replace(/_/g, ' ')).join(', ')} on ${targets.map((t) => t.name).join(', ')} for ${who}, until ${faultsEndAt.toISOString().slice(11, 19)} UTC at the latest.`, { targets: targets.map((t) => t.name) }, now);
  return { runId: run.id, faultsEndAt, targets: targets.map((t) => t.id) };
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
