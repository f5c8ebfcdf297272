import 'server-only';
// Incident reads: the list, the cockpit (everything but the timeline), the
// timeline a page at a time, the post-mortem with its figures, and open
// follow-ups. Plain objects only; the timeline is read newest first by its
// index, so an incident with ten thousand entries opens as fast as one with ten.
import { readiness, type StepState } from '@/lib/runbooks/lanes';
import { runbookConditions, toStepView, STEP_SELECT, type RunbookStepView } from '@/lib/runbooks/data';
import { matchRunbooks, type RunbookMatch } from '@/lib/runbooks/match';
import { FAILURE_MODE_LABELS, type FailureMode } from '@/lib/runbooks/model';
import { DISRUPTION_LABELS, routingComponentName, type DisruptionKind } from '@/lib/recovery/model';
import type { RtoParts } from '@/lib/recovery/rto-parts';
import { db, Prisma } from '@/lib/server/db';
import type { IncidentSeverity, IncidentStatus } from '@/lib/server/generated/prisma/enums';
import type { Tier } from '@/lib/routing/enums';
import { describeCheck, type CheckEvaluation } from './checks';
import { loadIncidentContext, loadNames, requestCounts } from './context';
import { numberOfPublicId, OPEN_STATUSES, publicIdOf, type IncidentRole } from './model';
import { computePostmortem, type PostmortemFigures, type ServiceWindow } from './postmortem';
import { fillAction, renderMessage, resolveCheck } from './step-defaults';
import { TIMELINE_SELECT, toTimelineView, type TimelineEventView } from './timeline-view';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The incident's id from INC-12, 12 or its uuid; null when it names none. */
export async function resolveIncidentId(ref: string): Promise<string | null> {
  if (UUID.test(ref)) return (await db().incident.findUnique({ where: { id: ref }, select: { id: true } }))?.id ?? null;
  const number = numberOfPublicId(ref);
  if (number === null) return null;
  return (await db().incident.findUnique({ where: { number }, select: { id: true } }))?.id ?? null;
}

// ---------------------------------------------------------------- the list

export type IncidentListRow = {
  id: string;
  publicId: string;
  title: string;
  severity: IncidentSeverity;
  status: IncidentStatus;
  serviceName: string | null;
  openedAt: string;
  openedVia: string;
  acknowledgedAt: string | null;
  resolvedAt: string | null;
  commander: string | null;
  isDrill: boolean;
  steps: { done: number; total: number };
  postmortem: 'none' | 'draft' | 'published';
};

export type IncidentFilter = 'open' | 'resolved' | 'all';

export async function listIncidents(filter: IncidentFilter = 'all', options: { limit?: number; offset?: number } = {}): Promise<{ rows: IncidentListRow[]; total: number; openCount: number }> {
  const where: Prisma.IncidentWhereInput = filter === 'open' ? { status: { in: [...OPEN_STATUSES] } } : filter === 'resolved' ? { status: { notIn: [...OPEN_STATUSES] } } : {};
  const [rows, total, openCount] = await Promise.all([
    db().incident.findMany({
      where,
      orderBy: [{ openedAt: 'desc' }],
      take: options.limit ?? 50,
      skip: options.offset ?? 0,
      select: {
        id: true, number: true, title: true, severity: true, status: true, openedAt: true, openedVia: true, acknowledgedAt: true, resolvedAt: true, isDrill: true,
        service: { select: { name: true } }, commander: { select: { name: true } }, postmortem: { select: { publishedAt: true } },
      },
    }),
    db().incident.count({ where }),
    db().incident.count({ where: { status: { in: [...OPEN_STATUSES] } } }),
  ]);
  const progress = await db().stepRun.groupBy({ by: ['incidentId', 'status'], where: { incidentId: { in: rows.map((r) => r.id) } }, _count: { _all: true } });
  return {
    total,
    openCount,
    rows: rows.map((r) => {
      const mine = progress.filter((p) => p.incidentId === r.id);
      return {
        id: r.id, publicId: publicIdOf(r.number), title: r.title, severity: r.severity, status: r.status, serviceName: r.service?.name ?? null,
        openedAt: r.openedAt.toISOString(), openedVia: r.openedVia, acknowledgedAt: r.acknowledgedAt?.toISOString() ?? null, resolvedAt: r.resolvedAt?.toISOString() ?? null,
        commander: r.commander?.name ?? null, isDrill: r.isDrill,
        steps: { done: mine.filter((p) => p.status === 'done' || p.status === 'skipped').reduce((s, p) => s + p._count._all, 0), total: mine.reduce((s, p) => s + p._count._all, 0) },
        postmortem: r.postmortem ? (r.postmortem.publishedAt ? 'published' : 'draft') : 'none',
      };
    }),
  };
}

