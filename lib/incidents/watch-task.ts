import 'server-only';
// The leader's incident loop (worker/control-loops.ts). It wakes on the
// NOTIFYs of the tables incidents care about (a breaker's shared state, a
// tier, an override, a chain: channel standby_routing; burn-rate alerts:
// standby_events) and at least every two seconds, and in one pass:
// 1. applies the auto-open rules (rules.ts): opens incidents, or joins
//    signals to the open incident of their service;
// 2. writes what happened to each open incident's services and targets on its
//    timeline (events.ts), each entry once;
// 3. links disruption episodes to the incident (setting their assessment
//    from its acknowledgement, lib/recovery/rto-parts.ts);
// 4. every few seconds, evaluates the running check steps (checks.ts) and
//    turns them green when their criterion holds.
// Nothing here runs on the request path; the timeline's own NOTIFY carries
// each entry to every open page (live-hub.ts).
import { loadPlanningInputs } from '@/lib/routing/planning-inputs';
import { readiness, type StepState } from '@/lib/runbooks/lanes';
import { readStepParams } from '@/lib/runbooks/schemas';
import { measuredRtoMs, rtoParts } from '@/lib/recovery/rto-parts';
import { routingComponentName } from '@/lib/recovery/model';
import { SYSTEM_ACTOR } from '@/lib/server/auth';
import { db, Prisma, type Tx } from '@/lib/server/db';
import { inTransaction } from '@/lib/server/mutation';
import { listen } from '@/lib/server/notify';
import type { IncidentSeverity } from '@/lib/server/generated/prisma/enums';
import { describeCheck, evaluateCheck, type CheckObservation, type ResolvedCheck } from './checks';
import { currentTiers, loadIncidentContext, loadNames, readImpact, requestCounts, servability } from './context';
import { deriveEntries, type Watched } from './events';
import { OPEN_STATUSES, publicIdOf } from './model';
import { createIncidentIn, STANDBY } from './mutations';
import { collectSignals, DEFAULT_RULE_CONFIG, partitionDrillSignals, planSignals, titleOf, type DrillInScope, type RuleConfig, type Signal } from './rules';
import { suggestSeverity } from './severity';
import { resolveCheck } from './step-defaults';
import { appendTimeline, spoken, type TimelineEntry } from './timeline';

export const WATCH_INTERVAL_MS = 2_000;
export const CHECK_INTERVAL_MS = 5_000;
/** A wake-up waits this long for more NOTIFYs of the same burst, so one pass handles them together. */
const DEBOUNCE_MS = 25;
/** Rows are read again this far back, in case a transaction committed late with an earlier time; keys keep entries single. */
const OVERLAP_MS = 30_000;
/** What happened this long before an incident opened is part of its story. */
export const LEAD_UP_MS = 10 * 60_000;
const STATE_ID = 'incidents';
const WATCH_LOCK = Prisma.sql`SELECT pg_advisory_xact_lock(hashtext('standby:incident-watch'))`;
/** standby_routing payloads (table names) a pass reacts to. */
const ROUTING_TABLES = new Set(['TargetBreaker', 'ServiceTierState', 'RoutingOverride', 'ChainEntry', 'Service', 'Target']);

type WatchState = { lastPassAt: number | null; unservableSince: Record<string, number>; backfilled: string[] };

async function readState(stateId: string): Promise<WatchState> {
  const row = await db().incidentWatcherState.findUnique({ where: { id: stateId } });
  const saved = (row?.cursors ?? {}) as Partial<WatchState>;
  return { lastPassAt: saved.lastPassAt ?? null, unservableSince: saved.unservableSince ?? {}, backfilled: saved.backfilled ?? [] };
}

export type PassOptions = { now?: number; config?: RuleConfig; stateId?: string; evaluateChecks?: boolean };
export type PassResult = { opened: string[]; joined: number; entries: number; linked: number; checksMet: number };

