import 'server-only';
// Incident writes. Each checks the caller's permission (policy.ts), validates
// its input, writes its timeline entry and its audit entry in the same
// transaction as the change. Fields two commanders may change at once carry
// the incident's version: a stale one is refused with what the other did.
// Action steps run the very mutations of the service and target pages
// (lib/failover, lib/degradation): same permission, same checks, same audit,
// with the incident named in the reason.
import { recordAudit } from '@/lib/audit/record';
import { clearTierOverride, setTierOverride } from '@/lib/degradation/mutations';
import { TIER_LABELS } from '@/lib/routing/tier';
import { steer } from '@/lib/failover/mutations';
import { describeMode } from '@/lib/routing/plan';
import { retireModel } from '@/lib/failover/retirement';
import { runbookConditions } from '@/lib/runbooks/data';
import { matchRunbooks } from '@/lib/runbooks/match';
import { FAILURE_MODE_LABELS, STEP_ACTION_LABELS, STEP_KIND_LABELS } from '@/lib/runbooks/model';
import { readStepParams, type DecisionParams } from '@/lib/runbooks/schemas';
import { measuredRtoMs, rtoParts } from '@/lib/recovery/rto-parts';
import { requireActor, requirePermission, SYSTEM_ACTOR, type Actor, type SessionUser } from '@/lib/server/auth';
import { db, Prisma, type Tx } from '@/lib/server/db';
import { AppError, parseInput } from '@/lib/server/errors';
import { inTransaction } from '@/lib/server/mutation';
import { hasPermission } from '@/lib/server/permissions';
import type { FailureMode, IncidentSeverity, IncidentStatus } from '@/lib/server/generated/prisma/enums';
import { applySavedConfigVersion } from './config-version';
import { loadIncidentContext, readImpact } from './context';
import { isOpen, publicIdOf, ROLE_LABELS, STATUS_LABELS } from './model';
import { canAddNote, canRunActionStep, permissionForAction } from './policy';
import {
  acknowledgeInput, addFollowUpInput, addNoteInput, assignRoleInput, attachRunbookInput, chooseDecisionInput, correctTimeInput, editIncidentInput, finishStepInput, openIncidentInput,
  runActionStepInput, runNotifyStepInput, savePostmortemInput, setCuratedInput, setFollowUpDoneInput, setSeverityInput, setStatusInput, startStepInput, type RunActionValues,
} from './schemas';
import { suggestSeverity } from './severity';
import { renderMessage } from './step-defaults';
import { appendTimeline, spoken, type TimelineEntry } from './timeline';

type Caller = SessionUser | null;
/** Who a timeline entry names: a person by email (their name kept beside it), or Standby. */
type Who = { email: string; name: string };
const whoOf = (actor: Actor): Who => ({ email: actor.email, name: actor.name });
export const STANDBY: Who = { email: 'standby', name: 'Standby' };

const entry = (incidentId: string, who: Who, kind: string, text: string, extra: Partial<TimelineEntry> = {}): TimelineEntry => ({
  incidentId, at: new Date(), kind, actor: who.email, text, ...extra, data: { actorName: who.name, ...(extra.data ?? {}) },
});

// ---------------------------------------------------------------- the incident row

const INCIDENT_FIELDS = { id: true, number: true, title: true, severity: true, status: true, version: true, serviceId: true, acknowledgedAt: true, commanderId: true, openedAt: true, isDrill: true } as const;

async function lockIncident(tx: Tx, incidentId: string) {
  await tx.$queryRaw(Prisma.sql`SELECT id FROM "Incident" WHERE id = ${incidentId}::uuid FOR UPDATE`);
  const incident = await tx.incident.findUnique({ where: { id: incidentId }, select: INCIDENT_FIELDS });
  if (!incident) throw new AppError('NOT_FOUND', 'This incident no longer exists.');
  return incident;
}

const PERSON_KINDS = ['severity', 'status', 'role', 'acknowledged', 'edit', 'runbook', 'step'];

/** After a stale version: CONFLICT naming the last change a person made. */
async function refuseStale(tx: Tx, incidentId: string): Promise<never> {
  const latest = await tx.timelineEvent.findFirst({ where: { incidentId, kind: { in: PERSON_KINDS } }, orderBy: { id: 'desc' }, select: { text: true } });
  throw new AppError('CONFLICT', `Someone else changed this incident a moment ago${latest ? `: ${latest.text}` : ''}. Review the incident as it is now and try again.`);
}

/** Writes `data` if the incident is still at `expectedVersion`, bumping it. */
async function updateIncident(tx: Tx, incidentId: string, expectedVersion: number, data: Prisma.IncidentUpdateManyMutationInput & { commanderId?: string | null; operationsLeadId?: string | null; communicationsLeadId?: string | null; serviceId?: string | null }) {
  const { count } = await tx.incident.updateMany({ where: { id: incidentId, version: expectedVersion }, data: { ...data, version: { increment: 1 } } });
  if (count === 0) await refuseStale(tx, incidentId);
  return expectedVersion + 1;
}

const audit = (tx: Tx, actor: Actor, incident: { id: string; number: number }, action: string, details: { before?: unknown; after?: unknown; reason?: string | null } = {}) =>
  recordAudit(tx, actor, { action: `incident.${action}`, entityType: 'incident', entityId: incident.id, entityName: publicIdOf(incident.number), ...details });

// ---------------------------------------------------------------- runbooks

/**
 * Attaches a runbook version to an incident: one step run per step, pending.
 * Attaching the same version twice keeps the first.
 */