export type FollowUpView = { id: string; incidentId: string; publicId: string; incidentTitle: string; title: string; owner: { id: string; name: string } | null; dueOn: string | null; status: 'open' | 'done'; doneAt: string | null; doneBy: string | null; version: number };

const FOLLOW_UP_SELECT = {
  id: true, title: true, dueOn: true, status: true, doneAt: true, doneBy: true, version: true, owner: { select: { id: true, name: true } }, incident: { select: { id: true, number: true, title: true } },
} as const;

function toFollowUp(f: Prisma.FollowUpGetPayload<{ select: typeof FOLLOW_UP_SELECT }>): FollowUpView {
  return {
    id: f.id, incidentId: f.incident.id, publicId: publicIdOf(f.incident.number), incidentTitle: f.incident.title, title: f.title, owner: f.owner, dueOn: f.dueOn?.toISOString().slice(0, 10) ?? null,
    status: f.status, doneAt: f.doneAt?.toISOString() ?? null, doneBy: f.doneBy, version: f.version,
  };
}

/** Follow-ups not done yet across every incident, the most overdue first. */
export async function listOpenFollowUps(limit = 100): Promise<FollowUpView[]> {
  const rows = await db().followUp.findMany({ where: { status: 'open' }, orderBy: [{ dueOn: { sort: 'asc', nulls: 'last' } }, { createdAt: 'asc' }], take: limit, select: FOLLOW_UP_SELECT });
  return rows.map(toFollowUp);
}

// ---------------------------------------------------------------- the cockpit

export type StepRunView = RunbookStepView & {
  runId: string;
  status: StepState;
  startedAt: string | null;
  startedBy: string | null;
  finishedAt: string | null;
  finishedBy: string | null;
  result: Record<string, unknown>;
  evaluation: CheckEvaluation | null;
  version: number;
  ready: boolean;
  waitingOn: string[];
  /** For action steps, the parameters filled from the incident; for checks, the criterion in words; for notify steps, the message as it will read. */
  prepared: { action?: Record<string, unknown>; check?: string; checkError?: string; message?: string };
};

export type AttachedRunbookView = { id: string; runbookId: string; name: string; version: number; latestVersion: number; attachedAt: string; attachedBy: string; reason: string; steps: StepRunView[] };

export type RtoClock = {
  /** When the disruption began (its first failed request), or the incident's opening without one. */
  startedAt: string;
  detectedAt: string | null;
  assessedAt: string | null;
  activatedAt: string | null;
  restoredAt: string | null;
  objectiveMs: number | null;
  component: string | null;
  disruption: DisruptionKind | null;
  episodeId: string | null;
  parts: RtoParts | null;
  measuredMs: number | null;
};

