import 'server-only';
// Reads of the recovery domain: the compliance grid with each service's
// posture, a component with its objectives' history and evidence, an episode,
// and the report of a period. Everything is aggregated in SQL over indexed
// spans (episodes by component, disruption and start; evidence by component
// and time; hour rollups), so a quarter of 200 services answers in well under
// a second (bench: npm run bench -- recovery).
import { ASSUMED_REQUESTS_PER_SECOND, RATE_WINDOW_HOURS } from '@/lib/availability/assumptions';
import { db, Prisma } from '@/lib/server/db';
import { hasState, judgeCell, type Cell, type EvidenceRef, type MeasuredRpo, type MeasuredRto } from './compliance';
import type { EpisodeDetails } from './detector';
import { coverageOf, readDrillStates, type DrillCoverage } from './drill-states';
import { DISRUPTIONS, defaultObjectives, EVIDENCE_FRESH_MS, STATEFUL_KINDS, type DisruptionKind, type RecoveryComponentKind } from './model';
import type { Period } from './period';
import { assessPosture, type Posture } from './posture';
import { predictFromReports, predictRoutingRto, predictServingRto, type CopyReport, type Prediction } from './predicted';
import type { RtoParts } from './rto-parts';
import { BREACHES, type Verdict } from './verdict';

const HOUR_MS = 3_600_000;
/** A reporting component is silent when its newest report is older than this many of its usual intervals… */
const SILENT_INTERVALS = 3;
/** …and older than this, whatever its interval. */
const SILENT_FLOOR_MS = 10 * 60_000;
/** Reports per component read for the predicted figures. */
const RECENT_REPORTS = 30;

export type ComponentRow = {
  id: string;
  name: string;
  kind: RecoveryComponentKind;
  description: string;
  serviceName: string | null;
  targetName: string | null;
  retired: boolean;
  /** Services whose routing or chain this component is part of. */
  services: string[];
  cells: Partial<Record<DisruptionKind, Cell>>;
  /** Disruptions its kind is judged against that have no objective. */
  missing: DisruptionKind[];
};

export type ServicePosture = { serviceId: string; serviceName: string; posture: Posture };

export type ComplianceSummary = { cells: number; breached: number; critical: number; atRisk: number; unverified: number; noEvidence: number; compliant: number; episodes: number; openEpisodes: number };

export type Compliance = {
  period: { key: string; label: string; from: string; to: string };
  generatedAt: string;
  components: ComponentRow[];
  summary: ComplianceSummary;
  services: ServicePosture[];
  estate: Posture;
  /** Drill plans and their freshness at the period's end (or now, for the current period), and what was never drilled. */
  drills: DrillCoverage;
};

const iso = (ms: number) => new Date(ms).toISOString();

// ---------------------------------------------------------------- measured figures

type RtoRow = {
  componentId: string; disruption: DisruptionKind; n: number; open: number;
  /** [ms, epoch ms, 0 episode | 1 evidence] of the worst, and [epoch ms, ms, kind] of the latest. */
  worst: [number, number, number] | null; latest: [number, number, number] | null;
  failed_at: number | null;
};

/**
 * Per component and disruption, over the period: episodes (an open one counts
 * with its time so far) and timed restores and drills; the worst, the most
 * recent, and any that failed. Plain aggregates (max over [value, time]
 * arrays), no sort; the rows behind the figures are looked up afterwards.
 */
async function readRto(from: Date, to: Date): Promise<{ rows: RtoRow[]; refs: Map<string, EvidenceRef> }> {
  const raw = await db().$queryRaw<(Omit<RtoRow, 'worst' | 'latest'> & { worst: number[] | null; latest: number[] | null })[]>(Prisma.sql`
    WITH m AS (
      SELECT "componentId", disruption, (extract(epoch FROM "startedAt") * 1000)::float8 AS at, status = 'open' AS open, true AS ok, 0 AS kind,
        COALESCE("rtoMs", extract(epoch FROM (${to}::timestamp - "startedAt")) * 1000)::float8 AS ms
      FROM "DisruptionEpisode" WHERE "startedAt" >= ${from}::timestamp AND "startedAt" < ${to}::timestamp
      UNION ALL
      SELECT "componentId", COALESCE(disruption, 'data_loss'), (extract(epoch FROM "observedAt") * 1000)::float8, false, ok, 1, "restoreMs"
      FROM "RecoveryEvidence"
      WHERE kind IN ('restore_test', 'drill') AND "observedAt" >= ${from}::timestamp AND "observedAt" < ${to}::timestamp AND ("restoreMs" IS NOT NULL OR NOT ok)
    )
    SELECT "componentId"::text AS "componentId", disruption::text AS disruption, count(*)::int AS n, count(*) FILTER (WHERE open)::int AS open,
      max(ARRAY[ms, at, kind]) FILTER (WHERE ok) AS worst,
      max(ARRAY[at, ms, kind]) FILTER (WHERE ok) AS latest,
      max(at) FILTER (WHERE NOT ok) AS failed_at
    FROM m GROUP BY "componentId", disruption`);
  const rows: RtoRow[] = raw.map((r) => ({
    ...r,
    worst: r.worst ? [Number(r.worst[0]), Number(r.worst[1]), Number(r.worst[2])] : null,
    latest: r.latest ? [Number(r.latest[1]), Number(r.latest[0]), Number(r.latest[2])] : null,
    failed_at: r.failed_at === null ? null : Number(r.failed_at),
  }));
  // latest is kept as [ms, epoch ms, kind] like worst from here on.
  const wanted = rows.flatMap((r) => [
    ...[r.worst, r.latest].filter((x): x is [number, number, number] => x !== null).map(([, at, kind]) => ({ componentId: r.componentId, disruption: r.disruption, at, kind })),
    ...(r.failed_at !== null ? [{ componentId: r.componentId, disruption: r.disruption, at: r.failed_at, kind: 1 }] : []),
  ]);
  const found = wanted.length
    ? await db().$queryRaw<{ key: string; id: string; kind: number }[]>(Prisma.sql`
        SELECT w.c::text || '/' || w.d || '/' || w.at::text AS key, e.id::text AS id, 0 AS kind
        FROM unnest(${wanted.map((w) => w.componentId)}::uuid[], ${wanted.map((w) => w.disruption)}::text[], ${wanted.map((w) => w.at)}::float8[], ${wanted.map((w) => w.kind)}::int[]) AS w(c, d, at, k)
        JOIN "DisruptionEpisode" e ON w.k = 0 AND e."componentId" = w.c AND e.disruption = w.d::"DisruptionKind" AND e."startedAt" = to_timestamp(w.at / 1000) AT TIME ZONE 'UTC'
        UNION ALL
        SELECT w.c::text || '/' || w.d || '/' || w.at::text, e.id::text, 1
        FROM unnest(${wanted.map((w) => w.componentId)}::uuid[], ${wanted.map((w) => w.disruption)}::text[], ${wanted.map((w) => w.at)}::float8[], ${wanted.map((w) => w.kind)}::int[]) AS w(c, d, at, k)
        JOIN "RecoveryEvidence" e ON w.k = 1 AND e."componentId" = w.c AND e."observedAt" = to_timestamp(w.at / 1000) AT TIME ZONE 'UTC'`)
    : [];
  const refs = new Map<string, EvidenceRef>();
  for (const f of found) {
    const at = Number(f.key.slice(f.key.lastIndexOf('/') + 1));
    refs.set(f.key, { kind: f.kind === 0 ? 'episode' : 'evidence', id: f.id, at: new Date(at).toISOString() });
  }
  return { rows, refs };
}