export async function attachIn(tx: Tx, incidentId: string, runbookVersionId: string, who: Who, reason: string): Promise<{ id: string; created: boolean }> {
  const existing = await tx.incidentRunbook.findUnique({ where: { incidentId_runbookVersionId: { incidentId, runbookVersionId } }, select: { id: true } });
  if (existing) return { id: existing.id, created: false };
  const version = await tx.runbookVersion.findUniqueOrThrow({ where: { id: runbookVersionId }, select: { name: true, number: true, steps: { select: { id: true } } } });
  const attached = await tx.incidentRunbook.create({ data: { incidentId, runbookVersionId, attachedBy: who.email, reason }, select: { id: true } });
  await tx.stepRun.createMany({ data: version.steps.map((s) => ({ incidentId, incidentRunbookId: attached.id, stepId: s.id })) });
  await appendTimeline(tx, [entry(incidentId, who, 'runbook', `${who.name} attached runbook "${version.name}" (version ${version.number}, ${version.steps.length} steps): ${reason}`, { data: { runbookVersionId } })]);
  return { id: attached.id, created: true };
}

/** The best runbook by conditions for a new incident, attached; none when its failure mode is not known yet. */
async function attachBestMatch(tx: Tx, incident: { id: string; failureMode: FailureMode | null; severity: IncidentSeverity; serviceId: string | null; targetIds: string[]; serviceName: string | null }, who: Who) {
  if (!incident.failureMode) return null;
  const candidates = await runbookConditions(tx);
  const [best] = matchRunbooks(candidates, incident, { service: incident.serviceName ?? undefined, failureMode: FAILURE_MODE_LABELS[incident.failureMode].toLowerCase() });
  if (!best) return null;
  const versionId = candidates.find((c) => c.id === best.id)!.versionId;
  await attachIn(tx, incident.id, versionId, who, `matched on ${best.because.join(', ')}`);
  return best.name;
}

// ---------------------------------------------------------------- opening

type NewIncident = {
  title: string;
  summary?: string;
  serviceId: string | null;
  serviceName: string | null;
  severity: IncidentSeverity;
  suggested: { severity: IncidentSeverity; reasons: string[] } | null;
  failureMode: FailureMode | null;
  openedVia: string;
  openedAt: Date;
  targetIds: string[];
  acknowledged: boolean;
  isDrill?: boolean;
};

/** Creates an incident with its first timeline entry and, by conditions, its runbook. Shared by people and the auto-open rules. */
export async function createIncidentIn(tx: Tx, actor: Actor, data: NewIncident, options: { runbookVersionId?: string } = {}) {
  const who = whoOf(actor);
  const person = actor.id !== null;
  const incident = await tx.incident.create({
    data: {
      title: data.title, summary: data.summary ?? '', serviceId: data.serviceId, severity: data.severity, suggestedSeverity: data.suggested?.severity ?? null, severityReasons: data.suggested?.reasons ?? [],
      failureMode: data.failureMode, openedVia: data.openedVia, openedBy: actor.email, openedAt: data.openedAt, isDrill: data.isDrill ?? false,
      ...(data.acknowledged ? { acknowledgedAt: data.openedAt, acknowledgedBy: actor.email, commanderId: person ? actor.id : null } : {}),
    },
    select: { id: true, number: true },
  });
  await appendTimeline(tx, [
    entry(incident.id, who, 'opened', `${who.name} opened ${publicIdOf(incident.number)} (${data.severity}): ${data.title}`, {
      at: data.openedAt,
      data: { openedVia: data.openedVia, ...(data.suggested ? { suggested: data.suggested } : {}) },
    }),
  ]);
  if (options.runbookVersionId) await attachIn(tx, incident.id, options.runbookVersionId, who, 'chosen when the incident was opened');
  else await attachBestMatch(tx, { id: incident.id, failureMode: data.failureMode, severity: data.severity, serviceId: data.serviceId, targetIds: data.targetIds, serviceName: data.serviceName }, who);
  await audit(tx, actor, incident, 'open', { after: { title: data.title, severity: data.severity, service: data.serviceName, failureMode: data.failureMode, openedVia: data.openedVia } });
  return incident;
}

/** Opened by a person: acknowledged at once (they assessed it), they command it. */
export async function openIncident(caller: Caller, input: unknown) {
  const actor = requireActor(caller, 'incidents.write');
  const values = parseInput(openIncidentInput, input);
  const service = values.serviceId ? await db().service.findUnique({ where: { id: values.serviceId }, select: { id: true, name: true } }) : null;
  if (values.serviceId && !service) throw new AppError('INVALID', 'Some fields need attention.', { serviceId: ['This service no longer exists.'] });
  const impact = service ? await readImpact([service.id]) : [];
  const suggested = impact.length ? suggestSeverity(impact) : null;
  return inTransaction(async (tx) => {
    let runbookVersionId: string | undefined;
    if (values.runbookId) {
      const runbook = await tx.runbook.findUnique({ where: { id: values.runbookId }, select: { version: true, archivedAt: true, versions: { orderBy: { number: 'desc' }, take: 1, select: { id: true } } } });
      if (!runbook || runbook.archivedAt) throw new AppError('INVALID', 'Some fields need attention.', { runbookId: ['This runbook no longer exists or is archived.'] });
      runbookVersionId = runbook.versions[0].id;
    }
    const incident = await createIncidentIn(
      tx,
      actor,
      { title: values.title, summary: values.summary, serviceId: service?.id ?? null, serviceName: service?.name ?? null, severity: values.severity, suggested, failureMode: values.failureMode ?? null, openedVia: 'manual', openedAt: new Date(), targetIds: [], acknowledged: true },
      { runbookVersionId },
    );
    return { id: incident.id, publicId: publicIdOf(incident.number) };
  });
}

// ---------------------------------------------------------------- triage