/** One pass of the loop; exported for tests and the benchmark. */
export async function runIncidentPass(options: PassOptions = {}): Promise<PassResult> {
  const now = options.now ?? Date.now();
  const stateId = options.stateId ?? STATE_ID;
  const state = await readState(stateId);
  const result: PassResult = { opened: [], joined: 0, entries: 0, linked: 0, checksMet: 0 };

  // 1. The rules.
  const inputs = await loadPlanningInputs(db(), now);
  const [targetRows, alerts] = await Promise.all([
    db().target.findMany({ select: { id: true, name: true, provider: { select: { kind: true } } } }),
    db().alertEvent.findMany({ where: { resolvedAt: null, severity: 'page' }, select: { id: true, serviceId: true, severity: true, rule: true, openedAt: true, longBurn: true, shortBurn: true } }),
  ]);
  const servable = servability(inputs, now);
  const leftClosed = await leftClosedAt([...inputs.breakers.entries()].filter(([, b]) => b.state !== 'closed').map(([id]) => id));
  const { signals, unservableSince } = collectSignals(
    {
      now,
      services: [...inputs.services.values()].map((s) => ({ id: s.id, name: s.name, enabled: s.enabled, chainTargetIds: s.chain.map((e) => e.targetId), servable: servable.get(s.id) ?? true })),
      targets: new Map(targetRows.map((t) => [t.id, { id: t.id, name: t.name, selfHosted: t.provider.kind === 'self_hosted' }])),
      breakers: new Map([...inputs.breakers.entries()].map(([id, b]) => [id, { state: b.state, leftClosedAt: leftClosed.get(id) ?? b.since }])),
      alerts: alerts.map((a) => ({ ...a, openedAt: a.openedAt.getTime() })),
      unservableSince: state.unservableSince,
    },
    options.config ?? DEFAULT_RULE_CONFIG,
  );
  const unhandledSignals = signals.length ? await unhandled(signals) : [];
  // Signals a drill caused join its drill incident and never open a real one (issue 14).
  const { real: fresh, drill: fromDrills } = partitionDrillSignals(unhandledSignals, unhandledSignals.length ? await drillsInScope(now) : []);
  const impacts = fresh.length ? await readImpact([...new Set(fresh.map((s) => s.serviceId))], now, inputs) : [];
  const targetName = (id: string | null) => (id ? (targetRows.find((t) => t.id === id)?.name ?? null) : null);

  await inTransaction(async (tx) => {
    await tx.$executeRaw(WATCH_LOCK);
    for (const { signal, incidentId } of fromDrills) await recordSignals(tx, incidentId, [signal], null);
    if (fresh.length) {
      const handled = new Set((await tx.incidentSignal.findMany({ where: { key: { in: fresh.map((s) => s.key) } }, select: { key: true } })).map((s) => s.key));
      const open = await tx.incident.findMany({ where: { status: { in: [...OPEN_STATUSES] }, isDrill: false }, orderBy: { openedAt: 'asc' }, select: { id: true, serviceId: true, signals: { select: { targetId: true } } } });
      const decisions = planSignals(fresh, open.map((i) => ({ id: i.id, serviceId: i.serviceId, targetIds: i.signals.flatMap((s) => (s.targetId ? [s.targetId] : [])) })), handled);
      for (const d of decisions) {
        if (d.kind === 'open') {
          const impact = impacts.filter((x) => x.name === d.signal.serviceName);
          const suggested = suggestSeverity(impact);
          const incident = await createIncidentIn(tx, SYSTEM_ACTOR, {
            title: titleOf(d.signal, targetName(d.signal.targetId)), summary: d.signal.text, serviceId: d.signal.serviceId, serviceName: d.signal.serviceName,
            severity: suggested.severity, suggested, failureMode: d.signal.failureMode, openedVia: d.signal.rule, openedAt: new Date(now),
            targetIds: d.signal.targetId ? [d.signal.targetId] : [], acknowledged: false,
          });
          await recordSignals(tx, incident.id, [d.signal, ...d.joined], d.signal.key);
          result.opened.push(publicIdOf(incident.number));
        } else {
          await recordSignals(tx, d.incidentId, [d.signal], null);
          result.joined += 1;
        }
      }
    }
    await tx.incidentWatcherState.upsert({
      where: { id: stateId },
      create: { id: stateId, cursors: { ...state, unservableSince, lastPassAt: now } as Prisma.InputJsonValue },
      update: { cursors: { ...state, unservableSince, lastPassAt: now } as Prisma.InputJsonValue },
    });
  });

  // 2 and 3. Timelines and episodes of the open incidents (and those resolved in the last minutes, for the last closings).
  const watched = await db().incident.findMany({
    where: { OR: [{ status: { in: [...OPEN_STATUSES] } }, { resolvedAt: { gt: new Date(now - LEAD_UP_MS) } }] },
    select: { id: true, openedAt: true, acknowledgedAt: true, serviceId: true, isDrill: true, signals: { select: { serviceId: true, targetId: true } } },
  });
  const backfilled = new Set(state.backfilled);
  if (watched.length) {
    const linked = await linkEpisodes(watched, now);
    result.linked = linked;
    result.entries = await writeTimelines(watched, inputs, backfilled, state.lastPassAt, now);
  }
  const stillWatched = watched.map((w) => w.id);
  if (stillWatched.join() !== state.backfilled.join()) {
    await db().incidentWatcherState.update({ where: { id: stateId }, data: { cursors: { ...state, unservableSince, lastPassAt: now, backfilled: stillWatched } as Prisma.InputJsonValue } });
  }

  // 4. Checks.
  if (options.evaluateChecks !== false) result.checksMet = await evaluateChecks(now);
  return result;
}

