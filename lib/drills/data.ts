import 'server-only';
// Drill reads for the pages and the compliance report: plans with their last
// result, freshness and score; the calendar of scheduled runs; what has never
// been drilled; a plan, a run with its leases and timeline.
import { db } from '@/lib/server/db';
import { readDrillCoverage, resolveScope, type PlanScope } from '@/lib/recovery/drill-states';
import type { HaltConditions } from './halt';
import type { PlanFault } from './runs';

/** The drills page and the report: every plan with its schedule and freshness, the never-drilled components, the estate's score. */
export const drillCoverage = readDrillCoverage;

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

/** What a run of the plan checks beside its RTO: a conversation's resume where the service keeps them, restores of the models its targets serve. */
export async function planChecks(plan: { serviceId: string; scope: PlanScope }): Promise<string[]> {
  const [service, targets] = await Promise.all([db().service.findUnique({ where: { id: plan.serviceId }, select: { name: true, conversationStore: true } }), resolveScope(db(), plan.scope)]);
  const models = await db().modelArtifact.findMany({ where: { targetId: { in: targets.map((t) => t.id) } }, orderBy: { name: 'asc' }, select: { name: true } });
  return [
    ...(service?.conversationStore ? [`session resume: ${service.name} keeps conversations, so one must continue with its whole history across the failover`] : []),
    ...(models.length ? [`restore: the newest timed restore of ${models.map((m) => m.name).join(', ')} within the cadence and the data-loss RTO`] : []),
  ];
}

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