export type IncidentView = {
  id: string;
  publicId: string;
  title: string;
  summary: string;
  severity: IncidentSeverity;
  suggestedSeverity: IncidentSeverity | null;
  severityReasons: string[];
  status: IncidentStatus;
  failureMode: FailureMode | null;
  isDrill: boolean;
  service: { id: string; name: string } | null;
  openedAt: string;
  openedVia: string;
  openedBy: string;
  acknowledgedAt: string | null;
  acknowledgedBy: string | null;
  resolvedAt: string | null;
  closedAt: string | null;
  version: number;
  roles: Record<IncidentRole, { id: string; name: string } | null>;
  signals: { rule: string; at: string; service: string | null; target: string | null }[];
  clock: RtoClock;
  runbooks: AttachedRunbookView[];
  suggestions: RunbookMatch[];
  postmortem: { version: number; publishedAt: string | null; updatedAt: string } | null;
  followUps: { open: number; done: number };
  timelineCount: number;
};

/** Which disruption an objective is looked up for, from the incident's failure mode, when no episode says it. */
const DISRUPTION_OF: Record<FailureMode, DisruptionKind> = {
  provider_outage: 'provider_outage',
  regional_outage: 'regional_outage',
  capacity_exhaustion: 'capacity_loss',
  quality_degradation: 'model_retirement',
  safety_incident: 'model_retirement',
  gpu_node_failure: 'provider_outage',
  lost_artifacts: 'data_loss',
  database_loss: 'data_loss',
};

const iso = (d: Date | null | undefined) => d?.toISOString() ?? null;