/** When each breaker last left closed (its last transition from closed), for breakers that are not closed now. */
async function leftClosedAt(targetIds: string[]): Promise<Map<string, number>> {
  if (targetIds.length === 0) return new Map();
  const rows = await db().$queryRaw<{ targetId: string; at: Date }[]>(Prisma.sql`
    SELECT DISTINCT ON ("targetId") "targetId"::text AS "targetId", at FROM "BreakerTransition"
    WHERE "targetId"::text IN (${Prisma.join(targetIds)}) AND "from" = 'closed' ORDER BY "targetId", at DESC`);
  return new Map(rows.map((r) => [r.targetId, r.at.getTime()]));
}

/** Drill runs with an incident that are running or ended within LEAD_UP_MS: their service and the targets their faults hit. */
async function drillsInScope(now: number): Promise<DrillInScope[]> {
  const runs = await db().drillRun.findMany({
    where: { incidentId: { not: null }, startedAt: { not: null }, OR: [{ status: 'running' }, { finishedAt: { gt: new Date(now - LEAD_UP_MS) } }] },
    select: { incidentId: true, startedAt: true, plan: { select: { serviceId: true } }, faultLeases: { select: { targetIds: true } } },
  });
  return runs.map((r) => ({ incidentId: r.incidentId!, serviceId: r.plan.serviceId, targetIds: r.faultLeases.flatMap((f) => f.targetIds), startedAt: r.startedAt!.getTime() }));
}

async function unhandled(signals: Signal[]): Promise<Signal[]> {
  const handled = new Set((await db().incidentSignal.findMany({ where: { key: { in: signals.map((s) => s.key) } }, select: { key: true } })).map((s) => s.key));
  return signals.filter((s) => !handled.has(s.key));
}

async function recordSignals(tx: Tx, incidentId: string, signals: Signal[], openedBy: string | null) {
  await tx.incidentSignal.createMany({
    data: signals.map((s) => ({ key: s.key, incidentId, rule: s.rule, serviceId: s.serviceId, targetId: s.targetId, at: new Date(s.at), opened: s.key === openedBy })),
    skipDuplicates: true,
  });
  // Alerts reach the timeline from their own rows (events.ts); the other rules say here why they joined.
  const joined = signals.filter((s) => s.key !== openedBy && s.rule !== 'page_alert');
  await appendTimeline(tx, joined.map((s): TimelineEntry => ({ incidentId, at: new Date(s.at), kind: 'signal', actor: STANDBY.email, text: s.text, sourceKey: `signal:${s.key}`, curated: true, data: { rule: s.rule } })));
}

type WatchedIncident = { id: string; openedAt: Date; acknowledgedAt: Date | null; serviceId: string | null; isDrill: boolean; signals: { serviceId: string | null; targetId: string | null }[] };

/** The services and targets an incident watches: its service and those its signals named, with their chains' targets. */
function scopeOf(incident: WatchedIncident, chains: Map<string, string[]>) {
  const serviceIds = new Set([incident.serviceId, ...incident.signals.map((s) => s.serviceId)].filter((x): x is string => x !== null));
  const targetIds = new Set(incident.signals.map((s) => s.targetId).filter((x): x is string => x !== null));
  for (const id of serviceIds) for (const t of chains.get(id) ?? []) targetIds.add(t);
  return { serviceIds, targetIds };
}

/**
 * Episodes of the incident's services (routing) and of the targets its signals
 * named (serving) that began from a while before it opened join it; an
 * acknowledged incident's time becomes their assessment.
 */
