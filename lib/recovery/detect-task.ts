import 'server-only';
// The recovery loop of the leader (worker/control-loops.ts): every few
// seconds it reads what the gateway and the monitor recorded since its last
// run, aggregated in SQL (per target, service and outcome in 100 ms buckets,
// so 2,000 failing requests a second are a few dozen rows), runs the pure
// detector (detector.ts) over them with the breaker, tier, override and alert
// rows of the same span, and writes the episodes that changed together with
// its own progress, in one transaction. Nothing here runs on the request
// path; rows reach this loop only once the recorder has flushed them.
import { randomUUID } from 'node:crypto';
import { db, Prisma, type Tx } from '@/lib/server/db';
import { inTransaction } from '@/lib/server/mutation';
import { syncComponentsWithHistory } from './config-section';
import { DEFAULT_DETECTOR_CONFIG, detect, emptyDetectorState, type DetectorConfig, type DetectorEvent, type DetectorState, type DrillWindow, type EpisodeRecord, type Topology } from './detector';
import { measuredRtoMs, rtoParts } from './rto-parts';
import { refreshRecoverySummary } from './summary';

export const DETECT_INTERVAL_MS = 5_000;
/** Rows younger than this may still be in a replica's recorder buffer (it flushes every 250 ms). */
export const SETTLE_MS = 3_000;
/** One run reads at most this span; a leader catching up after a pause takes several runs. */
const MAX_SPAN_MS = 10 * 60_000;
/** Where a fresh database starts: recent enough to catch the outage that is happening now. */
const FIRST_LOOK_BACK_MS = 60_000;
const BUCKET_MS = 100;
const INT4_MAX = 2_147_483_647;
/** The state row of the live detector; tests run their own. */
const STATE_ID = 'traffic';
const COMPONENT_SYNC_MS = 60_000;
const SUMMARY_MS = 60_000;

/** Drill runs (issue 14) name their fault windows here; until drills exist there are none. */
export type DrillWindowSource = (from: number, to: number) => Promise<DrillWindow[]>;
const noDrills: DrillWindowSource = async () => [];

type Bucket = { subject: string; other: string | null; servedBy: string | null; ok: boolean; n: number; first: number; last: number; errorClass: string | null };

/** Each bucket as its first and last instant, so the order of failures and answers inside a bucket survives. */
function pointsOf(b: Bucket, make: (at: number, n: number) => DetectorEvent): DetectorEvent[] {
  if (b.n === 1 || b.first === b.last) return [make(b.first, b.n)];
  return [make(b.first, b.n - 1), make(b.last, 1)];
}

/** Failures count from when the attempt or request began (the upstream's own log shows it then); answers from when they were given. */
async function readBuckets(from: Date, to: Date): Promise<{ attempts: Bucket[]; requests: Bucket[] }> {
  const [attempts, requests] = await Promise.all([
    db().$queryRaw<Bucket[]>(Prisma.sql`
      SELECT "targetId"::text AS subject, "serviceId"::text AS other, NULL AS "servedBy", ok, count(*)::int AS n, min(t) AS first, max(t) AS last, min("errorClass") AS "errorClass"
      FROM (
        SELECT "targetId", "serviceId", ok, "errorClass", extract(epoch FROM at) * 1000 - CASE WHEN ok THEN 0 ELSE "latencyMs" END AS t
        FROM "HealthSample" WHERE at > ${from}::timestamp AND at <= ${to}::timestamp
      ) x
      GROUP BY "targetId", "serviceId", ok, floor(t / ${BUCKET_MS})`),
    db().$queryRaw<Bucket[]>(Prisma.sql`
      SELECT "serviceId"::text AS subject, "targetId"::text AS other, "servedBy", ok, count(*)::int AS n, min(t) AS first, max(t) AS last, min("errorClass") AS "errorClass"
      FROM (
        SELECT "serviceId", "targetId", "servedBy", ok, "errorClass", extract(epoch FROM at) * 1000 - CASE WHEN ok THEN 0 ELSE "latencyMs" END AS t
        FROM "RequestRecord" WHERE at > ${from}::timestamp AND at <= ${to}::timestamp
      ) x
      GROUP BY "serviceId", "targetId", "servedBy", ok, floor(t / ${BUCKET_MS})`),
  ]);
  const numeric = (rows: Bucket[]) => rows.map((r) => ({ ...r, first: Number(r.first), last: Number(r.last) }));
  return { attempts: numeric(attempts), requests: numeric(requests) };
}