/**
 * Episodes linked to the incident get its acknowledgement as their assessment
 * (RTO's T_assess, lib/recovery/rto-parts.ts), and their parts recomputed.
 * The detector never overwrites assessedAt once an incident is linked.
 */
export async function assessLinkedEpisodes(tx: Tx, incidentId: string, acknowledgedAt: Date | null): Promise<void> {
  const episodes = await tx.disruptionEpisode.findMany({
    where: { incidentId },
    select: { id: true, startedAt: true, detectedAt: true, activatedAt: true, restoredAt: true, component: { select: { kind: true } } },
  });
  for (const e of episodes) {
    const ms = (d: Date | null) => d?.getTime() ?? null;
    const milestones = { startedAt: e.startedAt.getTime(), detectedAt: ms(e.detectedAt), assessedAt: ms(acknowledgedAt), activatedAt: ms(e.activatedAt), restoredAt: ms(e.restoredAt) };
    await tx.disruptionEpisode.update({ where: { id: e.id }, data: { assessedAt: acknowledgedAt, ...rtoParts(milestones), rtoMs: measuredRtoMs(e.component.kind, milestones) } });
  }
}

export async function acknowledgeIncident(caller: Caller, input: unknown) {
  const actor = requireActor(caller, 'incidents.write');
  const { incidentId, expectedVersion } = parseInput(acknowledgeInput, input);
  return inTransaction(async (tx) => {
    const incident = await lockIncident(tx, incidentId);
    if (incident.acknowledgedAt) {
      const by = (await tx.incident.findUniqueOrThrow({ where: { id: incidentId }, select: { acknowledgedBy: true } })).acknowledgedBy;
      throw new AppError('CONFLICT', `${by ?? 'Someone'} acknowledged this incident at ${incident.acknowledgedAt.toISOString().slice(11, 19)} UTC.`);
    }
    const now = new Date();
    const version = await updateIncident(tx, incidentId, expectedVersion, { acknowledgedAt: now, acknowledgedBy: actor.email, ...(incident.commanderId ? {} : { commanderId: actor.id }) });
    await assessLinkedEpisodes(tx, incidentId, now);
    await appendTimeline(tx, [entry(incidentId, whoOf(actor), 'acknowledged', `${actor.name} acknowledged the incident${incident.commanderId ? '' : ' and took command'} (${spoken(now.getTime() - incident.openedAt.getTime())} after it opened)`)]);
    await audit(tx, actor, incident, 'acknowledge', { after: { acknowledgedAt: now.toISOString(), commander: incident.commanderId ? undefined : actor.email } });
    return { version };
  });
}

export async function setSeverity(caller: Caller, input: unknown) {
  const actor = requireActor(caller, 'incidents.write');
  const { incidentId, expectedVersion, severity } = parseInput(setSeverityInput, input);
  return inTransaction(async (tx) => {
    const incident = await lockIncident(tx, incidentId);
    if (incident.severity === severity) throw new AppError('INVALID', `The incident is already ${severity}.`);
    const version = await updateIncident(tx, incidentId, expectedVersion, { severity });
    await appendTimeline(tx, [entry(incidentId, whoOf(actor), 'severity', `${actor.name} changed the severity from ${incident.severity} to ${severity}`, { data: { from: incident.severity, to: severity } })]);
    await audit(tx, actor, incident, 'severity', { before: { severity: incident.severity }, after: { severity } });
    return { version };
  });
}

export async function setStatus(caller: Caller, input: unknown) {
  const actor = requireActor(caller, 'incidents.write');
  const { incidentId, expectedVersion, status } = parseInput(setStatusInput, input);
  return inTransaction(async (tx) => {
    const incident = await lockIncident(tx, incidentId);
    if (incident.status === status) throw new AppError('INVALID', `The incident is already in ${STATUS_LABELS[status]}.`);
    const now = new Date();
    const data: Prisma.IncidentUpdateManyMutationInput = { status };
    if (status === 'resolved' || status === 'postmortem' || status === 'closed') {
      const current = await tx.incident.findUniqueOrThrow({ where: { id: incidentId }, select: { resolvedAt: true } });
      if (!current.resolvedAt) data.resolvedAt = now;
    }
    if (status === 'closed') data.closedAt = now;
    if (isOpen(status as IncidentStatus)) Object.assign(data, { resolvedAt: null, closedAt: null });
    const version = await updateIncident(tx, incidentId, expectedVersion, data);
    await appendTimeline(tx, [entry(incidentId, whoOf(actor), 'status', `${actor.name} moved the incident from ${STATUS_LABELS[incident.status]} to ${STATUS_LABELS[status]}`, { data: { from: incident.status, to: status } })]);
    await audit(tx, actor, incident, 'status', { before: { status: incident.status }, after: { status } });
    return { version };
  });
}

export async function assignRole(caller: Caller, input: unknown) {
  const actor = requireActor(caller, 'incidents.write');
  const { incidentId, expectedVersion, role, userId } = parseInput(assignRoleInput, input);
  return inTransaction(async (tx) => {
    const incident = await lockIncident(tx, incidentId);
    const user = userId ? await tx.user.findUnique({ where: { id: userId }, select: { name: true, email: true, disabled: true } }) : null;
    if (userId && (!user || user.disabled)) throw new AppError('INVALID', 'Some fields need attention.', { userId: ['This user does not exist or is disabled.'] });
    const before = await tx.incident.findUniqueOrThrow({ where: { id: incidentId }, select: { commanderId: true, operationsLeadId: true, communicationsLeadId: true } });
    const previous = before[role];
    if (previous === userId) throw new AppError('INVALID', user ? `${user.name} already has this role.` : 'Nobody has this role.');
    const prevUser = previous ? await tx.user.findUnique({ where: { id: previous }, select: { name: true } }) : null;
    const version = await updateIncident(tx, incidentId, expectedVersion, { [role]: userId });
    const label = ROLE_LABELS[role].toLowerCase();
    const text = user ? `${actor.name} made ${user.name} ${label}${prevUser ? ` (was ${prevUser.name})` : ''}` : `${actor.name} removed ${prevUser?.name ?? 'the'} ${label}`;
    await appendTimeline(tx, [entry(incidentId, whoOf(actor), 'role', text, { data: { role, userId } })]);
    await audit(tx, actor, incident, 'role', { before: { [label]: prevUser?.name ?? null }, after: { [label]: user?.name ?? null } });
    return { version };
  });
}