async function linkEpisodes(incidents: WatchedIncident[], now: number): Promise<number> {
  let linked = 0;
  for (const incident of incidents) {
    const serviceIds = [...new Set([incident.serviceId, ...incident.signals.map((s) => s.serviceId)].filter((x): x is string => x !== null))];
    const targetIds = [...new Set(incident.signals.map((s) => s.targetId).filter((x): x is string => x !== null))];
    const candidates = await db().disruptionEpisode.findMany({
      where: {
        incidentId: null, source: incident.isDrill ? 'drill' : 'traffic', startedAt: { gte: new Date(incident.openedAt.getTime() - LEAD_UP_MS), lte: new Date(now) },
        OR: [{ component: { kind: 'service_routing', serviceId: { in: serviceIds } } }, { component: { kind: 'model_serving', targetId: { in: targetIds } } }],
      },
      select: { id: true, startedAt: true, detectedAt: true, activatedAt: true, restoredAt: true, component: { select: { kind: true } } },
    });
    for (const e of candidates) {
      const ms = (d: Date | null) => d?.getTime() ?? null;
      const assessedAt = incident.acknowledgedAt;
      const milestones = { startedAt: e.startedAt.getTime(), detectedAt: ms(e.detectedAt), assessedAt: ms(assessedAt), activatedAt: ms(e.activatedAt), restoredAt: ms(e.restoredAt) };
      // Only if still unlinked: a second leader for a moment, or the detector, never moves an episode between incidents.
      const { count } = await db().disruptionEpisode.updateMany({
        where: { id: e.id, incidentId: null },
        data: { incidentId: incident.id, assessedAt, ...rtoParts(milestones), rtoMs: measuredRtoMs(e.component.kind, milestones) },
      });
      linked += count;
    }
  }
  return linked;
}

async function writeTimelines(incidents: WatchedIncident[], inputs: Awaited<ReturnType<typeof loadPlanningInputs>>, backfilled: Set<string>, lastPassAt: number | null, now: number): Promise<number> {
  const chains = new Map([...inputs.services.values()].map((s) => [s.id, s.chain.map((e) => e.targetId)]));
  const watched: Watched[] = incidents.map((i) => {
    const lead = i.openedAt.getTime() - LEAD_UP_MS;
    const from = backfilled.has(i.id) && lastPassAt !== null ? Math.max(lead, lastPassAt - OVERLAP_MS) : lead;
    return { incidentId: i.id, from, ...scopeOf(i, chains) };
  });
  const from = new Date(Math.min(...watched.map((w) => w.from)));
  const serviceIds = [...new Set(watched.flatMap((w) => [...w.serviceIds]))];
  const targetIds = [...new Set(watched.flatMap((w) => [...w.targetIds]))];
  const [breakers, tiers, overrides, alerts, episodes] = await Promise.all([
    db().breakerTransition.findMany({ where: { targetId: { in: targetIds }, at: { gt: from } }, orderBy: { at: 'asc' } }),
    db().tierChange.findMany({ where: { serviceId: { in: serviceIds }, at: { gt: from } }, orderBy: { at: 'asc' } }),
    db().routingOverride.findMany({
      where: { AND: [{ OR: [{ serviceId: { in: serviceIds } }, { targetId: { in: targetIds }, kind: 'drain' }] }, { OR: [{ createdAt: { gt: from } }, { clearedAt: { gt: from } }, { expiresAt: { gt: from, lte: new Date(now) } }] }] },
    }),
    db().alertEvent.findMany({ where: { serviceId: { in: serviceIds }, OR: [{ openedAt: { gt: from } }, { resolvedAt: { gt: from } }] } }),
    db().disruptionEpisode.findMany({
      where: { incidentId: { in: incidents.map((i) => i.id) }, updatedAt: { gt: from } },
      select: { id: true, incidentId: true, disruption: true, startedAt: true, detectedAt: true, activatedAt: true, restoredAt: true, failedRequests: true, component: { select: { name: true } } },
    }),
  ]);
  const entries = deriveEntries(
    watched,
    { breakers, tiers, overrides, alerts, episodes: episodes.map((e) => ({ ...e, componentName: e.component.name })) },
    { service: (id) => [...inputs.services.values()].find((s) => s.id === id)?.name ?? 'a deleted service', target: (id) => (id ? (inputs.targets.get(id)?.name ?? 'a deleted target') : 'a target') },
    now,
  );
  if (entries.length === 0) return 0;
  return appendTimeline(db(), entries);
}