/**
 * The newest RTO evidence of each component and disruption before the
 * period's end, for its age: only the last 90 days matter (older evidence is
 * stale whatever it says), so only they are read.
 */
async function readNewestRto(from: Date, to: Date): Promise<Map<string, number>> {
  const since = new Date(Math.min(from.getTime(), to.getTime() - EVIDENCE_FRESH_MS));
  const rows = await db().$queryRaw<{ componentId: string; disruption: string; at: Date }[]>(Prisma.sql`
    SELECT "componentId"::text AS "componentId", disruption::text AS disruption, max(at) AS at FROM (
      SELECT "componentId", disruption, "startedAt" AS at FROM "DisruptionEpisode" WHERE "startedAt" >= ${since}::timestamp AND "startedAt" < ${to}::timestamp
      UNION ALL
      SELECT "componentId", COALESCE(disruption, 'data_loss'), "observedAt" FROM "RecoveryEvidence"
      WHERE kind IN ('restore_test', 'drill') AND "observedAt" >= ${since}::timestamp AND "observedAt" < ${to}::timestamp AND "restoreMs" IS NOT NULL AND ok
    ) m GROUP BY "componentId", disruption`);
  return new Map(rows.map((r) => [`${r.componentId}/${r.disruption}`, r.at.getTime()]));
}

/** [value, epoch ms] pairs: max() over arrays compares the value first, so it finds the worst (or newest) and when it was. */
type Pair = [number, number] | null;

type RpoRow = {
  componentId: string;
  copy_worst: Pair; newest_copy: Pair;
  lag_worst: Pair; lag_latest: Pair; lag_count: number;
  arc_worst: Pair; arc_latest: Pair; arc_count: number;
  reports: number; first_at: Date | null; last_at: Date | null; newest_at: Date | null;
  /** The ids of the reports behind those figures, by "<componentId>/<epoch ms>". */
  ids: Map<number, string>;
};

/**
 * Per component: the worst interval between copies and the worst lag in the
 * period, and the reporting cadence (plain aggregates over the period's
 * reports, no sort); the newest copy and the latest continuous report up to
 * the period's end (looking back at most a quarter: older evidence is stale
 * anyway), found by index; then the reports the figures came from, for their
 * links.
 */
