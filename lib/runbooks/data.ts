import 'server-only';
// Runbook reads: the library, one runbook at any of its versions, and the
// notification webhooks (by name and hint only: a webhook URL holds a secret
// and never leaves the server).
import { db, type Tx } from '@/lib/server/db';
import type { FailureMode, IncidentSeverity, RunbookStepKind } from './model';
import { readStepParams, type StepParams } from './schemas';

export type RunbookListRow = {
  id: string;
  name: string;
  failureMode: FailureMode;
  summary: string;
  version: number;
  stepCount: number;
  kinds: Partial<Record<RunbookStepKind, number>>;
  severities: IncidentSeverity[];
  services: string[];
  targets: string[];
  updatedAt: string;
  updatedBy: string;
  archived: boolean;
  incidents: number;
};

async function namesOf(serviceIds: string[], targetIds: string[]) {
  const [services, targets] = await Promise.all([
    serviceIds.length ? db().service.findMany({ where: { id: { in: serviceIds } }, select: { id: true, name: true } }) : [],
    targetIds.length ? db().target.findMany({ where: { id: { in: targetIds } }, select: { id: true, name: true } }) : [],
  ]);
  return { service: new Map(services.map((s) => [s.id, s.name])), target: new Map(targets.map((t) => [t.id, t.name])) };
}

/** Every runbook at its current version, by failure mode. */
export async function listRunbooks(options: { includeArchived?: boolean } = {}): Promise<RunbookListRow[]> {
  const rows = await db().runbook.findMany({
    where: options.includeArchived ? {} : { archivedAt: null },
    orderBy: { name: 'asc' },
    select: { id: true, name: true, version: true, archivedAt: true, versions: { orderBy: { number: 'desc' }, take: 1, select: { id: true, failureMode: true, summary: true, severities: true, serviceIds: true, targetIds: true, createdAt: true, createdBy: true, steps: { select: { kind: true } } } } },
  });
  const usage = await db().incidentRunbook.groupBy({ by: ['runbookVersionId'], _count: { _all: true } });
  const versionsOf = await db().runbookVersion.findMany({ where: { id: { in: usage.map((u) => u.runbookVersionId) } }, select: { id: true, runbookId: true } });
  const incidents = new Map<string, number>();
  for (const u of usage) {
    const runbookId = versionsOf.find((v) => v.id === u.runbookVersionId)?.runbookId;
    if (runbookId) incidents.set(runbookId, (incidents.get(runbookId) ?? 0) + u._count._all);
  }
  const names = await namesOf([...new Set(rows.flatMap((r) => r.versions[0]?.serviceIds ?? []))], [...new Set(rows.flatMap((r) => r.versions[0]?.targetIds ?? []))]);
  return rows.flatMap((r) => {
    const v = r.versions[0];
    if (!v) return [];
    const kinds: Partial<Record<RunbookStepKind, number>> = {};
    for (const s of v.steps) kinds[s.kind] = (kinds[s.kind] ?? 0) + 1;
    return [{
      id: r.id, name: r.name, failureMode: v.failureMode, summary: v.summary, version: r.version, stepCount: v.steps.length, kinds,
      severities: v.severities, services: v.serviceIds.map((id) => names.service.get(id) ?? 'a deleted service'), targets: v.targetIds.map((id) => names.target.get(id) ?? 'a deleted target'),
      updatedAt: v.createdAt.toISOString(), updatedBy: v.createdBy, archived: r.archivedAt !== null, incidents: incidents.get(r.id) ?? 0,
    }];
  });
}

export type RunbookStepView = {
  id: string;
  key: string;
  position: number;
  lane: number;
  kind: RunbookStepKind;
  title: string;
  body: string;
  expectedMinutes: number | null;
  /** The parameters as stored (for the editor) and as read (null with an error when a row was edited by hand). */
  rawParams: unknown;
  params: StepParams | null;
  paramsError: string | null;
};

export function toStepView(s: { id: string; key: string; position: number; lane: number; kind: RunbookStepKind; title: string; body: string; expectedMinutes: number | null; params: unknown }): RunbookStepView {
  const read = readStepParams(s.kind, s.params);
  return {
    id: s.id, key: s.key, position: s.position, lane: s.lane, kind: s.kind, title: s.title, body: s.body, expectedMinutes: s.expectedMinutes, rawParams: s.params,
    params: 'error' in read ? null : read, paramsError: 'error' in read ? read.error : null,
  };
}

export const STEP_SELECT = { id: true, key: true, position: true, lane: true, kind: true, title: true, body: true, expectedMinutes: true, params: true } as const;

export type RunbookDetail = {
  id: string;
  name: string;
  version: number;
  archived: boolean;
  shown: {
    id: string;
    number: number;
    name: string;
    failureMode: FailureMode;
    summary: string;
    severities: IncidentSeverity[];
    serviceIds: string[];
    targetIds: string[];
    services: string[];
    targets: string[];
    note: string;
    createdBy: string;
    createdAt: string;
    steps: RunbookStepView[];
  };
  versions: { number: number; createdBy: string; createdAt: string; note: string; incidents: number }[];
  /** Runbooks this one's decisions can attach, by id. */
  linked: Record<string, string>;
};