/** Everything recorded in (from, to], as the detector's events, in time order. */
export async function readEvents(from: Date, to: Date): Promise<DetectorEvent[]> {
  const [{ attempts, requests }, breakers, tiers, overrides, alerts] = await Promise.all([
    readBuckets(from, to),
    db().breakerTransition.findMany({ where: { at: { gt: from, lte: to } }, select: { targetId: true, to: true, at: true, cause: true } }),
    db().tierChange.findMany({ where: { at: { gt: from, lte: to } }, select: { serviceId: true, to: true, at: true, cause: true, actor: true } }),
    db().routingOverride.findMany({
      where: { OR: [{ createdAt: { gt: from, lte: to } }, { clearedAt: { gt: from, lte: to } }, { clearedAt: null, expiresAt: { gt: from, lte: to } }] },
      select: { kind: true, serviceId: true, targetId: true, createdAt: true, createdBy: true, clearedAt: true, clearedBy: true, expiresAt: true, reason: true },
    }),
    // Burn-rate alerts say callers are failing; others (a missed backup) say nothing about traffic.
    db().alertEvent.findMany({ where: { kind: 'burn_rate', openedAt: { gt: from, lte: to } }, select: { serviceId: true, openedAt: true, rule: true } }),
  ]);
  const events: DetectorEvent[] = [];
  for (const b of attempts) events.push(...pointsOf(b, (at, n) => ({ type: 'attempt', at, targetId: b.subject, serviceId: b.other, ok: b.ok, n, errorClass: b.errorClass })));
  for (const b of requests) events.push(...pointsOf(b, (at, n) => ({ type: 'request', at, serviceId: b.subject, targetId: b.other, servedBy: b.servedBy ?? 'upstream', ok: b.ok, n, errorClass: b.errorClass })));
  for (const t of breakers) events.push({ type: 'breaker', at: t.at.getTime(), targetId: t.targetId, to: t.to, cause: t.cause });
  for (const t of tiers) events.push({ type: 'tier', at: t.at.getTime(), serviceId: t.serviceId, to: t.to, cause: t.cause, actor: t.actor });
  const inSpan = (d: Date | null) => d !== null && d > from && d <= to;
  for (const o of overrides) {
    const base = { kind: o.kind, serviceId: o.serviceId, targetId: o.targetId, reason: o.reason };
    if (inSpan(o.createdAt)) events.push({ type: 'override', at: o.createdAt.getTime(), action: 'start', actor: o.createdBy, ...base });
    const ended = o.clearedAt ?? (o.expiresAt && o.expiresAt <= to ? o.expiresAt : null);
    if (inSpan(ended)) events.push({ type: 'override', at: ended!.getTime(), action: 'end', actor: o.clearedBy ?? 'expiry', ...base });
  }
  for (const a of alerts) events.push({ type: 'alert', at: a.openedAt.getTime(), serviceId: a.serviceId, rule: a.rule });
  return events.sort((a, b) => a.at - b.at);
}

export async function readTopology(): Promise<Topology> {
  const [entries, targets] = await Promise.all([
    db().chainEntry.findMany({ orderBy: [{ serviceId: 'asc' }, { position: 'asc' }], select: { serviceId: true, targetId: true } }),
    db().target.findMany({ select: { id: true, provider: { select: { name: true, failureDomain: true } }, region: { select: { code: true } } } }),
  ]);
  const chains = new Map<string, string[]>();
  for (const e of entries) chains.set(e.serviceId, [...(chains.get(e.serviceId) ?? []), e.targetId]);
  return { chains, targets: new Map(targets.map((t) => [t.id, { provider: t.provider.name, domain: t.provider.failureDomain?.trim() || t.provider.name, region: t.region.code }])) };
}

/** Writes changed episodes: the detector's fields, never the incident link (issue 13 sets it and the assessment with it). */
async function writeEpisodes(tx: Tx, changed: readonly EpisodeRecord[]): Promise<void> {
  if (changed.length === 0) return;
  const components = await tx.recoveryComponent.findMany({
    where: { OR: [{ kind: 'service_routing', serviceId: { in: changed.filter((e) => e.subject.kind === 'service').map((e) => e.subject.id) } }, { kind: 'model_serving', targetId: { in: changed.filter((e) => e.subject.kind === 'target').map((e) => e.subject.id) } }] },
    select: { id: true, kind: true, serviceId: true, targetId: true },
  });
  const componentOf = (e: EpisodeRecord) => components.find((c) => (e.subject.kind === 'service' ? c.serviceId === e.subject.id : c.targetId === e.subject.id));
  const existing = new Map(
    (await tx.disruptionEpisode.findMany({ where: { id: { in: changed.map((e) => e.id) } }, select: { id: true, incidentId: true, assessedAt: true, disruptionSetBy: true } })).map((e) => [e.id, e]),
  );
  for (const e of changed) {
    const component = componentOf(e);
    if (!component) continue; // its service or target was deleted before the component was made: nothing to attach it to
    const before = existing.get(e.id);
    const assessedAt = before?.incidentId ? (before.assessedAt?.getTime() ?? null) : e.assessedAt;
    const milestones = { startedAt: e.startedAt, detectedAt: e.detectedAt, assessedAt, activatedAt: e.activatedAt, restoredAt: e.restoredAt };
    const date = (ms: number | null) => (ms === null ? null : new Date(ms));
    const data = {
      status: e.status, startedAt: new Date(e.startedAt), detectedAt: date(e.detectedAt), assessedAt: date(assessedAt), activatedAt: date(e.activatedAt), restoredAt: date(e.restoredAt),
      // int4 columns: an outage of weeks at thousands of requests a second is still recorded, at the column's bound.
      failedRequests: Math.min(e.failedRequests, INT4_MAX), totalRequests: Math.min(e.totalRequests, INT4_MAX), source: e.source, drillRunId: e.drillRunId,
      ...rtoParts(milestones), rtoMs: measuredRtoMs(component.kind, milestones), details: e.details as unknown as Prisma.InputJsonValue,
      ...(before?.disruptionSetBy ? {} : { disruption: e.disruption }),
    };
    await tx.disruptionEpisode.upsert({
      where: { id: e.id },
      create: { id: e.id, componentId: component.id, serviceId: e.subject.kind === 'service' ? e.subject.id : null, targetId: e.subject.kind === 'target' ? e.subject.id : null, disruption: e.disruption, ...data },
      update: data,
    });
  }
}