async function readRpo(from: Date, to: Date): Promise<Map<string, RpoRow>> {
  const since = new Date(from.getTime() - EVIDENCE_FRESH_MS);
  const [inside, newest] = await Promise.all([
    db().$queryRaw<{ componentId: string; copy_worst: number[] | null; lag_worst: number[] | null; arc_worst: number[] | null; lag_count: number; arc_count: number; reports: number; first_at: Date | null; last_at: Date | null }[]>(Prisma.sql`
      WITH e AS (
        SELECT "componentId", (extract(epoch FROM "observedAt") * 1000)::float8 AS at, "observedAt", "rpoMs" AS rpo, continuous AS lag, continuous AND kind <> 'replica_lag' AS arc
        FROM "RecoveryEvidence" WHERE ok AND "copyAt" IS NOT NULL AND "observedAt" >= ${from}::timestamp AND "observedAt" < ${to}::timestamp
      )
      SELECT "componentId"::text AS "componentId",
        max(ARRAY[rpo, at]) FILTER (WHERE NOT lag AND rpo IS NOT NULL) AS copy_worst,
        max(ARRAY[rpo, at]) FILTER (WHERE lag) AS lag_worst,
        max(ARRAY[rpo, at]) FILTER (WHERE arc) AS arc_worst,
        count(*) FILTER (WHERE lag)::int AS lag_count,
        count(*) FILTER (WHERE arc)::int AS arc_count,
        count(*)::int AS reports, min("observedAt") AS first_at, max("observedAt") AS last_at
      FROM e GROUP BY "componentId"`),
    // [value, time] pairs again: the newest copy ([copy's point in time, report time]) and the latest lag and archive reports ([time, lag]).
    db().$queryRaw<{ componentId: string; newest_copy: number[] | null; lag_latest: number[] | null; arc_latest: number[] | null; newest_at: Date | null }[]>(Prisma.sql`
      SELECT c.id::text AS "componentId", nc.v AS newest_copy, nl.v AS lag_latest, na.v AS arc_latest, GREATEST(nc.at, nl.at, na.at) AS newest_at
      FROM "RecoveryComponent" c
      LEFT JOIN LATERAL (
        SELECT ARRAY[(extract(epoch FROM "copyAt") * 1000)::float8, (extract(epoch FROM "observedAt") * 1000)::float8] AS v, "observedAt" AS at FROM "RecoveryEvidence" e
        WHERE e."componentId" = c.id AND ok AND NOT continuous AND "copyAt" IS NOT NULL AND "observedAt" >= ${since}::timestamp AND "observedAt" < ${to}::timestamp
        ORDER BY "observedAt" DESC LIMIT 1) nc ON true
      LEFT JOIN LATERAL (
        SELECT ARRAY[(extract(epoch FROM "observedAt") * 1000)::float8, "rpoMs"] AS v, "observedAt" AS at FROM "RecoveryEvidence" e
        WHERE e."componentId" = c.id AND ok AND continuous AND "observedAt" >= ${since}::timestamp AND "observedAt" < ${to}::timestamp
        ORDER BY "observedAt" DESC LIMIT 1) nl ON true
      LEFT JOIN LATERAL (
        SELECT ARRAY[(extract(epoch FROM "observedAt") * 1000)::float8, "rpoMs"] AS v, "observedAt" AS at FROM "RecoveryEvidence" e
        WHERE e."componentId" = c.id AND ok AND continuous AND kind <> 'replica_lag' AND "observedAt" >= ${since}::timestamp AND "observedAt" < ${to}::timestamp
        ORDER BY "observedAt" DESC LIMIT 1) na ON true
      WHERE EXISTS (SELECT 1 FROM "RecoveryEvidence" x WHERE x."componentId" = c.id)`),
  ]);
  const numeric = (pair: (string | number)[] | null): Pair => (pair ? [Number(pair[0]), Number(pair[1])] : null);
  const insideOf = new Map(inside.map((r) => [r.componentId, r]));
  const parsed = newest.map((n): Omit<RpoRow, 'ids'> => {
    const i = insideOf.get(n.componentId);
    return {
      componentId: n.componentId,
      copy_worst: numeric(i?.copy_worst ?? null), newest_copy: numeric(n.newest_copy),
      lag_worst: numeric(i?.lag_worst ?? null), lag_latest: numeric(n.lag_latest), lag_count: i?.lag_count ?? 0,
      arc_worst: numeric(i?.arc_worst ?? null), arc_latest: numeric(n.arc_latest), arc_count: i?.arc_count ?? 0,
      reports: i?.reports ?? 0, first_at: i?.first_at ?? null, last_at: i?.last_at ?? null, newest_at: n.newest_at,
    };
  });
  // The reports behind the figures: the time is the second of [value, time] pairs, the first of [time, value] ones.
  const wanted = parsed.flatMap((r) => [r.copy_worst?.[1], r.newest_copy?.[1], r.lag_worst?.[1], r.lag_latest?.[0], r.arc_worst?.[1], r.arc_latest?.[0]].filter((at): at is number => at !== undefined).map((at) => ({ componentId: r.componentId, at })));
  const found = wanted.length
    ? await db().$queryRaw<{ componentId: string; at: number; id: string }[]>(Prisma.sql`
        SELECT DISTINCT ON (e."componentId", e."observedAt") e."componentId"::text AS "componentId", (extract(epoch FROM e."observedAt") * 1000)::float8 AS at, e.id::text AS id
        FROM unnest(${wanted.map((w) => w.componentId)}::uuid[], ${wanted.map((w) => new Date(w.at))}::timestamp[]) AS w(c, at)
        JOIN "RecoveryEvidence" e ON e."componentId" = w.c AND e."observedAt" = w.at AND e.ok`)
    : [];
  const ids = new Map<string, Map<number, string>>();
  for (const f of found) {
    const byTime = ids.get(f.componentId) ?? new Map<number, string>();
    byTime.set(Number(f.at), f.id);
    ids.set(f.componentId, byTime);
  }
  return new Map(parsed.map((r) => [r.componentId, { ...r, ids: ids.get(r.componentId) ?? new Map() }]));
}

function measuredRto(row: RtoRow | undefined, newestAt: number | null, refs: Map<string, EvidenceRef>): MeasuredRto {
  if (!row) return { count: 0, worstMs: null, worst: null, latestMs: null, latest: null, open: 0, failed: null, newestAt };
  const refOf = (at: number | undefined) => (at === undefined ? null : (refs.get(`${row.componentId}/${row.disruption}/${at}`) ?? null));
  return {
    count: row.n,
    open: row.open,
    worstMs: row.worst?.[0] ?? null,
    worst: refOf(row.worst?.[1]),
    latestMs: row.latest?.[0] ?? null,
    latest: refOf(row.latest?.[1]),
    failed: refOf(row.failed_at ?? undefined),
    newestAt,
  };
}