export async function getIncident(id: string): Promise<IncidentView | null> {
  const incident = await db().incident.findUnique({
    where: { id },
    select: {
      id: true, number: true, title: true, summary: true, severity: true, suggestedSeverity: true, severityReasons: true, status: true, failureMode: true, isDrill: true,
      openedAt: true, openedVia: true, openedBy: true, acknowledgedAt: true, acknowledgedBy: true, resolvedAt: true, closedAt: true, version: true,
      service: { select: { id: true, name: true } },
      commander: { select: { id: true, name: true } }, operationsLead: { select: { id: true, name: true } }, communicationsLead: { select: { id: true, name: true } },
      signals: { orderBy: { at: 'asc' }, select: { rule: true, at: true, serviceId: true, targetId: true } },
      postmortem: { select: { version: true, publishedAt: true, updatedAt: true } },
      _count: { select: { timeline: true } },
    },
  });
  if (!incident) return null;
  const [attached, episodes, followUps, names, context] = await Promise.all([
    db().incidentRunbook.findMany({
      where: { incidentId: id },
      orderBy: { attachedAt: 'asc' },
      select: {
        id: true, attachedAt: true, attachedBy: true, reason: true,
        runbookVersion: { select: { number: true, name: true, runbook: { select: { id: true, version: true } }, steps: { orderBy: { position: 'asc' }, select: STEP_SELECT } } },
        steps: { select: { id: true, stepId: true, status: true, startedAt: true, startedBy: true, finishedAt: true, finishedBy: true, result: true, evaluation: true, version: true } },
      },
    }),
    db().disruptionEpisode.findMany({
      where: { incidentId: id },
      orderBy: { startedAt: 'asc' },
      select: { id: true, componentId: true, disruption: true, startedAt: true, detectedAt: true, activatedAt: true, restoredAt: true, rtoMs: true, tDetectMs: true, tAssessMs: true, tActivateMs: true, tRestoreMs: true, component: { select: { name: true } } },
    }),
    db().followUp.groupBy({ by: ['status'], where: { incidentId: id }, _count: { _all: true } }),
    loadNames(),
    loadIncidentContext(db(), id),
  ]);

  const runbooks: AttachedRunbookView[] = attached.map((a) => {
    const steps = a.runbookVersion.steps.map(toStepView);
    const runs = new Map(a.steps.map((r) => [r.stepId, r]));
    const states = new Map(steps.map((s) => [s.key, (runs.get(s.id)?.status ?? 'pending') as StepState]));
    const { ready, waitingOn } = readiness(steps, states);
    const titleOf = new Map(steps.map((s) => [s.key, s.title]));
    return {
      id: a.id, runbookId: a.runbookVersion.runbook.id, name: a.runbookVersion.name, version: a.runbookVersion.number, latestVersion: a.runbookVersion.runbook.version,
      attachedAt: a.attachedAt.toISOString(), attachedBy: a.attachedBy, reason: a.reason,
      steps: steps.flatMap((s): StepRunView[] => {
        const run = runs.get(s.id);
        if (!run) return [];
        const prepared: StepRunView['prepared'] = {};
        if (context && s.params?.kind === 'action') prepared.action = fillAction(s.params.params, context) as Record<string, unknown>;
        if (context && s.params?.kind === 'check') {
          const check = resolveCheck(s.params.params, context, names);
          if ('error' in check) prepared.checkError = check.error;
          else prepared.check = describeCheck(check);
        }
        if (context && s.params?.kind === 'notify') prepared.message = renderMessage(s.params.params.message, context);
        return [{
          ...s, runId: run.id, status: run.status as StepState, startedAt: iso(run.startedAt), startedBy: run.startedBy, finishedAt: iso(run.finishedAt), finishedBy: run.finishedBy,
          result: (run.result ?? {}) as Record<string, unknown>, evaluation: (run.evaluation as CheckEvaluation | null) ?? null, version: run.version,
          ready: ready.includes(s.key), waitingOn: (waitingOn.get(s.key) ?? []).map((k) => titleOf.get(k) ?? k), prepared,
        }];
      }),
    };
  });

  // Runbooks that would match, not attached yet.
  const attachedIds = new Set(runbooks.map((r) => r.runbookId));
  const candidates = await runbookConditions();
  const suggestions = matchRunbooks(
    candidates.filter((c) => !attachedIds.has(c.id)),
    { failureMode: incident.failureMode, severity: incident.severity, serviceId: incident.service?.id ?? null, targetIds: incident.signals.flatMap((s) => (s.targetId ? [s.targetId] : [])) },
    { service: incident.service?.name, failureMode: incident.failureMode ? FAILURE_MODE_LABELS[incident.failureMode].toLowerCase() : undefined },
  ).slice(0, 5);

  // The RTO clock: the incident's own service's routing episode, else its first episode.
  const primary = episodes.find((e) => incident.service && e.component.name === routingComponentName(incident.service.name)) ?? episodes[0] ?? null;
  const disruption: DisruptionKind | null = primary?.disruption ?? (incident.failureMode ? DISRUPTION_OF[incident.failureMode] : null);
  const componentId = primary?.componentId ?? (incident.service ? (await db().recoveryComponent.findFirst({ where: { kind: 'service_routing', serviceId: incident.service.id }, select: { id: true } }))?.id : undefined);
  const objective = componentId && disruption ? await db().recoveryObjective.findUnique({ where: { componentId_disruption: { componentId, disruption } }, select: { rtoMs: true } }) : null;
  const opened = incident.openedVia === 'manual' ? null : incident.openedAt;
  const clock: RtoClock = {
    startedAt: (primary && primary.startedAt < incident.openedAt ? primary.startedAt : incident.openedAt).toISOString(),
    detectedAt: iso(primary?.detectedAt ?? opened),
    assessedAt: iso(incident.acknowledgedAt),
    activatedAt: iso(primary?.activatedAt),
    restoredAt: iso(primary?.restoredAt),
    objectiveMs: objective?.rtoMs ?? null,
    component: primary?.component.name ?? (incident.service ? routingComponentName(incident.service.name) : null),
    disruption,
    episodeId: primary?.id ?? null,
    parts: primary ? { tDetectMs: primary.tDetectMs, tAssessMs: primary.tAssessMs, tActivateMs: primary.tActivateMs, tRestoreMs: primary.tRestoreMs } : null,
    measuredMs: primary?.rtoMs ?? null,
  };

  return {
    id: incident.id, publicId: publicIdOf(incident.number), title: incident.title, summary: incident.summary, severity: incident.severity, suggestedSeverity: incident.suggestedSeverity,
    severityReasons: incident.severityReasons, status: incident.status, failureMode: incident.failureMode, isDrill: incident.isDrill, service: incident.service,
    openedAt: incident.openedAt.toISOString(), openedVia: incident.openedVia, openedBy: incident.openedBy, acknowledgedAt: iso(incident.acknowledgedAt), acknowledgedBy: incident.acknowledgedBy,
    resolvedAt: iso(incident.resolvedAt), closedAt: iso(incident.closedAt), version: incident.version,
    roles: { commanderId: incident.commander, operationsLeadId: incident.operationsLead, communicationsLeadId: incident.communicationsLead },
    signals: incident.signals.map((s) => ({ rule: s.rule, at: s.at.toISOString(), service: s.serviceId ? names.service(s.serviceId) : null, target: s.targetId ? names.target(s.targetId) : null })),
    clock, runbooks, suggestions,
    postmortem: incident.postmortem ? { version: incident.postmortem.version, publishedAt: iso(incident.postmortem.publishedAt), updatedAt: incident.postmortem.updatedAt.toISOString() } : null,
    followUps: { open: followUps.find((f) => f.status === 'open')?._count._all ?? 0, done: followUps.find((f) => f.status === 'done')?._count._all ?? 0 },
    timelineCount: incident._count.timeline,
  };
}