export async function editIncident(caller: Caller, input: unknown) {
  const actor = requireActor(caller, 'incidents.write');
  const { incidentId, expectedVersion, title, summary, serviceId, failureMode } = parseInput(editIncidentInput, input);
  return inTransaction(async (tx) => {
    const incident = await lockIncident(tx, incidentId);
    const before = await tx.incident.findUniqueOrThrow({ where: { id: incidentId }, select: { title: true, summary: true, serviceId: true, failureMode: true, service: { select: { name: true } } } });
    const service = serviceId ? await tx.service.findUnique({ where: { id: serviceId }, select: { name: true } }) : null;
    if (serviceId && !service) throw new AppError('INVALID', 'Some fields need attention.', { serviceId: ['This service no longer exists.'] });
    const version = await updateIncident(tx, incidentId, expectedVersion, { title, summary, serviceId: serviceId ?? null, failureMode: failureMode ?? null });
    const changed = [before.title !== title && 'title', before.summary !== summary && 'summary', (before.serviceId ?? null) !== (serviceId ?? null) && `service (${service?.name ?? 'none'})`, (before.failureMode ?? null) !== (failureMode ?? null) && `failure mode (${failureMode ? FAILURE_MODE_LABELS[failureMode] : 'none'})`].filter(Boolean);
    if (changed.length) await appendTimeline(tx, [entry(incidentId, whoOf(actor), 'edit', `${actor.name} changed the ${changed.join(', ')}`, { curated: false })]);
    await audit(tx, actor, incident, 'edit', { before: { title: before.title, summary: before.summary, service: before.service?.name ?? null, failureMode: before.failureMode }, after: { title, summary, service: service?.name ?? null, failureMode: failureMode ?? null } });
    return { version };
  });
}

// ---------------------------------------------------------------- the timeline

export async function addNote(caller: Caller, input: unknown) {
  if (!caller) throw new AppError('UNAUTHENTICATED', 'Your session has ended. Sign in again.');
  if (!canAddNote(caller.role)) throw new AppError('FORBIDDEN', `Your role (${caller.role}) does not allow this. Notes need 'incidents.write' or 'failover.write'.`);
  const { incidentId, text, at } = parseInput(addNoteInput, input);
  return inTransaction(async (tx) => {
    const incident = await tx.incident.findUnique({ where: { id: incidentId }, select: { id: true, number: true } });
    if (!incident) throw new AppError('NOT_FOUND', 'This incident no longer exists.');
    await appendTimeline(tx, [entry(incidentId, whoOf(caller), 'note', text, { at: at ?? new Date(), curated: true, data: at ? { writtenAt: new Date().toISOString() } : {} })]);
    await audit(tx, caller, incident, 'note', { after: { text: text.slice(0, 200), ...(at ? { at: at.toISOString() } : {}) } });
    return { ok: true };
  });
}

/** Sets an entry's time to when it really happened; the time it had is kept, with who corrected it and why. */
export async function correctTime(caller: Caller, input: unknown) {
  const actor = requireActor(caller, 'incidents.write');
  const { eventId, at, reason } = parseInput(correctTimeInput, input);
  return inTransaction(async (tx) => {
    const event = await tx.timelineEvent.findUnique({ where: { id: eventId }, select: { id: true, at: true, originalAt: true, text: true, incident: { select: { id: true, number: true } } } });
    if (!event) throw new AppError('NOT_FOUND', 'This timeline entry no longer exists.');
    await tx.timelineEvent.update({ where: { id: eventId }, data: { at, originalAt: event.originalAt ?? event.at, correctedAt: new Date(), correctedBy: actor.email, correctionReason: reason } });
    await audit(tx, actor, event.incident, 'timeline_correct', { before: { at: event.at.toISOString(), entry: event.text.slice(0, 120) }, after: { at: at.toISOString() }, reason });
    return { ok: true };
  });
}

export async function setCurated(caller: Caller, input: unknown) {
  const actor = requireActor(caller, 'incidents.write');
  const { eventId, curated } = parseInput(setCuratedInput, input);
  return inTransaction(async (tx) => {
    const event = await tx.timelineEvent.findUnique({ where: { id: eventId }, select: { text: true, incident: { select: { id: true, number: true } } } });
    if (!event) throw new AppError('NOT_FOUND', 'This timeline entry no longer exists.');
    await tx.timelineEvent.update({ where: { id: eventId }, data: { curated } });
    await audit(tx, actor, event.incident, curated ? 'timeline_curate' : 'timeline_uncurate', { after: { entry: event.text.slice(0, 120) } });
    return { ok: true };
  });
}

