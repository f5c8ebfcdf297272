import 'server-only';
// The demo estate's incidents and runbooks: the standard runbook library, a
// "#incidents" webhook delivered to the demo's own receiver, and two past
// incidents told from the recovery history's episodes (seed-recovery.ts): the
// shared-fate outage of OpenAI and Azure with a published post-mortem, and a
// model quality regression whose post-mortem is a draft. Loaded once; every
// figure is illustrative, and the post-mortem's impact is computed from the
// episodes as for any incident.
import { recordAudit } from '@/lib/audit/record';
import { assessLinkedEpisodes } from '@/lib/incidents/mutations';
import { installLibraryIn, webhookHint } from '@/lib/runbooks/mutations';
import { SYSTEM_ACTOR } from '@/lib/server/auth';
import { encryptSecret } from '@/lib/server/crypto';
import { db, type Prisma, type Tx } from '@/lib/server/db';
import { DAY, HOUR, MINUTE, SECOND, routingComponentName } from '@/lib/recovery/model';
import { demoWebhookUrl } from '@/lib/simulator/upstreams';

const WEBHOOK = '#incidents';
const SHARED_FATE = 'support-bot: OpenAI and Azure OpenAI both failing';
const QUALITY = 'support-bot answers in the wrong language';

type StepPlan = { status: 'done' | 'skipped' | 'pending'; start: number; end: number; by: string; result?: Record<string, unknown> };

async function user(tx: Tx, email: string) {
  return tx.user.findUniqueOrThrow({ where: { email }, select: { id: true, name: true, email: true } });
}

/** Attaches the current version of a library runbook with each step's run as it happened. */
async function followed(tx: Tx, incidentId: string, runbookName: string, at: number, by: string, plans: Record<string, StepPlan>) {
  const version = await tx.runbookVersion.findFirstOrThrow({ where: { runbook: { name: runbookName } }, orderBy: { number: 'desc' }, select: { id: true, steps: { select: { id: true, key: true } } } });
  const attached = await tx.incidentRunbook.create({ data: { incidentId, runbookVersionId: version.id, attachedBy: by, reason: 'chosen when the incident was opened', attachedAt: new Date(at) }, select: { id: true } });
  await tx.stepRun.createMany({
    data: version.steps.map((s) => {
      const p = plans[s.key];
      if (!p || p.status === 'pending') return { incidentId, incidentRunbookId: attached.id, stepId: s.id };
      return {
        incidentId, incidentRunbookId: attached.id, stepId: s.id, status: p.status, startedAt: new Date(p.start), startedBy: p.by, finishedAt: new Date(p.end), finishedBy: p.by,
        result: (p.result ?? {}) as Prisma.InputJsonValue, version: 3,
      };
    }),
  });
}

type Entry = [offsetMs: number, kind: string, actor: string, text: string, curated?: boolean];

async function timeline(tx: Tx, incidentId: string, t0: number, names: Record<string, string>, entries: Entry[]) {
  await tx.timelineEvent.createMany({
    data: entries.map(([offset, kind, actor, text, curated]) => ({
      incidentId, at: new Date(t0 + offset), recordedAt: new Date(t0 + offset + 800), kind, actor, text, curated: curated ?? true,
      data: { actorName: names[actor] ?? (actor === 'standby' ? 'Standby' : actor) },
    })),
  });
}

/** The recovery history's support-bot provider outage (prisma/seed-recovery.ts), which the shared-fate incident is about. */
const sharedFateEpisode = (tx: Tx) =>
  tx.disruptionEpisode.findFirst({ where: { component: { name: routingComponentName('support-bot') }, disruption: 'provider_outage', failedRequests: { gt: 0 } }, orderBy: { startedAt: 'asc' }, select: { id: true, startedAt: true, component: { select: { serviceId: true } } } });