// ---------------------------------------------------------------- checks

type CheckRun = Prisma.StepRunGetPayload<{ select: { id: true; status: true; version: true; startedAt: true; incidentId: true; incidentRunbookId: true; step: { select: { key: true; position: true; lane: true; kind: true; title: true; params: true } } } }>;

/**
 * Every check step that is ready (what it waits on is finished) starts being
 * watched; every watched one is evaluated from live telemetry, and turns done
 * by itself once its criterion holds.
 */
async function evaluateChecks(now: number): Promise<number> {
  const runs = await db().stepRun.findMany({
    where: { incident: { status: { in: [...OPEN_STATUSES] } }, incidentRunbook: { steps: { some: { step: { kind: 'check' }, status: { in: ['pending', 'running'] } } } } },
    select: { id: true, status: true, version: true, startedAt: true, incidentId: true, incidentRunbookId: true, step: { select: { key: true, position: true, lane: true, kind: true, title: true, params: true } } },
  });
  if (runs.length === 0) return 0;
  const byRunbook = new Map<string, CheckRun[]>();
  for (const r of runs) byRunbook.set(r.incidentRunbookId, [...(byRunbook.get(r.incidentRunbookId) ?? []), r]);
  const due: CheckRun[] = [];
  for (const group of byRunbook.values()) {
    const { ready } = readiness(group.map((r) => r.step), new Map(group.map((r) => [r.step.key, r.status as StepState])));
    for (const r of group) if (r.step.kind === 'check' && (r.status === 'running' || (r.status === 'pending' && ready.includes(r.step.key)))) due.push(r);
  }
  if (due.length === 0) return 0;
  const names = await loadNames();
  const contexts = new Map<string, Awaited<ReturnType<typeof loadIncidentContext>>>();
  for (const id of new Set(due.map((r) => r.incidentId))) contexts.set(id, await loadIncidentContext(db(), id));

  const resolved = due.map((r) => {
    const params = readStepParams('check', r.step.params);
    const context = contexts.get(r.incidentId);
    if ('error' in params || params.kind !== 'check' || !context) return { run: r, error: 'error' in params ? `unreadable parameters: ${params.error}` : 'the incident is gone' };
    const check = resolveCheck(params.params, context, names);
    return 'error' in check ? { run: r, error: check.error } : { run: r, check };
  });
  const checks = resolved.flatMap((x) => ('check' in x && x.check ? [x.check] : []));
  const observations = await observe(checks, now);
  let met = 0;
  for (const item of resolved) {
    const { run } = item;
    const started = run.status === 'pending';
    const evaluation = 'check' in item && item.check
      ? evaluateCheck(item.check, observations.get(item.check)!, now)
      : { met: false, value: 'not evaluated', detail: (item as { error: string }).error, evaluatedAt: now };
    const done = evaluation.met;
    const startedAt = run.startedAt ?? new Date(now);
    const { count } = await db().stepRun.updateMany({
      where: { id: run.id, version: run.version },
      data: {
        evaluation: evaluation as unknown as Prisma.InputJsonValue,
        ...(started ? { status: 'running', startedAt, startedBy: STANDBY.email } : {}),
        ...(done ? { status: 'done', finishedAt: new Date(now), finishedBy: STANDBY.email, result: { met: evaluation.value } } : {}),
        // A live reading is not a change anyone edits against: the version moves only when the status does.
        ...(started || done ? { version: { increment: 1 } } : {}),
      },
    });
    if (count === 0) continue; // someone acted on the step meanwhile
    const what = 'check' in item && item.check ? describeCheck(item.check) : run.step.title;
    if (started) await appendTimeline(db(), [{ incidentId: run.incidentId, at: new Date(now), kind: 'step', actor: STANDBY.email, text: `Standby started watching check "${run.step.title}": ${what}`, curated: false, sourceKey: `check:${run.id}:start` }]);
    if (done) {
      met += 1;
      await appendTimeline(db(), [{ incidentId: run.incidentId, at: new Date(now), kind: 'step', actor: STANDBY.email, text: `Check "${run.step.title}" met: ${what} (${evaluation.value}; watched for ${spoken(now - startedAt.getTime())})`, curated: true, sourceKey: `check:${run.id}:met`, data: { stepRunId: run.id } }]);
    }
  }
  return met;
}