/** One runbook at `version` (default: its current one), with its history; null if it does not exist. */
export async function getRunbook(id: string, version?: number): Promise<RunbookDetail | null> {
  const runbook = await db().runbook.findUnique({ where: { id }, select: { id: true, name: true, version: true, archivedAt: true } });
  if (!runbook) return null;
  const [shown, versions] = await Promise.all([
    db().runbookVersion.findUnique({ where: { runbookId_number: { runbookId: id, number: version ?? runbook.version } }, include: { steps: { orderBy: { position: 'asc' }, select: STEP_SELECT } } }),
    db().runbookVersion.findMany({ where: { runbookId: id }, orderBy: { number: 'desc' }, select: { number: true, createdBy: true, createdAt: true, note: true, _count: { select: { incidents: true } } } }),
  ]);
  if (!shown) return null;
  const names = await namesOf(shown.serviceIds, shown.targetIds);
  const steps = shown.steps.map(toStepView);
  const linkedIds = steps.flatMap((s) => (s.params?.kind === 'decision' ? s.params.params.options.flatMap((o) => (o.attachRunbookId ? [o.attachRunbookId] : [])) : []));
  const linked = linkedIds.length ? await db().runbook.findMany({ where: { id: { in: linkedIds } }, select: { id: true, name: true } }) : [];
  return {
    id: runbook.id, name: runbook.name, version: runbook.version, archived: runbook.archivedAt !== null,
    shown: {
      id: shown.id, number: shown.number, name: shown.name, failureMode: shown.failureMode, summary: shown.summary, severities: shown.severities, serviceIds: shown.serviceIds, targetIds: shown.targetIds,
      services: shown.serviceIds.map((s) => names.service.get(s) ?? 'a deleted service'), targets: shown.targetIds.map((t) => names.target.get(t) ?? 'a deleted target'),
      note: shown.note, createdBy: shown.createdBy, createdAt: shown.createdAt.toISOString(), steps,
    },
    versions: versions.map((v) => ({ number: v.number, createdBy: v.createdBy, createdAt: v.createdAt.toISOString(), note: v.note, incidents: v._count.incidents })),
    linked: Object.fromEntries(linked.map((r) => [r.id, r.name])),
  };
}

/** The current versions' attachment conditions, for matching against an incident (match.ts). */
export async function runbookConditions(client: Pick<Tx, 'runbook'> = db()) {
  const rows = await client.runbook.findMany({
    where: { archivedAt: null },
    select: { id: true, name: true, version: true, versions: { orderBy: { number: 'desc' }, take: 1, select: { id: true, failureMode: true, severities: true, serviceIds: true, targetIds: true } } },
  });
  return rows.flatMap((r) => (r.versions[0] ? [{ id: r.id, name: r.name, versionId: r.versions[0].id, failureMode: r.versions[0].failureMode, severities: r.versions[0].severities, serviceIds: r.versions[0].serviceIds, targetIds: r.versions[0].targetIds }] : []));
}

export type WebhookView = {
  id: string;
  name: string;
  kind: 'slack' | 'generic';
  /** The host and the last four characters of the URL: enough to recognise it, never enough to use it. */
  urlHint: string;
  createdBy: string;
  createdAt: string;
  rotatedAt: string | null;
  disabled: boolean;
  version: number;
  lastDelivery: { status: string; at: string; error: string | null } | null;
};

export async function listWebhooks(): Promise<WebhookView[]> {
  const rows = await db().notificationWebhook.findMany({
    orderBy: { name: 'asc' },
    select: {
      id: true, name: true, kind: true, urlHint: true, createdBy: true, createdAt: true, rotatedAt: true, disabledAt: true, version: true,
      deliveries: { orderBy: { createdAt: 'desc' }, take: 1, select: { status: true, createdAt: true, deliveredAt: true, lastError: true } },
    },
  });
  return rows.map((w) => ({
    id: w.id, name: w.name, kind: w.kind, urlHint: w.urlHint, createdBy: w.createdBy, createdAt: w.createdAt.toISOString(), rotatedAt: w.rotatedAt?.toISOString() ?? null,
    disabled: w.disabledAt !== null, version: w.version,
    lastDelivery: w.deliveries[0] ? { status: w.deliveries[0].status, at: (w.deliveries[0].deliveredAt ?? w.deliveries[0].createdAt).toISOString(), error: w.deliveries[0].lastError } : null,
  }));
}

/**
 * The webhooks a notify step can send to now (not disabled), by name. For a drill's incident only its plan's drill
 * channel (lib/incidents/mutations.ts assertDrillChannel refuses the others).
 */
export async function listActiveWebhooks(drillIncidentId?: string): Promise<{ id: string; name: string }[]> {
  const drill = drillIncidentId ? { drillPlans: { some: { runs: { some: { incidentId: drillIncidentId } } } } } : {};
  return db().notificationWebhook.findMany({ where: { disabledAt: null, ...drill }, orderBy: { name: 'asc' }, select: { id: true, name: true } });
}

/** What the runbook editor chooses from: services, targets, webhooks and other runbooks, by name. */
export async function getEditorChoices() {
  const [services, targets, webhooks, runbooks] = await Promise.all([
    db().service.findMany({ orderBy: { name: 'asc' }, select: { id: true, name: true } }),
    db().target.findMany({ orderBy: { name: 'asc' }, select: { id: true, name: true, model: true } }),
    db().notificationWebhook.findMany({ where: { disabledAt: null }, orderBy: { name: 'asc' }, select: { id: true, name: true } }),
    db().runbook.findMany({ where: { archivedAt: null }, orderBy: { name: 'asc' }, select: { id: true, name: true } }),
  ]);
  return { services, targets, webhooks, runbooks };
}
export type EditorChoices = Awaited<ReturnType<typeof getEditorChoices>>;