/**
 * RPO of a component under a disruption. Continuous copies count first: a
 * replica's lag against outages, but not against a loss of data (a replica
 * copies the deletion too); an archive that can be replayed to a point in
 * time (a backup reported with lagMs) counts against both. Otherwise the
 * point-in-time copies: the longest interval between two, and at the period's
 * end the newest one's age. A model's artifacts do not change, so any complete
 * copy of them loses nothing.
 */
function measuredRpo(row: RpoRow | undefined, disruption: DisruptionKind, to: number, immutable: boolean): MeasuredRpo {
  const none: MeasuredRpo = { worstMs: null, worst: null, latestMs: null, latest: null, newestAt: null, stopped: false };
  if (!row || row.newest_at === null) return none;
  const evidence = (at: number | undefined): EvidenceRef | null => {
    const id = at === undefined ? undefined : row.ids.get(at);
    return id && at !== undefined ? { kind: 'evidence', id, at: new Date(at).toISOString() } : null;
  };
  const interval = row.reports >= 3 && row.first_at && row.last_at ? (row.last_at.getTime() - row.first_at.getTime()) / (row.reports - 1) : null;
  const stopped = interval !== null && to - row.newest_at.getTime() > Math.max(SILENT_FLOOR_MS, SILENT_INTERVALS * interval);
  // Archives (replayable) against a loss of data; any continuous copy, replicas included, against outages.
  const [count, worst, latest] = disruption === 'data_loss' ? [row.arc_count, row.arc_worst, row.arc_latest] : [row.lag_count, row.lag_worst, row.lag_latest];
  if (count > 0 && latest) {
    return { worstMs: worst?.[0] ?? null, worst: evidence(worst?.[1]), latestMs: latest[1], latest: evidence(latest[0]), newestAt: latest[0], stopped };
  }
  if (!row.newest_copy) return { ...none, stopped };
  const [copyAt, reportedAt] = row.newest_copy;
  const newest = evidence(reportedAt);
  if (immutable) return { worstMs: 0, worst: newest, latestMs: 0, latest: newest, newestAt: copyAt, stopped };
  const age = Math.max(0, to - copyAt);
  const worse = row.copy_worst !== null && row.copy_worst[0] > age;
  return {
    worstMs: worse ? row.copy_worst![0] : age,
    worst: worse ? evidence(row.copy_worst![1]) : newest,
    latestMs: age,
    latest: newest,
    newestAt: copyAt,
    stopped,
  };
}

// ---------------------------------------------------------------- predicted figures

type ChainStep = { headerTimeoutMs: number; maxRetries: number; baseBackoffMs: number; maxBackoffMs: number; targetId: string; targetName: string; enabled: boolean; consecutiveFailures: number; windowMs: number };

/** Every service's chain with what the predictions need (one flat query), and the request rates of the last day. */
async function readPredictionInputs(now: number) {
  const since = new Date(now - RATE_WINDOW_HOURS * HOUR_MS);
  const [steps, serviceRates, targetRates] = await Promise.all([
    db().$queryRaw<(ChainStep & { serviceId: string; serviceName: string })[]>(Prisma.sql`
      SELECT s.id::text AS "serviceId", s.name AS "serviceName", ce."headerTimeoutMs", ce."maxRetries", ce."baseBackoffMs", ce."maxBackoffMs",
        t.id::text AS "targetId", t.name AS "targetName", (t.enabled AND p.enabled AND r.enabled) AS enabled,
        t."breakerConsecutiveFailures" AS "consecutiveFailures", t."breakerWindowMs" AS "windowMs"
      FROM "Service" s
      LEFT JOIN "ChainEntry" ce ON ce."serviceId" = s.id
      LEFT JOIN "Target" t ON t.id = ce."targetId"
      LEFT JOIN "Provider" p ON p.id = t."providerId"
      LEFT JOIN "Region" r ON r.id = t."regionId"
      ORDER BY s.name, ce.position`),
    db().serviceRollup.groupBy({ by: ['serviceId'], where: { resolutionSec: 3600, bucket: { gte: since } }, _sum: { requests: true } }),
    db().targetRollup.groupBy({ by: ['targetId'], where: { resolutionSec: 3600, bucket: { gte: since } }, _sum: { samples: true } }),
  ]);
  const services = new Map<string, { id: string; name: string; chain: ChainStep[] }>();
  for (const { serviceId, serviceName, ...step } of steps) {
    const service = services.get(serviceId) ?? { id: serviceId, name: serviceName, chain: [] };
    if (step.targetId) service.chain.push(step);
    services.set(serviceId, service);
  }
  const rate = (n: number | null | undefined) => (n ?? 0) / (RATE_WINDOW_HOURS * 3600);
  return {
    services: [...services.values()],
    serviceRate: new Map(serviceRates.map((r) => [r.serviceId, rate(r._sum.requests)])),
    targetRate: new Map(targetRates.map((r) => [r.targetId, rate(r._sum.samples)])),
  };
}

async function readTargets() {
  return db().target.findMany({ select: { id: true, name: true, breakerConsecutiveFailures: true, breakerWindowMs: true, breakerOpenMs: true, breakerHalfOpenSuccesses: true, probeIntervalMs: true } });
}