export async function attachRunbook(caller: Caller, input: unknown) {
  const actor = requireActor(caller, 'incidents.write');
  const { incidentId, runbookId } = parseInput(attachRunbookInput, input);
  return inTransaction(async (tx) => {
    const incident = await lockIncident(tx, incidentId);
    const runbook = await tx.runbook.findUnique({ where: { id: runbookId }, select: { name: true, archivedAt: true, versions: { orderBy: { number: 'desc' }, take: 1, select: { id: true, number: true } } } });
    if (!runbook || runbook.archivedAt) throw new AppError('INVALID', 'Some fields need attention.', { runbookId: ['This runbook no longer exists or is archived.'] });
    const { created } = await attachIn(tx, incidentId, runbook.versions[0].id, whoOf(actor), 'chosen by the commander');
    if (!created) throw new AppError('INVALID', `Version ${runbook.versions[0].number} of "${runbook.name}" is already attached to this incident.`);
    await audit(tx, actor, incident, 'runbook_attach', { after: { runbook: runbook.name, version: runbook.versions[0].number } });
    return { ok: true };
  });
}

// ---------------------------------------------------------------- steps

const RUN_SELECT = {
  id: true, status: true, version: true, startedAt: true, startedBy: true, finishedAt: true, finishedBy: true, incidentId: true, incidentRunbookId: true,
  step: { select: { id: true, key: true, position: true, kind: true, title: true, params: true } },
  incidentRunbook: { select: { runbookVersion: { select: { name: true, number: true } } } },
  incident: { select: { id: true, number: true } },
} as const;

type LoadedRun = Prisma.StepRunGetPayload<{ select: typeof RUN_SELECT }>;

async function loadRun(client: Pick<Tx, 'stepRun'>, stepRunId: string): Promise<LoadedRun> {
  const run = await client.stepRun.findUnique({ where: { id: stepRunId }, select: RUN_SELECT });
  if (!run) throw new AppError('NOT_FOUND', 'This step no longer exists.');
  return run;
}

const stepName = (run: LoadedRun) => `step ${run.step.position} "${run.step.title}" of ${run.incidentRunbook.runbookVersion.name}`;

/** What the action's own mutation is told why: the incident, the step and the commander's reason, within the 500 characters those mutations take (a long step title and runbook name are shortened, never the reason). */
function actionReason(publicId: string, step: string, reason: string, max = 500): string {
  const full = `${publicId}, ${step}: ${reason}`;
  if (full.length <= max) return full;
  const room = max - publicId.length - reason.length - 5;
  return `${publicId}, ${step.slice(0, Math.max(room, 0))}…: ${reason}`.slice(0, max);
}

function assertOpenStep(run: LoadedRun, expectedVersion: number) {
  if (run.status === 'done' || run.status === 'skipped') {
    throw new AppError('CONFLICT', `This step was already ${run.status === 'done' ? 'done' : 'skipped'} by ${run.finishedBy ?? 'someone'}${run.finishedAt ? ` at ${run.finishedAt.toISOString().slice(11, 19)} UTC` : ''}.`);
  }
  if (run.version !== expectedVersion) throw new AppError('CONFLICT', `Someone else acted on ${stepName(run)} a moment ago (it is now ${run.status}). Review it and try again.`);
}

/** Moves a step run on if it is still at `expectedVersion`. */
async function updateRun(tx: Tx, run: LoadedRun, expectedVersion: number, data: Prisma.StepRunUpdateManyMutationInput) {
  const { count } = await tx.stepRun.updateMany({ where: { id: run.id, version: expectedVersion }, data: { ...data, version: { increment: 1 } } });
  if (count === 0) {
    const now = await loadRun(tx, run.id);
    assertOpenStep(now, expectedVersion);
  }
}

export async function startStep(caller: Caller, input: unknown) {
  const actor = requireActor(caller, 'incidents.write');
  const { stepRunId, expectedVersion } = parseInput(startStepInput, input);
  return inTransaction(async (tx) => {
    const run = await loadRun(tx, stepRunId);
    assertOpenStep(run, expectedVersion);
    if (run.status !== 'pending' && run.status !== 'failed') throw new AppError('INVALID', `${stepName(run)} is already ${run.status}.`);
    await updateRun(tx, run, expectedVersion, { status: 'running', startedAt: new Date(), startedBy: actor.email });
    await appendTimeline(tx, [entry(run.incidentId, whoOf(actor), 'step', `${actor.name} started ${stepName(run)}`, { curated: false, data: { stepRunId } })]);
    await audit(tx, actor, run.incident, 'step_start', { after: { step: run.step.title } });
    return { ok: true };
  });
}

const OUTCOME_WORDS = { done: 'finished', failed: 'marked as failed', skipped: 'skipped' } as const;

/** Done, failed or skipped by hand: an instruction carried out, a check judged by a person, an action taken elsewhere. */
export async function finishStep(caller: Caller, input: unknown) {
  const actor = requireActor(caller, 'incidents.write');
  const { stepRunId, expectedVersion, outcome, note } = parseInput(finishStepInput, input);
  return inTransaction(async (tx) => {
    const run = await loadRun(tx, stepRunId);
    assertOpenStep(run, expectedVersion);
    const now = new Date();
    const startedAt = run.startedAt ?? now;
    await updateRun(tx, run, expectedVersion, {
      status: outcome, startedAt, startedBy: run.startedBy ?? actor.email, finishedAt: now, finishedBy: actor.email,
      result: { byHand: true, ...(note ? { note } : {}) },
    });
    const took = run.startedAt ? ` (${spoken(now.getTime() - run.startedAt.getTime())} after it was started)` : '';
    await appendTimeline(tx, [entry(run.incidentId, whoOf(actor), 'step', `${actor.name} ${OUTCOME_WORDS[outcome]} ${stepName(run)}${took}${note ? `: ${note}` : ''}`, { data: { stepRunId, outcome } })]);
    await audit(tx, actor, run.incident, 'step_finish', { after: { step: run.step.title, outcome, ...(note ? { note } : {}) } });
    return { ok: true };
  });
}

type ActionOutcome = { summary: string; data: Record<string, unknown> };