async function sharedFate(tx: Tx, now: number) {
  const episode = await sharedFateEpisode(tx);
  if (!episode) return;
  const t0 = episode.startedAt.getTime();
  const cora = await user(tx, 'commander@standby.demo');
  const oscar = await user(tx, 'operator@standby.demo');
  const ada = await user(tx, 'admin@standby.demo');
  const service = await tx.service.findUniqueOrThrow({ where: { name: 'support-bot' }, select: { id: true, sloTarget: true } });
  const at = (ms: number) => new Date(t0 + ms);
  const incident = await tx.incident.create({
    data: {
      title: SHARED_FATE, serviceId: service.id, failureMode: 'provider_outage', severity: 'P1', suggestedSeverity: 'P1',
      severityReasons: ['support-bot: 23% of 322 requests failed in the last 5 min'], status: 'closed', openedVia: 'manual', openedBy: cora.email,
      openedAt: at(36 * SECOND), acknowledgedAt: at(36 * SECOND), acknowledgedBy: cora.email, resolvedAt: at(16 * MINUTE), closedAt: at(DAY + 2 * HOUR),
      commanderId: cora.id, operationsLeadId: oscar.id, communicationsLeadId: ada.id,
      summary: 'OpenAI us-east and Azure OpenAI eu-west failed together; support-bot callers got errors until traffic was forced to Anthropic.',
    },
    select: { id: true, number: true },
  });
  await tx.disruptionEpisode.updateMany({ where: { startedAt: { gte: at(-5 * MINUTE), lte: at(5 * MINUTE) }, incidentId: null }, data: { incidentId: incident.id } });
  await assessLinkedEpisodes(tx, incident.id, at(36 * SECOND));
  const by = cora.email;
  await followed(tx, incident.id, 'Provider outage', 37 * SECOND + t0, by, {
    confirm: { status: 'done', start: t0 + 37 * SECOND, end: t0 + 37.5 * SECOND, by },
    scope: { status: 'done', start: t0 + 37.5 * SECOND, end: t0 + 38 * SECOND, by, result: { option: 0, label: 'The whole provider', effects: [] } },
    flip: { status: 'done', start: t0 + 38 * SECOND, end: t0 + 41 * SECOND, by, result: { action: 'force_failover', summary: 'support-bot: Forced failover away from azure-gpt-4o-eu-west, serving anthropic-sonnet-us-west' } },
    'callers-ok': { status: 'done', start: t0 + 41 * SECOND, end: t0 + 2 * MINUTE + 45 * SECOND, by: 'standby', result: { met: '0.2% of 412 requests failed in the last 2 min' } },
    announce: { status: 'done', start: t0 + 39 * SECOND, end: t0 + 40 * SECOND, by, result: { webhook: WEBHOOK, attempts: 1 } },
    provider: { status: 'done', start: t0 + 45 * SECOND, end: t0 + 6 * MINUTE, by: oscar.email },
    'primary-back': { status: 'done', start: t0 + 6 * MINUTE, end: t0 + 9 * MINUTE + 30 * SECOND, by: 'standby', result: { met: 'closed for 5 min 0 s' } },
    return: { status: 'done', start: t0 + 9 * MINUTE + 40 * SECOND, end: t0 + 9 * MINUTE + 42 * SECOND, by, result: { action: 'return_to_automatic', summary: 'support-bot: Automatic, serving openai-gpt-4o-us-east' } },
    holds: { status: 'done', start: t0 + 9 * MINUTE + 42 * SECOND, end: t0 + 14 * MINUTE + 45 * SECOND, by: 'standby', result: { met: '0.0% of 655 requests failed in the last 5 min' } },
    'all-clear': { status: 'done', start: t0 + 15 * MINUTE, end: t0 + 15 * MINUTE + 1 * SECOND, by, result: { webhook: WEBHOOK, attempts: 1 } },
  });
  const names = { [cora.email]: cora.name, [oscar.email]: oscar.name, [ada.email]: ada.name };
  const id = `INC-${incident.number}`;
  await timeline(tx, incident.id, t0, names, [
    [0, 'episode', 'standby', 'Disruption began on support-bot routing (provider outage): the first failed request'],
    [610, 'breaker', 'standby', 'Breaker of openai-gpt-4o-us-east opened (5 failures in a row (threshold 5))'],
    [2_300, 'breaker', 'standby', 'Breaker of azure-gpt-4o-eu-west opened (5 failures in a row (threshold 5))'],
    [2_300, 'episode', 'standby', 'Disruption on support-bot routing (provider outage) detected', false],
    [17_000, 'breaker', 'standby', 'Breaker of openai-gpt-4o-us-east is half-open: trying the target again', false],
    [17_400, 'breaker', 'standby', 'Breaker of openai-gpt-4o-us-east opened (a trial request failed)', false],
    [30_000, 'alert', 'standby', 'Burn-rate alert page-5m (page) fired on support-bot: budget burning 231x over the long window, 240x over the short one'],
    [36 * SECOND, 'opened', cora.email, `${cora.name} opened ${id} (P1): ${SHARED_FATE}`],
    [37 * SECOND, 'runbook', cora.email, `${cora.name} attached runbook "Provider outage" (version 1, 10 steps): chosen when the incident was opened`, false],
    [37.5 * SECOND, 'step', cora.email, `${cora.name} finished step 1 "Confirm it is the provider, not us" of Provider outage`, false],
    [38 * SECOND, 'step', cora.email, `${cora.name} decided "The whole provider" at step 2 "How far does it reach?" of Provider outage`],
    [38.2 * SECOND, 'role', cora.email, `${cora.name} made ${oscar.name} operations lead`, false],
    [38.4 * SECOND, 'role', cora.email, `${cora.name} made ${ada.name} communications`, false],
    [38 * SECOND, 'step', cora.email, `${cora.name} ran step 3 "Force failover off the failing primary" of Provider outage: support-bot: Forced failover away from azure-gpt-4o-eu-west, serving anthropic-sonnet-us-west (took 2.9 s)`],
    [39 * SECOND, 'status', cora.email, `${cora.name} moved the incident from Triage to Mitigating`],
    [39.5 * SECOND, 'notification', cora.email, `${cora.name} sent step 5 "Tell #incidents" of Provider outage to ${WEBHOOK}: "${id} P1: ${SHARED_FATE}. support-bot is being moved off its primary. Commander: ${cora.name}."`],
    [40 * SECOND, 'notification', 'standby', `Delivered to ${WEBHOOK} (412 ms after it was sent)`, false],
    [41 * SECOND, 'episode', 'standby', 'support-bot routing: callers answered again (activation)'],
    [2 * MINUTE, 'note', oscar.email, 'Azure status page: "Elevated error rates for GPT-4o in West Europe". OpenAI status: investigating. Same upstream capacity, by the look of it.'],
    [2 * MINUTE + 45 * SECOND, 'step', 'standby', 'Check "Callers answered again" met: support-bot error rate under 1% for 2 min (0.2% of 412 requests failed in the last 2 min; watched for 2 min 4 s)'],
    [4 * MINUTE + 30 * SECOND, 'breaker', 'standby', 'Breaker of openai-gpt-4o-us-east closed (3 successes in half-open (threshold 3))'],
    [4 * MINUTE + 32 * SECOND, 'breaker', 'standby', 'Breaker of azure-gpt-4o-eu-west closed (3 successes in half-open (threshold 3))'],
    [4 * MINUTE + 30.4 * SECOND, 'episode', 'standby', 'support-bot routing: restored (74 requests failed during the disruption)'],
    [5 * MINUTE, 'status', cora.email, `${cora.name} moved the incident from Mitigating to Recovering`],
    [9 * MINUTE + 30 * SECOND, 'step', 'standby', 'Check "The primary has been healthy for 5 minutes" met: breaker of openai-gpt-4o-us-east closed for 5 min (closed for 5 min 0 s; watched for 3 min 30 s)'],
    [9 * MINUTE + 40 * SECOND, 'step', cora.email, `${cora.name} ran step 8 "Return the service to automatic routing" of Provider outage: support-bot: Automatic, serving openai-gpt-4o-us-east (took 1.8 s)`],
    [9 * MINUTE + 41 * SECOND, 'override', cora.email, `${cora.email} ended the forced failover of support-bot`],
    [14 * MINUTE + 45 * SECOND, 'step', 'standby', 'Check "Error rate stays under 1% for 5 minutes" met: support-bot error rate under 1% for 5 min (0.0% of 655 requests failed in the last 5 min; watched for 5 min 3 s)'],
    [15 * MINUTE + 1 * SECOND, 'notification', 'standby', `Delivered to ${WEBHOOK} (390 ms after it was sent)`, false],
    [16 * MINUTE, 'status', cora.email, `${cora.name} moved the incident from Recovering to Resolved`],
    [DAY + 90 * MINUTE, 'postmortem', cora.email, `${cora.name} published the post-mortem`],
    [DAY + 2 * HOUR, 'status', cora.email, `${cora.name} moved the incident from Resolved to Closed`],
  ]);
  await tx.postmortem.create({
    data: {
      incidentId: incident.id, updatedBy: cora.email, updatedAt: at(DAY + 90 * MINUTE), publishedAt: at(DAY + 90 * MINUTE), version: 3,
      summary: 'For 41 seconds, support-bot\'s callers got errors (74 requests): OpenAI us-east and Azure OpenAI eu-west, its first two targets, failed together. Traffic returned to normal once the commander forced failover to Anthropic; both providers recovered four and a half minutes after the start.',
      rootCause: 'OpenAI and Azure OpenAI serve gpt-4o from shared capacity and **fail together** (one failure domain in Standby). support-bot\'s chain put them first and second, so when OpenAI failed, traffic moved to Azure and failed again; the breakers of both opened within 2.3 s, but half-open trials kept sending callers to them until the forced failover.\n\nStandby\'s availability maths already flagged the chain as not independent; nobody had acted on it.',
      wentWell: '- Detection took 2.3 s: both breakers opened on 5 failures in a row.\n- The runbook\'s decision and the forced failover took 5 s from the incident opening.\n- The checks closed the incident on evidence (5 minutes healthy), not on a guess.',
      toImprove: '- **Assessment took 34 s** of the 41: the incident was opened by hand after a page; the rule for a primary\'s breaker (60 s) would have been later still.\n- Two targets of one failure domain in a row should warn when the chain is saved.\n- The communications lead learnt of the incident from #incidents, not from a page.',
    },
  });
  const past = (days: number) => new Date(Math.floor((now - days * DAY) / DAY) * DAY);
  await tx.followUp.createMany({
    data: [
      { incidentId: incident.id, title: 'Add the on-prem vLLM target as the last resort of support-bot', ownerId: oscar.id, dueOn: past(38), status: 'done', createdBy: cora.email, createdAt: at(DAY), doneAt: at(3 * DAY), doneBy: oscar.email },
      { incidentId: incident.id, title: 'Warn when a chain puts two targets of one failure domain in a row', ownerId: ada.id, dueOn: past(10), createdBy: cora.email, createdAt: at(DAY) },
      { incidentId: incident.id, title: 'Drill the shared-fate outage every quarter', ownerId: cora.id, dueOn: past(-20), createdBy: cora.email, createdAt: at(DAY) },
    ],
  });
  await seedBudgetHistory(tx, service.id, t0);
}