/** The estate by name, for the cockpit's step dialogs: services with their chains, targets with their models. */
export type StepChoices = {
  services: { id: string; name: string; chain: { id: string; name: string }[] }[];
  targets: { id: string; name: string; model: string }[];
};

export async function getStepChoices(): Promise<StepChoices> {
  const [services, targets] = await Promise.all([
    db().service.findMany({ orderBy: { name: 'asc' }, select: { id: true, name: true, chain: { orderBy: { position: 'asc' }, select: { target: { select: { id: true, name: true } } } } } }),
    db().target.findMany({ orderBy: { name: 'asc' }, select: { id: true, name: true, model: true } }),
  ]);
  return { services: services.map((s) => ({ id: s.id, name: s.name, chain: s.chain.map((e) => e.target) })), targets };
}

/** The services an incident can be opened for. */
export async function listServiceChoices(): Promise<{ id: string; name: string }[]> {
  return db().service.findMany({ orderBy: { name: 'asc' }, select: { id: true, name: true } });
}

/** Who can hold an incident role: every enabled user. */
export async function listAssignableUsers() {
  return db().user.findMany({ where: { disabled: false }, orderBy: { name: 'asc' }, select: { id: true, name: true, role: true } });
}

// ---------------------------------------------------------------- the timeline

export const TIMELINE_PAGE = 200;

export type TimelinePage = { events: TimelineEventView[]; hasMore: boolean; cursor: string | null };

/**
 * Entries newest first by their real time, a page at a time: `before` is the
 * cursor of the previous page (the last entry's time and id). Curated: the
 * entries marked for the story; all: every entry.
 */
export async function getTimeline(incidentId: string, options: { curated?: boolean; before?: string | null; limit?: number } = {}): Promise<TimelinePage> {
  const limit = Math.min(options.limit ?? TIMELINE_PAGE, 1_000);
  let cursor: Prisma.TimelineEventWhereInput = {};
  if (options.before) {
    const [at, id] = options.before.split('|');
    const date = new Date(at);
    if (!Number.isNaN(date.getTime()) && /^\d+$/.test(id ?? '')) cursor = { OR: [{ at: { lt: date } }, { at: date, id: { lt: BigInt(id) } }] };
  }
  const rows = await db().timelineEvent.findMany({
    where: { incidentId, ...(options.curated ? { curated: true } : {}), ...cursor },
    orderBy: [{ at: 'desc' }, { id: 'desc' }],
    take: limit + 1,
    select: TIMELINE_SELECT,
  });
  const page = rows.slice(0, limit).map(toTimelineView);
  const last = page.at(-1);
  return { events: page, hasMore: rows.length > limit, cursor: rows.length > limit && last ? `${last.at}|${last.id}` : null };
}