/**
 * The last reports of the last 90 days of each component that has any,
 * oldest first: a short backward index scan per component, not a sort of
 * every report (components without evidence, most model serving ones, are
 * skipped by the EXISTS, which is what keeps the planner's walk short).
 */
async function readRecentReports(to: Date): Promise<Map<string, CopyReport[]>> {
  const since = new Date(to.getTime() - EVIDENCE_FRESH_MS);
  const rows = await db().$queryRaw<{ componentId: string; observedAt: Date; copyAt: Date | null; lagMs: number | null; restoreMs: number | null; ok: boolean; replica: boolean }[]>(Prisma.sql`
    SELECT c.id::text AS "componentId", r."observedAt", r."copyAt", r."lagMs", r."restoreMs", r.ok, r.replica
    FROM "RecoveryComponent" c
    CROSS JOIN LATERAL (
      SELECT "observedAt", "copyAt", ("values"->>'lagMs')::float8 AS "lagMs", "restoreMs", ok, kind = 'replica_lag' AS replica
      FROM "RecoveryEvidence" e WHERE e."componentId" = c.id AND e."observedAt" >= ${since}::timestamp AND e."observedAt" < ${to}::timestamp AND e.kind <> 'drill'
      ORDER BY e."observedAt" DESC LIMIT ${RECENT_REPORTS}
    ) r
    WHERE EXISTS (SELECT 1 FROM "RecoveryEvidence" x WHERE x."componentId" = c.id)
    ORDER BY r."observedAt"`);
  const reports = new Map<string, CopyReport[]>();
  for (const r of rows) {
    const list = reports.get(r.componentId) ?? [];
    list.push({ observedAt: r.observedAt.getTime(), copyAt: r.copyAt?.getTime() ?? null, lagMs: r.lagMs, restoreMs: r.restoreMs, ok: r.ok, replica: r.replica });
    reports.set(r.componentId, list);
  }
  return reports;
}

// ---------------------------------------------------------------- the grid

/** Objectives as they were at the period's end (their version history), so a past quarter is judged by the objectives then in force. */
async function readObjectivesAt(to: Date) {
  return db().$queryRaw<{ componentId: string; disruption: DisruptionKind; rtoMs: number; rpoMs: number; version: number }[]>(Prisma.sql`
    SELECT DISTINCT ON (v."objectiveId") o."componentId"::text AS "componentId", o.disruption::text AS disruption, v."rtoMs", v."rpoMs", v.version
    FROM "RecoveryObjectiveVersion" v JOIN "RecoveryObjective" o ON o.id = v."objectiveId"
    WHERE v."changedAt" <= ${to}::timestamp
    ORDER BY v."objectiveId", v.version DESC`);
}