/**
 * support-bot's requests over the 30 days before the outage (hour rollups, at
 * the demo's traffic rate), so the post-mortem can say what share of the error
 * budget it burned. They lie before any chart's or SLO window's range.
 */
async function seedBudgetHistory(tx: Tx, serviceId: string, t0: number) {
  const { HISTOGRAM_LENGTH } = await import('@/lib/health/histogram');
  const empty = Array.from({ length: HISTOGRAM_LENGTH }, () => 0);
  const first = Math.floor((t0 - 30 * DAY) / HOUR) * HOUR;
  const rows: Prisma.ServiceRollupCreateManyInput[] = [];
  for (let bucket = first, i = 0; bucket < Math.floor(t0 / HOUR) * HOUR; bucket += HOUR, i += 1) {
    const requests = 2_200 + ((i * 7_919) % 500);
    rows.push({ serviceId, resolutionSec: 3600, bucket: new Date(bucket), requests, failures: i % 9 === 0 ? 1 : 0, errorsByClass: {}, servedBy: { upstream: requests }, latencySumMs: BigInt(requests * 850), latencyHist: empty, ttftCount: 0, ttftSumMs: BigInt(0), ttftHist: empty });
  }
  await tx.serviceRollup.createMany({ data: rows, skipDuplicates: true });
}