// ---------------------------------------------------------------- the post-mortem

export type PostmortemView = {
  incident: IncidentView;
  written: { summary: string; rootCause: string; wentWell: string; toImprove: string; version: number; updatedBy: string | null; updatedAt: string | null; publishedAt: string | null };
  figures: PostmortemFigures;
  timeline: TimelineEventView[];
  followUps: FollowUpView[];
  /** Where the impact figures came from, said on the page. */
  sources: { requests: 'records' | 'episodes' | 'none'; budget: string };
};

/** Each service's tier when `from` began and every tier it changed to up to `to`. */
async function tiersDuring(serviceIds: string[], from: Date, to: Date): Promise<Map<string, Tier[]>> {
  const result = new Map<string, Tier[]>();
  if (serviceIds.length === 0) return result;
  const [before, during] = await Promise.all([
    db().$queryRaw<{ serviceId: string; to: Tier }[]>(Prisma.sql`
      SELECT DISTINCT ON ("serviceId") "serviceId"::text AS "serviceId", "to" FROM "TierChange"
      WHERE "serviceId"::text IN (${Prisma.join(serviceIds)}) AND at <= ${from}::timestamp ORDER BY "serviceId", at DESC`),
    db().tierChange.findMany({ where: { serviceId: { in: serviceIds }, at: { gt: from, lte: to } }, orderBy: { at: 'asc' }, select: { serviceId: true, to: true } }),
  ]);
  for (const id of serviceIds) result.set(id, [before.find((b) => b.serviceId === id)?.to ?? 'full', ...during.filter((d) => d.serviceId === id).map((d) => d.to)]);
  return result;
}

/** Requests in each service's SLO window ending at `to`, from the hour rollups. */
async function sloWindowRequests(services: { id: string; sloWindowDays: number }[], to: Date): Promise<Map<string, number>> {
  const result = new Map<string, number>();
  for (const s of services) {
    const row = await db().serviceRollup.aggregate({ where: { serviceId: s.id, resolutionSec: 3600, bucket: { gt: new Date(to.getTime() - s.sloWindowDays * 86_400_000), lte: to } }, _sum: { requests: true } });
    result.set(s.id, row._sum.requests ?? 0);
  }
  return result;
}