/** Runs a step's action through the same mutation its page uses; that mutation checks the permission again and audits. */
async function performAction(caller: SessionUser, values: RunActionValues, reason: string, incidentId: string): Promise<ActionOutcome> {
  switch (values.action) {
    case 'force_failover':
    case 'pin':
    case 'drain':
    case 'return_to_automatic': {
      const kind = values.action === 'return_to_automatic' ? 'clear' : values.action;
      const result = await steer(caller, {
        serviceId: values.serviceId, expectedRoutingVersion: values.expectedRoutingVersion, kind, reason,
        targetId: 'targetId' in values ? values.targetId : undefined, expiresInMinutes: 'expiresInMinutes' in values ? values.expiresInMinutes : undefined,
      });
      return {
        summary: `${result.serviceName}: ${describeMode(result.after)}${result.after.serving ? `, serving ${result.after.serving.name}` : ', nothing serves'}`,
        data: { serviceName: result.serviceName, overrideId: result.overrideId, serving: result.after.serving?.name ?? null, auditAction: `routing.${kind}` },
      };
    }
    case 'tier_override': {
      const result = await setTierOverride(caller, { serviceId: values.serviceId, expectedVersion: values.expectedVersion, tier: values.tier, reason, expiresInMinutes: values.expiresInMinutes });
      return { summary: `${result.serviceName} held in ${TIER_LABELS[result.tier]}${result.expiresAt ? ` until ${result.expiresAt.slice(11, 16)} UTC` : ' until cleared'}`, data: { serviceName: result.serviceName, tier: result.tier, auditAction: 'degradation.override' } };
    }
    case 'clear_tier_override': {
      const result = await clearTierOverride(caller, { serviceId: values.serviceId, expectedVersion: values.expectedVersion, reason });
      return { summary: `${result.serviceName} back to its automatic tier (${TIER_LABELS[result.tier]})`, data: { serviceName: result.serviceName, tier: result.tier, auditAction: 'degradation.override_clear' } };
    }
    case 'retire_model': {
      const result = await retireModel(caller, { targetId: values.targetId, model: values.model, substituteTargetId: values.substituteTargetId, reason }, { incidentId });
      return { summary: result.summary, data: { retirementId: result.retirementId, services: result.services, auditAction: 'routing.retire_model' } };
    }
    case 'apply_config_version': {
      const result = await applySavedConfigVersion(caller, values.versionId, reason);
      return { summary: result.summary, data: { versionId: values.versionId, auditAction: 'config.apply_version' } };
    }
  }
}

/**
 * An action step: the commander confirms the step's action (with the values
 * and versions its preview showed, and a reason); it runs through the same
 * mutation as on its page, then the step is done with what it did. A refusal
 * (a stale preview, an invalid choice) leaves the step as it was and goes on
 * the timeline, so the next person sees what was tried.
 */
export async function runActionStep(caller: Caller, input: unknown) {
  const { stepRunId, expectedVersion, values, reason } = parseInput(runActionStepInput, input);
  if (!caller) throw new AppError('UNAUTHENTICATED', 'Your session has ended. Sign in again.');
  if (!canRunActionStep(caller.role, values.action)) {
    requirePermission(caller, permissionForAction(values.action));
    throw new AppError('FORBIDDEN', `Your role (${caller.role}) cannot run an incident's steps.`);
  }
  const run = await loadRun(db(), stepRunId);
  if (run.step.kind !== 'action') throw new AppError('INVALID', `${stepName(run)} is ${STEP_KIND_LABELS[run.step.kind].toLowerCase()}, not an action.`);
  const params = readStepParams('action', run.step.params);
  if ('error' in params) throw new AppError('INVALID', `This step's parameters cannot be read (${params.error}). Edit the runbook.`);
  if (params.kind !== 'action' || params.params.action !== values.action) throw new AppError('INVALID', `This step runs "${params.kind === 'action' ? STEP_ACTION_LABELS[params.params.action] : '?'}", not "${STEP_ACTION_LABELS[values.action]}".`);
  assertOpenStep(run, expectedVersion);

  const publicId = publicIdOf(run.incident.number);
  const began = Date.now();
  let outcome: ActionOutcome;
  try {
    outcome = await performAction(caller, values, actionReason(publicId, stepName(run), reason), run.incidentId);
  } catch (error) {
    if (error instanceof AppError && error.code !== 'FORBIDDEN' && error.code !== 'UNAUTHENTICATED') {
      await appendTimeline(db(), [entry(run.incidentId, whoOf(caller), 'step', `${caller.name} tried ${stepName(run)}: refused: ${error.message}`, { curated: false, data: { stepRunId, refused: error.code } })]).catch(() => {});
    }
    throw error;
  }
  const finished = new Date();
  await inTransaction(async (tx) => {
    const { count } = await tx.stepRun.updateMany({
      where: { id: stepRunId, version: expectedVersion },
      data: {
        status: 'done', startedAt: run.startedAt ?? new Date(began), startedBy: run.startedBy ?? caller.email, finishedAt: finished, finishedBy: caller.email,
        result: { action: values.action, summary: outcome.summary, reason, ...outcome.data } as Prisma.InputJsonValue, version: { increment: 1 },
      },
    });
    await appendTimeline(tx, [
      entry(run.incidentId, whoOf(caller), 'step', `${caller.name} ran ${stepName(run)}: ${outcome.summary} (took ${spoken(finished.getTime() - began)})`, {
        at: new Date(began),
        data: { stepRunId, action: values.action, ...outcome.data, ...(count === 0 ? { stepChangedMeanwhile: true } : {}) },
      }),
    ]);
    await audit(tx, caller, run.incident, 'step_action', { after: { step: run.step.title, action: values.action, summary: outcome.summary }, reason });
  });
  return { summary: outcome.summary };
}