async function qualityRegression(tx: Tx, now: number) {
  const episode = await tx.disruptionEpisode.findFirst({ where: { component: { name: routingComponentName('support-bot') }, disruption: 'model_retirement' }, select: { id: true, startedAt: true, restoredAt: true } });
  if (!episode) return;
  const t0 = episode.startedAt.getTime();
  const cora = await user(tx, 'commander@standby.demo');
  const oscar = await user(tx, 'operator@standby.demo');
  const ada = await user(tx, 'admin@standby.demo');
  const service = await tx.service.findUniqueOrThrow({ where: { name: 'support-bot' }, select: { id: true } });
  const at = (ms: number) => new Date(t0 + ms);
  const restored = episode.restoredAt?.getTime() ?? t0 + 3 * HOUR;
  const incident = await tx.incident.create({
    data: {
      title: QUALITY, serviceId: service.id, failureMode: 'quality_degradation', severity: 'P2', suggestedSeverity: 'P3', severityReasons: ['callers are served: support-bot answered every request in the last 5 min'],
      status: 'postmortem', openedVia: 'manual', openedBy: cora.email, openedAt: at(-12 * MINUTE), acknowledgedAt: at(-12 * MINUTE), acknowledgedBy: cora.email, resolvedAt: new Date(restored + 5 * MINUTE),
      commanderId: cora.id, operationsLeadId: oscar.id, summary: 'Support tickets: answers in German to English questions since the gpt-4o snapshot of this morning.',
    },
    select: { id: true, number: true },
  });
  await tx.disruptionEpisode.update({ where: { id: episode.id }, data: { incidentId: incident.id } });
  await assessLinkedEpisodes(tx, incident.id, at(-12 * MINUTE));
  await followed(tx, incident.id, 'Model quality degradation', t0 - 11 * MINUTE, cora.email, {
    examples: { status: 'done', start: t0 - 11 * MINUTE, end: t0 - 3 * MINUTE, by: oscar.email },
    harm: { status: 'done', start: t0 - 2 * MINUTE, end: t0 - 1 * MINUTE, by: cora.email, result: { option: 1, label: 'Only worse', effects: [] } },
    move: { status: 'done', start: t0 - 20 * SECOND, end: t0, by: oscar.email, result: { action: 'force_failover', summary: 'support-bot: Forced failover away from openai-gpt-4o-us-east, serving azure-gpt-4o-eu-west' } },
    eval: { status: 'done', start: t0 + 5 * MINUTE, end: t0 + 47 * MINUTE, by: oscar.email },
    'callers-ok': { status: 'done', start: t0, end: t0 + 2 * MINUTE + 5 * SECOND, by: 'standby', result: { met: '0.0% of 1,012 requests failed in the last 2 min' } },
    return: { status: 'done', start: restored - 2 * SECOND, end: restored, by: cora.email, result: { action: 'return_to_automatic', summary: 'support-bot: Automatic, serving openai-gpt-4o-us-east' } },
  });
  const names = { [cora.email]: cora.name, [oscar.email]: oscar.name, [ada.email]: ada.name };
  await timeline(tx, incident.id, t0, names, [
    [-12 * MINUTE, 'opened', cora.email, `${cora.name} opened INC-${incident.number} (P2): ${QUALITY}`],
    [-11 * MINUTE, 'runbook', cora.email, `${cora.name} attached runbook "Model quality degradation" (version 1, 6 steps): chosen when the incident was opened`, false],
    [-3 * MINUTE, 'step', oscar.email, `${oscar.name} finished step 1 "Collect three bad answers with their request ids" of Model quality degradation (8 min after it was started)`],
    [-1 * MINUTE, 'step', cora.email, `${cora.name} decided "Only worse" at step 2 "Is it harmful, or only worse?" of Model quality degradation`],
    [-20 * SECOND, 'step', oscar.email, `${oscar.name} ran step 3 "Move the service off the model" of Model quality degradation: support-bot: Forced failover away from openai-gpt-4o-us-east, serving azure-gpt-4o-eu-west (took 1.1 s)`],
    [0, 'override', oscar.email, `${oscar.email} forced support-bot to fail over away from openai-gpt-4o-us-east: gpt-4o answers in the wrong language since the 2024-11-20 snapshot`],
    [47 * MINUTE, 'note', oscar.email, 'Evaluation: gpt-4o scores 61% on support-regression (was 93%); the fallback on Azure scores 92%. OpenAI acknowledges a regression in the snapshot.'],
    [restored - 2 * SECOND - t0, 'step', cora.email, `${cora.name} ran step 6 "Return to automatic once the provider has rolled back" of Model quality degradation: support-bot: Automatic, serving openai-gpt-4o-us-east (took 1.4 s)`],
    [restored + 5 * MINUTE - t0, 'status', cora.email, `${cora.name} moved the incident from Recovering to Resolved`],
    [restored + 30 * MINUTE - t0, 'status', cora.email, `${cora.name} moved the incident from Resolved to Post-mortem`],
  ]);
  await tx.postmortem.create({
    data: {
      incidentId: incident.id, updatedBy: cora.email, updatedAt: new Date(restored + DAY), version: 1,
      summary: 'A provider snapshot change made gpt-4o answer some English questions in German for three hours. Nothing failed, so nothing failed over by itself: support raised it.',
    },
  });
  const past = (days: number) => new Date(Math.floor((now - days * DAY) / DAY) * DAY);
  await tx.followUp.create({ data: { incidentId: incident.id, title: 'Pin model snapshot versions (gpt-4o-2024-08-06) instead of the floating alias', ownerId: ada.id, dueOn: past(5), createdBy: cora.email, createdAt: new Date(restored + DAY) } });
}