export async function getCompliance(period: Period, now = Date.now()): Promise<Compliance> {
  const from = new Date(period.from);
  const to = new Date(period.to);
  const [components, objectives, rtoRows, newestRto, rpoRows, inputs, targets, reports, episodeCounts, drillStates] = await Promise.all([
    db().recoveryComponent.findMany({
      where: { createdAt: { lte: to }, OR: [{ retiredAt: null }, { retiredAt: { gt: from } }] },
      orderBy: { name: 'asc' },
      select: {
        id: true, name: true, kind: true, description: true, retiredAt: true, serviceId: true, targetId: true,
        service: { select: { name: true } }, target: { select: { name: true, provider: { select: { kind: true } } } },
      },
    }),
    readObjectivesAt(to),
    readRto(from, to),
    readNewestRto(from, to),
    readRpo(from, to),
    readPredictionInputs(now),
    readTargets(),
    readRecentReports(to),
    db().disruptionEpisode.groupBy({ by: ['status'], where: { startedAt: { gte: from, lt: to } }, _count: { _all: true } }),
    readDrillStates(Math.min(now, period.to)),
  ]);

  const objectiveOf = new Map(objectives.map((o) => [`${o.componentId}/${o.disruption}`, o]));
  const rtoOf = new Map(rtoRows.rows.map((r) => [`${r.componentId}/${r.disruption}`, r]));
  const targetById = new Map(targets.map((t) => [t.id, t]));
  const servicesOfTarget = new Map<string, string[]>();
  for (const s of inputs.services) for (const e of s.chain) servicesOfTarget.set(e.targetId, [...(servicesOfTarget.get(e.targetId) ?? []), s.name]);

  const routingPrediction = new Map<string, (objectiveMs: number | null) => Prediction>();
  for (const s of inputs.services) {
    const enabled = s.chain.filter((e) => e.enabled);
    const primary = enabled[0] ?? null;
    const measuredRate = inputs.serviceRate.get(s.id) ?? 0;
    routingPrediction.set(s.id, (objectiveMs) =>
      predictRoutingRto(
        {
          serviceName: s.name,
          enabledTargets: enabled.length,
          primaryName: primary?.targetName ?? null,
          detection: { consecutiveFailures: primary?.consecutiveFailures ?? 5, windowMs: primary?.windowMs ?? 10_000, requestsPerSecond: measuredRate > 0 ? measuredRate : ASSUMED_REQUESTS_PER_SECOND },
          failover: { headerTimeoutMs: primary?.headerTimeoutMs ?? 30_000, maxRetries: primary?.maxRetries ?? 2, baseBackoffMs: primary?.baseBackoffMs ?? 200, maxBackoffMs: primary?.maxBackoffMs ?? 5_000 },
        },
        objectiveMs,
      ),
    );
  }

  const rows: ComponentRow[] = components.map((c) => {
    const cells: ComponentRow['cells'] = {};
    const relevant = new Set(defaultObjectives(c.kind, { selfHosted: c.target?.provider.kind === 'self_hosted' }).map((t) => t.disruption));
    for (const disruption of DISRUPTIONS) {
      const objective = objectiveOf.get(`${c.id}/${disruption}`) ?? null;
      if (!objective) continue;
      relevant.delete(disruption);
      let predictedRto: Prediction | null = null;
      let predictedRpo: Prediction | null = null;
      if (c.kind === 'service_routing' && c.serviceId && disruption !== 'data_loss') predictedRto = routingPrediction.get(c.serviceId)?.(objective.rtoMs) ?? null;
      const target = c.targetId ? targetById.get(c.targetId) : undefined;
      if (c.kind === 'model_serving' && target && disruption !== 'data_loss') {
        const rps = inputs.targetRate.get(target.id) ?? 0;
        predictedRto = predictServingRto(
          { targetName: target.name, detection: { consecutiveFailures: target.breakerConsecutiveFailures, windowMs: target.breakerWindowMs, requestsPerSecond: rps }, openMs: target.breakerOpenMs, halfOpenSuccesses: target.breakerHalfOpenSuccesses, probeIntervalMs: target.probeIntervalMs },
          objective.rtoMs,
        );
      }
      if (hasState(c.kind, disruption)) {
        const predicted = predictFromReports(c.name, reports.get(c.id) ?? [], objective, disruption === 'data_loss');
        // A model's artifacts do not change: any complete copy of them loses nothing.
        predictedRpo = c.kind === 'model_serving' && predicted.rpo.ms !== null ? { ms: 0, basis: "A model's artifacts do not change: a complete copy loses nothing.", fixes: [] } : predicted.rpo;
        if (disruption === 'data_loss') predictedRto = predicted.rto;
      }
      cells[disruption] = judgeCell(
        {
          componentKind: c.kind, disruption, objective,
          rto: measuredRto(rtoOf.get(`${c.id}/${disruption}`), newestRto.get(`${c.id}/${disruption}`) ?? null, rtoRows.refs),
          rpo: measuredRpo(rpoRows.get(c.id), disruption, period.to, c.kind === 'model_serving'),
          predictedRto, predictedRpo,
        },
        period.to,
      );
    }
    return {
      id: c.id, name: c.name, kind: c.kind, description: c.description, serviceName: c.service?.name ?? null, targetName: c.target?.name ?? null,
      retired: c.retiredAt !== null,
      services: c.kind === 'service_routing' ? (c.service ? [c.service.name] : []) : c.targetId ? (servicesOfTarget.get(c.targetId) ?? []) : [],
      cells,
      missing: c.retiredAt ? [] : [...relevant],
    };
  });

  const active = rows.filter((r) => !r.retired);
  const drillsOf = new Map<string, typeof drillStates>();
  for (const d of drillStates) drillsOf.set(d.componentId, [...(drillsOf.get(d.componentId) ?? []), d]);
  const posture = (list: ComponentRow[]) =>
    assessPosture(
      list.map((r) => ({ id: r.id, name: r.name, cells: Object.values(r.cells), missing: r.missing, drills: drillsOf.get(r.id) ?? [], drillable: r.kind === 'service_routing' })),
      (id) => STATEFUL_KINDS.has(list.find((r) => r.id === id)!.kind),
    );
  const services = inputs.services
    .map((s) => ({ serviceId: s.id, serviceName: s.name, posture: posture(active.filter((r) => r.services.includes(s.name))) }))
    .sort((a, b) => a.posture.score - b.posture.score || a.serviceName.localeCompare(b.serviceName));
  const estate = posture(active.filter((r) => r.kind !== 'service_routing' && r.kind !== 'model_serving'));

  const all = rows.flatMap((r) => Object.values(r.cells));
  const count = (test: (v: Verdict) => boolean) => all.filter((c) => test(c.verdict)).length;
  const episodes = episodeCounts.reduce((sum, g) => sum + g._count._all, 0);
  return {
    period: { key: period.key, label: period.label, from: iso(period.from), to: iso(period.to) },
    generatedAt: iso(now),
    components: rows,
    summary: {
      cells: all.length,
      breached: count((v) => BREACHES.has(v)),
      critical: count((v) => v === 'critical'),
      atRisk: all.filter((c) => c.atRisk).length,
      unverified: count((v) => v === 'unverified'),
      noEvidence: count((v) => v === 'no_evidence'),
      compliant: count((v) => v === 'compliant'),
      episodes,
      openEpisodes: episodeCounts.find((g) => g.status === 'open')?._count._all ?? 0,
    },
    services,
    estate,
    drills: await coverageOf(drillStates),
  };
}

// ---------------------------------------------------------------- episodes

export type EpisodeView = {
  id: string;
  componentId: string;
  componentName: string;
  componentKind: RecoveryComponentKind;
  serviceName: string | null;
  targetName: string | null;
  disruption: DisruptionKind;
  disruptionSetBy: string | null;
  source: 'traffic' | 'drill';
  drillRunId: string | null;
  incidentId: string | null;
  status: 'open' | 'recovered';
  startedAt: string;
  detectedAt: string | null;
  assessedAt: string | null;
  activatedAt: string | null;
  restoredAt: string | null;
  failedRequests: number;
  totalRequests: number;
  parts: RtoParts;
  rtoMs: number | null;
  /** From the start to when it was read (restoration, or now while it is open). */
  elapsedMs: number;
  details: EpisodeDetails;
  /** The objective for its component and disruption now, if any. */
  objective: { rtoMs: number; rpoMs: number } | null;
  /** Target ids in the details, with their names. */
  targetNames: Record<string, string>;
};