/**
 * A drill incident's notifications go to its plan's drill channel or nowhere
 * (issue 14): a rehearsal must never page the people a real outage would.
 */
async function assertDrillChannel(tx: Tx, incidentId: string, webhookId: string): Promise<void> {
  const incident = await tx.incident.findUnique({ where: { id: incidentId }, select: { isDrill: true, drillRuns: { take: 1, select: { plan: { select: { drillWebhookId: true, drillWebhook: { select: { name: true } } } } } } } });
  if (!incident?.isDrill) return;
  const channel = incident.drillRuns[0]?.plan;
  if (!channel?.drillWebhookId) throw new AppError('INVALID', 'This is a drill and its plan names no drill channel, so its notifications go nowhere: mark the step done by hand once you have rehearsed what you would send.', { webhookId: ['A drill sends nothing without a drill channel.'] });
  if (channel.drillWebhookId !== webhookId) throw new AppError('INVALID', `This is a drill: its notifications go only to its drill channel, ${channel.drillWebhook?.name ?? 'the one its plan names'}.`, { webhookId: ['Only the drill channel.'] });
}

/** A notify step: the message is queued for the leader's delivery loop (deliveries.ts), never sent on the request path. */
export async function runNotifyStep(caller: Caller, input: unknown) {
  const actor = requireActor(caller, 'incidents.write');
  const { stepRunId, expectedVersion, webhookId, message } = parseInput(runNotifyStepInput, input);
  return inTransaction(async (tx) => {
    const run = await loadRun(tx, stepRunId);
    if (run.step.kind !== 'notify') throw new AppError('INVALID', `${stepName(run)} is not a notification.`);
    assertOpenStep(run, expectedVersion);
    const webhook = await tx.notificationWebhook.findUnique({ where: { id: webhookId }, select: { id: true, name: true, disabledAt: true } });
    if (!webhook || webhook.disabledAt) throw new AppError('INVALID', 'Some fields need attention.', { webhookId: ['This webhook no longer exists or is disabled.'] });
    await assertDrillChannel(tx, run.incidentId, webhook.id);
    const context = await loadIncidentContext(tx, run.incidentId);
    const text = renderMessage(message, context!);
    const now = new Date();
    const delivery = await tx.notificationDelivery.create({ data: { webhookId, incidentId: run.incidentId, stepRunId, text, createdBy: actor.email }, select: { id: true } });
    await updateRun(tx, run, expectedVersion, { status: 'running', startedAt: run.startedAt ?? now, startedBy: run.startedBy ?? actor.email, result: { deliveryId: delivery.id, webhook: webhook.name } });
    await appendTimeline(tx, [entry(run.incidentId, whoOf(actor), 'notification', `${actor.name} sent ${stepName(run)} to ${webhook.name}: "${text.slice(0, 300)}"`, { curated: true, data: { deliveryId: delivery.id, webhook: webhook.name } })]);
    await audit(tx, actor, run.incident, 'notify', { after: { webhook: webhook.name, text: text.slice(0, 300) } });
    return { deliveryId: delivery.id };
  });
}

/** A decision: the choice is recorded and carried out in one transaction (severity, another runbook, steps left out). */
export async function chooseDecision(caller: Caller, input: unknown) {
  const actor = requireActor(caller, 'incidents.write');
  const { stepRunId, expectedVersion, option } = parseInput(chooseDecisionInput, input);
  return inTransaction(async (tx) => {
    const probe = await loadRun(tx, stepRunId);
    const incident = await lockIncident(tx, probe.incidentId);
    const run = await loadRun(tx, stepRunId);
    if (run.step.kind !== 'decision') throw new AppError('INVALID', `${stepName(run)} is not a decision.`);
    assertOpenStep(run, expectedVersion);
    const params = readStepParams('decision', run.step.params);
    if ('error' in params) throw new AppError('INVALID', `This decision cannot be read (${params.error}). Edit the runbook.`);
    const choice = (params.params as DecisionParams).options[option];
    if (!choice) throw new AppError('INVALID', 'Some fields need attention.', { option: ['Choose one of the options.'] });
    const who = whoOf(actor);
    const effects: string[] = [];
    const now = new Date();
    if (choice.setSeverity && choice.setSeverity !== incident.severity) {
      await tx.incident.update({ where: { id: incident.id }, data: { severity: choice.setSeverity, version: { increment: 1 } } });
      await appendTimeline(tx, [entry(incident.id, who, 'severity', `${actor.name} changed the severity from ${incident.severity} to ${choice.setSeverity} (decision "${choice.label}")`, { data: { from: incident.severity, to: choice.setSeverity } })]);
      effects.push(`severity ${choice.setSeverity}`);
    }
    if (choice.attachRunbookId) {
      const runbook = await tx.runbook.findUnique({ where: { id: choice.attachRunbookId }, select: { name: true, archivedAt: true, versions: { orderBy: { number: 'desc' }, take: 1, select: { id: true } } } });
      if (runbook && !runbook.archivedAt) {
        const { created } = await attachIn(tx, incident.id, runbook.versions[0].id, who, `decision "${choice.label}" at ${stepName(run)}`);
        if (created) effects.push(`attached "${runbook.name}"`);
      } else effects.push('the runbook it names is gone or archived: nothing attached');
    }
    if (choice.skipStepKeys.length) {
      const skipped = await tx.stepRun.findMany({ where: { incidentRunbookId: run.incidentRunbookId, status: 'pending', step: { key: { in: choice.skipStepKeys } } }, select: { id: true, step: { select: { title: true } } } });
      await tx.stepRun.updateMany({ where: { id: { in: skipped.map((s) => s.id) } }, data: { status: 'skipped', finishedAt: now, finishedBy: actor.email, result: { skippedBy: `decision "${choice.label}"` }, version: { increment: 1 } } });
      if (skipped.length) effects.push(`skipped ${skipped.map((s) => `"${s.step.title}"`).join(', ')}`);
    }
    await updateRun(tx, run, expectedVersion, { status: 'done', startedAt: run.startedAt ?? now, startedBy: run.startedBy ?? actor.email, finishedAt: now, finishedBy: actor.email, result: { option, label: choice.label, effects } });
    await appendTimeline(tx, [entry(incident.id, who, 'step', `${actor.name} decided "${choice.label}" at ${stepName(run)}${effects.length ? `: ${effects.join('; ')}` : ''}`, { data: { stepRunId, option } })]);
    await audit(tx, actor, incident, 'decision', { after: { step: run.step.title, choice: choice.label, effects } });
    return { effects };
  });
}