/** The demo's runbooks, webhook and past incidents; returns what it added. */
export async function seedIncidentsDemo(port = Number(process.env.PORT ?? 3000), now = Date.now()): Promise<{ runbooks: string[]; incidents: number }> {
  return db().$transaction(async (tx) => {
    const runbooks = await installLibraryIn(tx, SYSTEM_ACTOR);
    const url = demoWebhookUrl(port);
    const hook = await tx.notificationWebhook.findUnique({ where: { name: WEBHOOK }, select: { id: true, urlHint: true } });
    if (!hook) {
      await tx.notificationWebhook.create({ data: { name: WEBHOOK, kind: 'slack', urlCiphertext: encryptSecret(url), urlHint: webhookHint(url), createdBy: 'system' } });
    } else if (hook.urlHint.startsWith('127.0.0.1:') && hook.urlHint !== webhookHint(url)) {
      // The demo's receiver follows the port Standby runs on now.
      await tx.notificationWebhook.update({ where: { id: hook.id }, data: { urlCiphertext: encryptSecret(url), urlHint: webhookHint(url) } });
    }
    let incidents = 0;
    // History, loaded once: its audit entry marks it (an estate's own incidents do not stop it, nor does it repeat).
    if ((await tx.auditLog.count({ where: { action: 'demo.seed_incidents' } })) === 0) {
      await sharedFate(tx, now);
      await qualityRegression(tx, now);
      incidents = await tx.incident.count({ where: { title: { in: [SHARED_FATE, QUALITY] } } });
      await recordAudit(tx, SYSTEM_ACTOR, { action: 'demo.seed_incidents', entityType: 'estate', entityName: 'demo incidents', after: { incidents }, reason: 'demo incident history loaded (illustrative)' });
    } else {
      // The traffic its post-mortem's error budget is read from, written again if a rollup recomputation or retention removed it (existing hours are kept).
      const episode = await sharedFateEpisode(tx);
      if (episode?.component.serviceId) await seedBudgetHistory(tx, episode.component.serviceId, episode.startedAt.getTime());
    }
    return { runbooks, incidents };
  }, { isolationLevel: 'ReadCommitted', timeout: 60_000, maxWait: 10_000 });
}