const episodeSelect = {
  id: true, componentId: true, disruption: true, disruptionSetBy: true, source: true, drillRunId: true, incidentId: true, status: true,
  startedAt: true, detectedAt: true, assessedAt: true, activatedAt: true, restoredAt: true, failedRequests: true, totalRequests: true,
  tDetectMs: true, tAssessMs: true, tActivateMs: true, tRestoreMs: true, rtoMs: true, details: true,
  component: { select: { name: true, kind: true, service: { select: { name: true } }, target: { select: { name: true } } } },
} as const;

type EpisodeRow = Prisma.DisruptionEpisodeGetPayload<{ select: typeof episodeSelect }>;

const isoOrNull = (d: Date | null) => d?.toISOString() ?? null;

function toEpisodeView(e: EpisodeRow, objective: { rtoMs: number; rpoMs: number } | null, names: Map<string, string>): EpisodeView {
  const details = e.details as unknown as EpisodeDetails;
  const ids = new Set<string>(details.failingTargets ?? []);
  for (const by of [details.activatedBy, details.detectedBy]) if (by && 'targetId' in by && by.targetId) ids.add(by.targetId);
  return {
    id: e.id, componentId: e.componentId, componentName: e.component.name, componentKind: e.component.kind,
    serviceName: e.component.service?.name ?? null, targetName: e.component.target?.name ?? null,
    disruption: e.disruption, disruptionSetBy: e.disruptionSetBy, source: e.source, drillRunId: e.drillRunId, incidentId: e.incidentId, status: e.status,
    startedAt: e.startedAt.toISOString(), detectedAt: isoOrNull(e.detectedAt), assessedAt: isoOrNull(e.assessedAt), activatedAt: isoOrNull(e.activatedAt), restoredAt: isoOrNull(e.restoredAt),
    failedRequests: e.failedRequests, totalRequests: e.totalRequests,
    parts: { tDetectMs: e.tDetectMs, tAssessMs: e.tAssessMs, tActivateMs: e.tActivateMs, tRestoreMs: e.tRestoreMs },
    rtoMs: e.rtoMs, elapsedMs: (e.restoredAt?.getTime() ?? Date.now()) - e.startedAt.getTime(), details, objective,
    targetNames: Object.fromEntries([...ids].map((id) => [id, names.get(id) ?? 'a deleted target'])),
  };
}

async function targetNames(): Promise<Map<string, string>> {
  return new Map((await db().target.findMany({ select: { id: true, name: true } })).map((t) => [t.id, t.name]));
}

export async function getEpisode(id: string): Promise<EpisodeView | null> {
  if (!/^[0-9a-f-]{36}$/i.test(id)) return null;
  const e = await db().disruptionEpisode.findUnique({ where: { id }, select: episodeSelect });
  if (!e) return null;
  const objective = await db().recoveryObjective.findUnique({ where: { componentId_disruption: { componentId: e.componentId, disruption: e.disruption } }, select: { rtoMs: true, rpoMs: true } });
  return toEpisodeView(e, objective, await targetNames());
}

/** Episodes of a period, worst RTO against its objective first, then newest; at most `limit`. */
export async function listEpisodes(period: Period, options: { componentId?: string; ids?: string[]; limit?: number } = {}): Promise<{ episodes: EpisodeView[]; total: number }> {
  const where = { startedAt: { gte: new Date(period.from), lt: new Date(period.to) }, ...(options.componentId ? { componentId: options.componentId } : {}), ...(options.ids ? { id: { in: options.ids } } : {}) };
  const [rows, total, objectives, names] = await Promise.all([
    db().disruptionEpisode.findMany({ where, orderBy: [{ rtoMs: { sort: 'desc', nulls: 'first' } }, { startedAt: 'desc' }], take: options.limit ?? 200, select: episodeSelect }),
    db().disruptionEpisode.count({ where }),
    db().recoveryObjective.findMany({ select: { componentId: true, disruption: true, rtoMs: true, rpoMs: true } }),
    targetNames(),
  ]);
  const objectiveOf = new Map(objectives.map((o) => [`${o.componentId}/${o.disruption}`, { rtoMs: o.rtoMs, rpoMs: o.rpoMs }]));
  return { episodes: rows.map((e) => toEpisodeView(e, objectiveOf.get(`${e.componentId}/${e.disruption}`) ?? null, names)), total };
}

// ---------------------------------------------------------------- a component

export async function getComponent(id: string) {
  if (!/^[0-9a-f-]{36}$/i.test(id)) return null;
  const component = await db().recoveryComponent.findUnique({
    where: { id },
    select: {
      id: true, name: true, kind: true, description: true, createdAt: true, retiredAt: true, version: true,
      service: { select: { name: true } }, target: { select: { name: true, provider: { select: { kind: true } } } },
      objectives: {
        orderBy: { disruption: 'asc' },
        select: { id: true, disruption: true, rtoMs: true, rpoMs: true, reason: true, updatedBy: true, updatedAt: true, version: true, versions: { orderBy: { version: 'desc' }, take: 20, select: { version: true, rtoMs: true, rpoMs: true, reason: true, changedBy: true, changedAt: true } } },
      },
      evidence: { orderBy: { observedAt: 'desc' }, take: 50, select: { id: true, kind: true, observedAt: true, receivedAt: true, ok: true, copyAt: true, rpoMs: true, restoreMs: true, disruption: true, values: true, source: true } },
    },
  });
  if (!component) return null;
  return {
    ...component,
    createdAt: component.createdAt.toISOString(),
    retiredAt: isoOrNull(component.retiredAt),
    relevant: defaultObjectives(component.kind, { selfHosted: component.target?.provider.kind === 'self_hosted' }).map((t) => t.disruption),
    objectives: component.objectives.map((o) => ({ ...o, updatedAt: o.updatedAt.toISOString(), versions: o.versions.map((v) => ({ ...v, changedAt: v.changedAt.toISOString() })) })),
    evidence: component.evidence.map((e) => ({ ...e, observedAt: e.observedAt.toISOString(), receivedAt: e.receivedAt.toISOString(), copyAt: isoOrNull(e.copyAt), values: e.values as Record<string, unknown> })),
  };
}
export type ComponentDetail = NonNullable<Awaited<ReturnType<typeof getComponent>>>;