/** The live reading each check needs, read in as few queries as the checks allow. */
async function observe(checks: ResolvedCheck[], now: number): Promise<Map<ResolvedCheck, CheckObservation>> {
  const result = new Map<ResolvedCheck, CheckObservation>();
  const breakerIds = checks.flatMap((c) => (c.metric === 'breaker_closed' ? [c.targetId] : []));
  const tierIds = checks.flatMap((c) => (c.metric === 'tier' ? [c.serviceId] : []));
  const [breakers, tiers] = await Promise.all([
    breakerIds.length ? db().targetBreaker.findMany({ where: { targetId: { in: breakerIds } }, select: { targetId: true, state: true, since: true } }) : [],
    tierIds.length ? currentTiers(tierIds, now) : new Map(),
  ]);
  // Error rates: one query per distinct window.
  const windows = new Map<number, string[]>();
  for (const c of checks) if (c.metric === 'error_rate') windows.set(c.forMinutes, [...(windows.get(c.forMinutes) ?? []), c.serviceId]);
  const counts = new Map<number, Map<string, { requests: number; failures: number }>>();
  for (const [minutes, ids] of windows) counts.set(minutes, await requestCounts([...new Set(ids)], new Date(now - minutes * 60_000), new Date(now)));
  for (const c of checks) {
    if (c.metric === 'error_rate') result.set(c, { metric: 'error_rate', ...(counts.get(c.forMinutes)?.get(c.serviceId) ?? { requests: 0, failures: 0 }) });
    else if (c.metric === 'breaker_closed') {
      const b = breakers.find((x) => x.targetId === c.targetId);
      // A target that never tripped has no row: closed since forever.
      result.set(c, { metric: 'breaker_closed', state: b?.state ?? 'closed', since: b?.since.getTime() ?? 0 });
    } else {
      const t = tiers.get(c.serviceId) ?? { tier: 'full', since: 0 };
      result.set(c, { metric: 'tier', tier: t.tier, since: t.since });
    }
  }
  return result;
}

// ---------------------------------------------------------------- the task

/**
 * The leader task: one long run while this replica leads, waking on NOTIFY
 * (or every WATCH_INTERVAL_MS) and ending when leadership does. A failed pass
 * is logged and the loop goes on.
 */
export function incidentWatchTask(options: { config?: RuleConfig; stateId?: string } = {}) {
  return {
    name: 'incidents',
    intervalMs: 1_000,
    run: async ({ signal, log }: { signal: AbortSignal; log: (line: string) => void }): Promise<void> => {
      let wake: (() => void) | null = null;
      let pending = false;
      const poke = () => {
        pending = true;
        wake?.();
      };
      const listeners = [
        listen('standby_routing', { onNotify: (table) => ROUTING_TABLES.has(table) && poke(), onConnected: poke }),
        listen('standby_events', { onNotify: poke, onConnected: poke }),
      ];
      const sleep = (ms: number) =>
        new Promise<void>((resolve) => {
          const timer = setTimeout(done, ms);
          function done() {
            clearTimeout(timer);
            wake = null;
            signal.removeEventListener('abort', done);
            resolve();
          }
          wake = done;
          signal.addEventListener('abort', done, { once: true });
        });
      let lastChecks = 0;
      try {
        while (!signal.aborted) {
          pending = false;
          const now = Date.now();
          const evaluate = now - lastChecks >= CHECK_INTERVAL_MS;
          try {
            const r = await runIncidentPass({ now, config: options.config, stateId: options.stateId, evaluateChecks: evaluate });
            if (evaluate) lastChecks = now;
            for (const id of r.opened) log(`incidents: ${id} opened by the auto-open rules`);
          } catch (error) {
            log(`incidents: pass failed: ${error instanceof Error ? error.message.split('\n').at(-1) : String(error)}`);
            await new Promise((resolve) => setTimeout(resolve, 1_000));
          }
          if (!pending) await sleep(Math.min(WATCH_INTERVAL_MS, CHECK_INTERVAL_MS - (Date.now() - lastChecks)));
          if (pending && !signal.aborted) await new Promise((resolve) => setTimeout(resolve, DEBOUNCE_MS));
        }
      } finally {
        await Promise.all(listeners.map((l) => l.close()));
      }
    },
  };
}

export const severityOrder: IncidentSeverity[] = ['P0', 'P1', 'P2', 'P3'];
export const primaryComponentOf = (serviceName: string | null) => (serviceName ? routingComponentName(serviceName) : null);