export async function getPostmortem(id: string): Promise<PostmortemView | null> {
  const incident = await getIncident(id);
  if (!incident) return null;
  const now = Date.now();
  const [written, episodes, followUps, timeline] = await Promise.all([
    db().postmortem.findUnique({ where: { incidentId: id } }),
    db().disruptionEpisode.findMany({
      where: { incidentId: id },
      select: {
        id: true, componentId: true, disruption: true, startedAt: true, restoredAt: true, rtoMs: true, failedRequests: true, totalRequests: true, serviceId: true,
        tDetectMs: true, tAssessMs: true, tActivateMs: true, tRestoreMs: true, component: { select: { name: true, kind: true } },
      },
    }),
    db().followUp.findMany({ where: { incidentId: id }, orderBy: [{ status: 'asc' }, { dueOn: { sort: 'asc', nulls: 'last' } }], select: FOLLOW_UP_SELECT }),
    getTimeline(id, { curated: true, limit: 500 }),
  ]);
  const from = new Date(Math.min(Date.parse(incident.openedAt), ...episodes.map((e) => e.startedAt.getTime())));
  const to = new Date(incident.resolvedAt ? Date.parse(incident.resolvedAt) : now);
  const serviceIds = [...new Set([incident.service?.id, ...episodes.map((e) => e.serviceId)].filter((x): x is string => !!x))];
  const services = await db().service.findMany({ where: { id: { in: serviceIds } }, orderBy: { name: 'asc' }, select: { id: true, name: true, sloTarget: true, sloWindowDays: true } });
  const [counts, tiers, windows] = await Promise.all([requestCounts(serviceIds, from, to), tiersDuring(serviceIds, from, to), sloWindowRequests(services, to)]);
  // Objectives in force when each episode began (a later change does not rewrite the past).
  const objectiveAt = async (componentId: string, disruption: DisruptionKind, at: Date) => {
    const objective = await db().recoveryObjective.findUnique({ where: { componentId_disruption: { componentId, disruption } }, select: { id: true, rtoMs: true } });
    if (!objective) return null;
    const then = await db().recoveryObjectiveVersion.findFirst({ where: { objectiveId: objective.id, changedAt: { lte: at } }, orderBy: { version: 'desc' }, select: { rtoMs: true } });
    return then?.rtoMs ?? objective.rtoMs;
  };
  let requestSource: PostmortemView['sources']['requests'] = 'none';
  const serviceWindows: ServiceWindow[] = services.map((s) => {
    const recorded = counts.get(s.id);
    const routing = episodes.filter((e) => e.serviceId === s.id && e.component.kind === 'service_routing');
    // Raw records are kept 35 days; an older incident's figures come from what its episodes measured.
    const fromEpisodes = { requests: routing.reduce((n, e) => n + e.totalRequests, 0), failures: routing.reduce((n, e) => n + e.failedRequests, 0) };
    const use = recorded && recorded.requests > 0 ? recorded : fromEpisodes;
    if (use.requests > 0) requestSource = recorded && recorded.requests > 0 ? 'records' : requestSource === 'records' ? 'records' : 'episodes';
    return { name: s.name, sloTarget: s.sloTarget, sloWindowDays: s.sloWindowDays, requests: use.requests, failures: use.failures, sloWindowRequests: windows.get(s.id) ?? 0, tiers: tiers.get(s.id) ?? ['full'] };
  });
  const steps = incident.runbooks.flatMap((r) => r.steps.map((s) => ({ runbook: r.name, title: s.title, kind: s.kind, status: s.status, startedAt: s.startedAt ? Date.parse(s.startedAt) : null, finishedAt: s.finishedAt ? Date.parse(s.finishedAt) : null, startedBy: s.startedBy, finishedBy: s.finishedBy })));
  const figures = computePostmortem({
    openedAt: from.getTime(),
    endedAt: to.getTime(),
    ongoing: !incident.resolvedAt,
    primaryComponentName: incident.service ? routingComponentName(incident.service.name) : null,
    services: serviceWindows,
    episodes: await Promise.all(episodes.map(async (e) => ({
      id: e.id, componentName: e.component.name, componentKind: e.component.kind, disruption: DISRUPTION_LABELS[e.disruption], startedAt: e.startedAt.getTime(), restoredAt: e.restoredAt?.getTime() ?? null,
      parts: { tDetectMs: e.tDetectMs, tAssessMs: e.tAssessMs, tActivateMs: e.tActivateMs, tRestoreMs: e.tRestoreMs }, rtoMs: e.rtoMs, objectiveRtoMs: await objectiveAt(e.componentId, e.disruption, e.startedAt), failedRequests: e.failedRequests,
    }))),
    steps,
  });
  const budgetless = serviceWindows.filter((s) => s.sloWindowRequests === 0).map((s) => s.name);
  return {
    incident,
    written: {
      summary: written?.summary ?? '', rootCause: written?.rootCause ?? '', wentWell: written?.wentWell ?? '', toImprove: written?.toImprove ?? '',
      version: written?.version ?? 0, updatedBy: written?.updatedBy ?? null, updatedAt: iso(written?.updatedAt), publishedAt: iso(written?.publishedAt),
    },
    figures,
    timeline: [...timeline.events].reverse(),
    followUps: followUps.map(toFollowUp),
    sources: {
      requests: requestSource,
      budget: budgetless.length ? `No traffic is recorded for the SLO window of ${budgetless.join(', ')} before the incident ended, so the share of the error budget is not stated for ${budgetless.length === 1 ? 'it' : 'them'}.` : 'Share of each service\'s error budget over its SLO window (hour rollups) ending when the incident did.',
    },
  };
}