// ---------------------------------------------------------------- post-mortem

export async function savePostmortem(caller: Caller, input: unknown) {
  const actor = requireActor(caller, 'incidents.write');
  const { incidentId, expectedVersion, publish, ...sections } = parseInput(savePostmortemInput, input);
  return inTransaction(async (tx) => {
    const incident = await lockIncident(tx, incidentId);
    const existing = await tx.postmortem.findUnique({ where: { incidentId }, select: { version: true, updatedBy: true, publishedAt: true } });
    const now = new Date();
    if ((existing?.version ?? 0) !== expectedVersion) {
      throw new AppError('CONFLICT', `${existing?.updatedBy ?? 'Someone'} saved the post-mortem while you were writing. Copy your text, reload to see theirs, then add yours.`);
    }
    const publishedAt = publish ? (existing?.publishedAt ?? now) : existing?.publishedAt ?? null;
    if (existing) {
      const { count } = await tx.postmortem.updateMany({ where: { incidentId, version: expectedVersion }, data: { ...sections, updatedBy: actor.email, updatedAt: now, publishedAt, version: { increment: 1 } } });
      if (count === 0) throw new AppError('CONFLICT', 'Someone saved the post-mortem while you were writing. Copy your text, reload to see theirs, then add yours.');
    } else {
      await tx.postmortem.create({ data: { incidentId, ...sections, updatedBy: actor.email, updatedAt: now, publishedAt } });
    }
    const published = publish && !existing?.publishedAt;
    await appendTimeline(tx, [entry(incidentId, whoOf(actor), 'postmortem', `${actor.name} ${published ? 'published' : existing ? 'edited' : 'started'} the post-mortem`, { curated: published })]);
    await audit(tx, actor, incident, published ? 'postmortem_publish' : 'postmortem_edit', { after: { sections: Object.entries(sections).filter(([, v]) => v).map(([k]) => k) } });
    return { version: expectedVersion + 1, published };
  });
}

export async function addFollowUp(caller: Caller, input: unknown) {
  const actor = requireActor(caller, 'incidents.write');
  const { incidentId, title, ownerId, dueOn } = parseInput(addFollowUpInput, input);
  return inTransaction(async (tx) => {
    const incident = await tx.incident.findUnique({ where: { id: incidentId }, select: { id: true, number: true } });
    if (!incident) throw new AppError('NOT_FOUND', 'This incident no longer exists.');
    const owner = ownerId ? await tx.user.findUnique({ where: { id: ownerId }, select: { name: true, disabled: true } }) : null;
    if (ownerId && (!owner || owner.disabled)) throw new AppError('INVALID', 'Some fields need attention.', { ownerId: ['This user does not exist or is disabled.'] });
    const followUp = await tx.followUp.create({ data: { incidentId, title, ownerId: ownerId ?? null, dueOn: dueOn ?? null, createdBy: actor.email }, select: { id: true } });
    const due = dueOn ? `, due ${dueOn.toISOString().slice(0, 10)}` : '';
    await appendTimeline(tx, [entry(incidentId, whoOf(actor), 'followup', `${actor.name} added a follow-up: ${title}${owner ? ` (${owner.name}${due})` : due}`)]);
    await audit(tx, actor, incident, 'followup_add', { after: { title, owner: owner?.name ?? null, dueOn: dueOn?.toISOString().slice(0, 10) ?? null } });
    return { id: followUp.id };
  });
}

export async function setFollowUpDone(caller: Caller, input: unknown) {
  const actor = requireActor(caller, 'incidents.write');
  const { followUpId, expectedVersion, done } = parseInput(setFollowUpDoneInput, input);
  return inTransaction(async (tx) => {
    const followUp = await tx.followUp.findUnique({ where: { id: followUpId }, select: { title: true, incident: { select: { id: true, number: true } } } });
    if (!followUp) throw new AppError('NOT_FOUND', 'This follow-up no longer exists.');
    const { count } = await tx.followUp.updateMany({
      where: { id: followUpId, version: expectedVersion },
      data: done ? { status: 'done', doneAt: new Date(), doneBy: actor.email, version: { increment: 1 } } : { status: 'open', doneAt: null, doneBy: null, version: { increment: 1 } },
    });
    if (count === 0) throw new AppError('CONFLICT', 'Someone else changed this follow-up a moment ago. Reload and try again.');
    await appendTimeline(tx, [entry(followUp.incident.id, whoOf(actor), 'followup', `${actor.name} ${done ? 'completed' : 'reopened'} the follow-up: ${followUp.title}`)]);
    await audit(tx, actor, followUp.incident, done ? 'followup_done' : 'followup_reopen', { after: { title: followUp.title } });
    return { ok: true };
  });
}

/** The system actor for writes Standby makes itself (the auto-open rules, checks, deliveries). */
export const SYSTEM = SYSTEM_ACTOR;
export const canWrite = (caller: SessionUser | null) => hasPermission(caller?.role, 'incidents.write');