export async function getEvidence(id: string) {
  if (!/^[0-9a-f-]{36}$/i.test(id)) return null;
  const e = await db().recoveryEvidence.findUnique({ where: { id }, select: { id: true, componentId: true, kind: true, observedAt: true, receivedAt: true, ok: true, copyAt: true, rpoMs: true, restoreMs: true, disruption: true, values: true, source: true, component: { select: { name: true } } } });
  return e ? { ...e, observedAt: e.observedAt.toISOString(), receivedAt: e.receivedAt.toISOString(), copyAt: isoOrNull(e.copyAt), values: e.values as Record<string, unknown> } : null;
}

// ---------------------------------------------------------------- the report

export type ServiceTraffic = { serviceName: string; requests: number; failures: number };

export type RecoveryReport = Compliance & {
  episodes: EpisodeView[];
  episodesTotal: number;
  /** Cells in breach, worst first, with what was done (the episode's operator actions, incidents). */
  breaches: { componentName: string; disruption: DisruptionKind; cell: Cell; episode: EpisodeView | null }[];
  /** Requests per service in the period; null unless asked for (getServiceTraffic). */
  traffic: ServiceTraffic[] | null;
  /** Episodes per week (Monday, UTC) and disruption, for the report's chart. */
  weekly: { weekStart: string; disruption: DisruptionKind; count: number }[];
};

/** Episodes listed in a report; the CSV lists them all. */
export const REPORT_EPISODES = 60;

/**
 * Requests and failures per service over the period, from the hour rollups.
 * Apart from the report's other reads: a quarter is half a million rollup
 * rows for 200 services, so the page streams this table in after the rest
 * (the PDF and the CSV wait for it).
 */
export async function getServiceTraffic(period: Period): Promise<ServiceTraffic[]> {
  const rows = await db().$queryRaw<{ serviceName: string; requests: bigint; failures: bigint }[]>(Prisma.sql`
    SELECT s.name AS "serviceName", COALESCE(sum(r.requests), 0)::bigint AS requests, COALESCE(sum(r.failures), 0)::bigint AS failures
    FROM "Service" s LEFT JOIN "ServiceRollup" r ON r."serviceId" = s.id AND r."resolutionSec" = 3600 AND r.bucket >= ${new Date(period.from)}::timestamp AND r.bucket < ${new Date(period.to)}::timestamp
    GROUP BY s.name ORDER BY s.name`);
  return rows.map((t) => ({ serviceName: t.serviceName, requests: Number(t.requests), failures: Number(t.failures) }));
}

export async function getRecoveryReport(period: Period, options: { episodes?: number; traffic?: boolean } = {}): Promise<RecoveryReport> {
  const [compliance, { episodes, total }, traffic, weekly] = await Promise.all([
    getCompliance(period),
    listEpisodes(period, { limit: options.episodes ?? REPORT_EPISODES }),
    options.traffic ? getServiceTraffic(period) : Promise.resolve(null),
    db().$queryRaw<{ week: Date; disruption: DisruptionKind; count: number }[]>(Prisma.sql`
      SELECT date_trunc('week', "startedAt") AS week, disruption::text AS disruption, count(*)::int AS count
      FROM "DisruptionEpisode" WHERE "startedAt" >= ${new Date(period.from)}::timestamp AND "startedAt" < ${new Date(period.to)}::timestamp
      GROUP BY 1, 2 ORDER BY 1`),
  ]);
  const breachCells = compliance.components
    .flatMap((c) => Object.values(c.cells).map((cell) => ({ componentName: c.name, disruption: cell.disruption, cell })))
    .filter(({ cell }) => BREACHES.has(cell.verdict))
    .sort((a, b) => (b.cell.ratio ?? 0) - (a.cell.ratio ?? 0));
  const episodeIds = breachCells.map((b) => b.cell.rto.worst).filter((r): r is EvidenceRef => r?.kind === 'episode').map((r) => r.id);
  const listed = new Set(episodes.map((e) => e.id));
  const missing = episodeIds.filter((id) => !listed.has(id));
  const extra = missing.length ? (await listEpisodes(period, { ids: missing, limit: missing.length })).episodes : [];
  const byId = new Map([...episodes, ...extra].map((e) => [e.id, e]));
  return {
    ...compliance,
    episodes,
    episodesTotal: total,
    breaches: breachCells.map((b) => ({ ...b, episode: b.cell.rto.worst?.kind === 'episode' ? (byId.get(b.cell.rto.worst.id) ?? null) : null })),
    traffic,
    weekly: weekly.map((w) => ({ weekStart: w.week.toISOString(), disruption: w.disruption, count: w.count })),
  };
}