export type DetectRun = { from: Date; to: Date; events: number; changed: EpisodeRecord[] } | null;

/**
 * One pass: reads (processedUpTo, now - settle] (at most MAX_SPAN_MS of it),
 * runs the detector and writes. Two leaders for a moment during a handover
 * cannot both apply a span: the state row is locked and its progress checked.
 */
export async function runDetector(options: { now?: number; settleMs?: number; drills?: DrillWindowSource; config?: DetectorConfig; stateId?: string } = {}): Promise<DetectRun> {
  const now = options.now ?? Date.now();
  const stateId = options.stateId ?? STATE_ID;
  const saved = await db().recoveryDetectorState.findUnique({ where: { id: stateId } });
  const from = saved?.processedUpTo ?? new Date(now - FIRST_LOOK_BACK_MS);
  const to = new Date(Math.min(now - (options.settleMs ?? SETTLE_MS), from.getTime() + MAX_SPAN_MS));
  if (to <= from) return null;
  const [events, topology, drills] = await Promise.all([readEvents(from, to), readTopology(), (options.drills ?? noDrills)(from.getTime(), to.getTime())]);
  const state = (saved?.state as DetectorState | undefined)?.subjects ? (saved!.state as DetectorState) : emptyDetectorState();
  const result = detect({ state, events, upTo: to.getTime(), topology, drills, config: options.config ?? DEFAULT_DETECTOR_CONFIG, newId: randomUUID });
  const applied = await inTransaction(async (tx) => {
    await tx.recoveryDetectorState.createMany({ data: [{ id: stateId, processedUpTo: from, state: {} }], skipDuplicates: true });
    const [locked] = await tx.$queryRaw<{ processedUpTo: Date }[]>(Prisma.sql`SELECT "processedUpTo" FROM "RecoveryDetectorState" WHERE id = ${stateId} FOR UPDATE`);
    if (saved && locked.processedUpTo.getTime() !== from.getTime()) return false; // another leader got there first
    await writeEpisodes(tx, result.changed);
    await tx.recoveryDetectorState.update({ where: { id: stateId }, data: { processedUpTo: to, state: result.state as unknown as Prisma.InputJsonValue } });
    return true;
  });
  return applied ? { from, to, events: events.length, changed: result.changed } : null;
}

export type RecoveryRun = { tookMs: number; events: number; episodes: number; lagMs: number };

/**
 * The leader task: detection every few seconds; the component list and the
 * overview's summary every minute. `options` are for the benchmark: its own
 * state row, and each detection's time and progress.
 */
export function recoveryTask(drills: DrillWindowSource = noDrills, options: { stateId?: string; onRun?: (run: RecoveryRun) => void } = {}) {
  let lastSync = 0;
  let lastSummary = 0;
  return {
    name: 'recovery-episodes',
    intervalMs: DETECT_INTERVAL_MS,
    run: async ({ log }: { log: (line: string) => void }): Promise<void> => {
      const now = Date.now();
      if (now - lastSync >= COMPONENT_SYNC_MS) {
        const synced = await syncComponentsWithHistory();
        if (synced.created.length) log(`recovery: components added with default objectives: ${synced.created.join(', ')}`);
        if (synced.retired.length) log(`recovery: components retired: ${synced.retired.join(', ')}`);
        lastSync = now;
      }
      // Catch up in as many spans as it takes, but give way when a span finds nothing new.
      for (let i = 0; i < 10; i += 1) {
        const began = performance.now();
        const run = await runDetector({ drills, stateId: options.stateId });
        options.onRun?.({ tookMs: performance.now() - began, events: run?.events ?? 0, episodes: run?.changed.length ?? 0, lagMs: run ? Date.now() - run.to.getTime() : NaN });
        if (!run) break;
        for (const e of run.changed) if (e.status === 'recovered') log(`recovery: ${e.subject.kind} episode ${e.id} recovered (${e.disruption})`);
        if (run.to.getTime() >= Date.now() - SETTLE_MS - DETECT_INTERVAL_MS) break;
      }
      if (now - lastSummary >= SUMMARY_MS) {
        await refreshRecoverySummary();
        lastSummary = now;
      }
    },
  };
}
