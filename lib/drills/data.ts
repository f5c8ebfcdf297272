import 'server-only';
// Drill reads for the pages and the compliance report: plans with their last
// result, freshness and score; the calendar of scheduled runs; what has never
// been drilled; a plan, a run with its leases and timeline.
import { db } from '@/lib/server/db';
import { drillFreshness, coverageScore, type Freshness, type LastResult, type TestedFingerprint } from './freshness';
import type { HaltConditions } from './halt';
import { fingerprint, type PlanFault, type PlanScope } from './runs';

const FINISHED = ['passed', 'failed', 'halted'] as const;

export type PlanSummary = {
  id: string; name: string; serviceName: string; componentName: string; disruption: string; trafficMode: string; durationMs: number;
  nextRunAt: Date | null; recurrenceDays: number | null; cadenceDays: number;
  running: { id: string; startedAt: Date | null } | null;
  last: { id: string; status: string; finishedAt: Date | null; measuredRtoMs: number | null; objectiveRtoMs: number | null; verdict: string | null } | null;
  freshness: Freshness;
};

export async function listPlans(now = Date.now()): Promise<PlanSummary[]> {
  const plans = await db().drillPlan.findMany({
    where: { archivedAt: null }, orderBy: { name: 'asc' },
    select: {
      id: true, name: true, disruption: true, trafficMode: true, durationMs: true, nextRunAt: true, recurrenceDays: true, cadenceDays: true, serviceId: true, runbookId: true, scope: true,
      component: { select: { name: true, service: { select: { name: true } } } },
      runs: { where: { status: { in: ['running', ...FINISHED] } }, orderBy: { createdAt: 'desc' }, take: 10, select: { id: true, status: true, startedAt: true, finishedAt: true, measuredRtoMs: true, objectiveRtoMs: true, verdict: true, tested: true } },
    },
  });
  return Promise.all(
    plans.map(async (p) => {
      const running = p.runs.find((r) => r.status === 'running') ?? null;
      const last = p.runs.find((r) => r.status !== 'running' && r.finishedAt) ?? null;
      const current = last ? await fingerprint(db(), { serviceId: p.serviceId, runbookId: p.runbookId, scope: p.scope as PlanScope }) : null;
      const lastResult: LastResult | null = last ? { status: last.status as LastResult['status'], finishedAt: last.finishedAt!.getTime(), tested: last.tested as unknown as TestedFingerprint } : null;
      return {
        id: p.id, name: p.name, serviceName: p.component.service?.name ?? '(deleted service)', componentName: p.component.name, disruption: p.disruption, trafficMode: p.trafficMode, durationMs: p.durationMs,
        nextRunAt: p.nextRunAt, recurrenceDays: p.recurrenceDays, cadenceDays: p.cadenceDays,
        running: running && { id: running.id, startedAt: running.startedAt },
        last: last && { id: last.id, status: last.status, finishedAt: last.finishedAt, measuredRtoMs: last.measuredRtoMs, objectiveRtoMs: last.objectiveRtoMs, verdict: last.verdict },
        freshness: drillFreshness(lastResult, p.cadenceDays, current, now),
      };
    }),
  );
}

/** Service routing components no drill plan covers, or whose plans never finished a run. */
export async function neverDrilled(plans: PlanSummary[]): Promise<{ id: string; name: string }[]> {
  const drilled = new Set(plans.filter((p) => p.last).map((p) => p.componentName));
  const components = await db().recoveryComponent.findMany({ where: { kind: 'service_routing', retiredAt: null }, select: { id: true, name: true }, orderBy: { name: 'asc' } });
  return components.filter((c) => !drilled.has(c.name));
}

/** Drill coverage for the compliance report: each plan's status and score, the never-drilled components, and the estate's score (never-drilled counting 0). */
export async function drillCoverage(now = Date.now()) {
  const plans = await listPlans(now);
  const never = await neverDrilled(plans);
  return { plans, never, score: coverageScore([...plans.map((p) => p.freshness.score), ...never.map(() => 0)]) };
}
export type DrillCoverage = Awaited<ReturnType<typeof drillCoverage>>;

export async function getPlan(id: string) {
  const plan = await db().drillPlan.findUnique({
    where: { id },
    include: {
      component: { select: { name: true, service: { select: { name: true } } } },
      runbook: { select: { id: true, name: true, archivedAt: true } },
      drillWebhook: { select: { name: true, disabledAt: true } },
      runs: { orderBy: { createdAt: 'desc' }, take: 50, select: { id: true, status: true, startedAt: true, startedBy: true, finishedAt: true, measuredRtoMs: true, objectiveRtoMs: true, verdict: true } },
    },
  });
  if (!plan || plan.archivedAt) return null;
  return { ...plan, scope: plan.scope as PlanScope, faults: plan.faults as PlanFault[], haltConditions: plan.haltConditions as HaltConditions };
}
export type PlanDetail = NonNullable<Awaited<ReturnType<typeof getPlan>>>;

export async function getRun(id: string) {
  const run = await db().drillRun.findUnique({
    where: { id },
    include: {
      plan: { select: { id: true, name: true, disruption: true, trafficMode: true, trafficShare: true, syntheticRps: true, haltConditions: true, component: { select: { name: true } } } },
      faultLeases: { orderBy: { startsAt: 'asc' } },
      events: { orderBy: { at: 'asc' } },
      incident: { select: { id: true, number: true, status: true, acknowledgedAt: true } },
    },
  });
  if (!run) return null;
  const targetIds = [...new Set(run.faultLeases.flatMap((f) => f.targetIds))];
  const targets = await db().target.findMany({ where: { id: { in: targetIds } }, select: { id: true, name: true } });
  const episode = run.episodeId ? await db().disruptionEpisode.findUnique({ where: { id: run.episodeId }, select: { id: true, startedAt: true, detectedAt: true, activatedAt: true, restoredAt: true, tDetectMs: true, tAssessMs: true, tActivateMs: true, tRestoreMs: true, rtoMs: true } }) : null;
  return { ...run, targetNames: Object.fromEntries(targets.map((t) => [t.id, t.name])), episode, readAt: Date.now() };
}
export type RunDetail = NonNullable<Awaited<ReturnType<typeof getRun>>>;

/** Choices of the plan editor: services, their targets, providers and regions. */
export async function planChoices() {
  const [services, targets, providers, regions, runbooks, webhooks] = await Promise.all([
    db().service.findMany({ orderBy: { name: 'asc' }, select: { id: true, name: true } }),
    db().target.findMany({ orderBy: { name: 'asc' }, select: { id: true, name: true } }),
    db().provider.findMany({ orderBy: { name: 'asc' }, select: { id: true, name: true } }),
    db().region.findMany({ orderBy: { code: 'asc' }, select: { id: true, code: true } }),
    db().runbook.findMany({ where: { archivedAt: null }, orderBy: { name: 'asc' }, select: { id: true, name: true } }),
    db().notificationWebhook.findMany({ where: { disabledAt: null }, orderBy: { name: 'asc' }, select: { id: true, name: true } }),
  ]);
  return { services, targets, providers, regions: regions.map((r) => ({ id: r.id, name: r.code })), runbooks, webhooks };
}
export type PlanChoices = Awaited<ReturnType<typeof planChoices>>;
