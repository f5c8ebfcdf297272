import 'server-only';
// Live health reads for the Health page and the service live panel. Samples are
// aggregated in PostgreSQL (percentile_cont, date_bin) and only summaries leave
// this module: a busy service writes tens of thousands of samples in fifteen
// minutes, and the panels poll every two seconds. Times are compared against
// bounds computed here and passed as parameters, never against SQL now(): the
// columns are UTC timestamps without a zone, and the session's zone must not matter.
import { db, Prisma } from '@/lib/server/db';
import type { LatencySummary, WindowSummary } from './stats';
import { targetVerdict, type Verdict } from './verdict';

export type BreakerState = 'closed' | 'open' | 'half_open';
/** A target without a TargetBreaker row has never tripped: closed, since unknown. */
export type BreakerView = { state: BreakerState; since: string | null };

export type TransitionRow = { id: string; targetId: string; targetName: string; from: BreakerState; to: BreakerState; at: string; cause: string };

export type TargetLive = {
  targetId: string;
  name: string;
  /** Place in the service's failover chain, 0 first; null for a target that served this service in the window but has left its chain. */
  position: number | null;
  breaker: BreakerView;
  last1m: WindowSummary;
  last15m: WindowSummary;
};

export type SeriesPoint = { t: string; requests: number; errors: number; p50: number | null; p95: number | null; ttftP50: number | null; ttftP95: number | null };

export type OverrideRow = { id: string; kind: 'force_failover' | 'pin' | 'drain'; targetName: string | null; reason: string; createdBy: string; createdAt: string; expiresAt: string | null };

export type ServiceLive = {
  generatedAt: string;
  service: { id: string; name: string; enabled: boolean };
  windowMinutes: number;
  bucketSeconds: number;
  /** The target of the most recent successful traffic sample in the window, or null. */
  servingTargetId: string | null;
  lastServedAt: string | null;
  perTarget: TargetLive[];
  /** Traffic of the whole service (every target), oldest bucket first; the last bucket is the one in progress. */
  series: SeriesPoint[];
  transitions: TransitionRow[];
  overrides: OverrideRow[];
};

const MINUTE_MS = 60_000;
const TRANSITIONS_PER_SERVICE = 20;
const TRANSITIONS_OVERVIEW = 50;
const OVERVIEW_WINDOW_MINUTES = 5;
/** How far back the overview looks for a target's last probe; bounds the index scan. */
const LAST_PROBE_LOOKBACK_MS = 24 * 60 * MINUTE_MS;
/** Charts get at most this many buckets, and buckets are never shorter than 10 s. */
const MAX_BUCKETS = 90;
const MIN_BUCKET_SECONDS = 10;

// Latency and TTFT percentiles over successful attempts only, as in stats.ts
// (percentile_cont ignores the NULL ttftMs of non-streamed answers).
const SUMMARY_COLUMNS = Prisma.sql`
  count(*)::int AS requests,
  count(*) FILTER (WHERE s.ok)::int AS successes,
  percentile_cont(0.5) WITHIN GROUP (ORDER BY s."latencyMs") FILTER (WHERE s.ok) AS p50,
  percentile_cont(0.95) WITHIN GROUP (ORDER BY s."latencyMs") FILTER (WHERE s.ok) AS p95,
  percentile_cont(0.5) WITHIN GROUP (ORDER BY s."ttftMs") FILTER (WHERE s.ok) AS "ttftP50",
  percentile_cont(0.95) WITHIN GROUP (ORDER BY s."ttftMs") FILTER (WHERE s.ok) AS "ttftP95"`;

type SummaryRow = { requests: number; successes: number; p50: number | null; p95: number | null; ttftP50: number | null; ttftP95: number | null };

const ms = (value: number | null) => (value == null ? null : Math.round(value));

function toLatencySummary(row: SummaryRow | undefined): LatencySummary {
  if (!row || row.requests === 0) return { requests: 0, successRate: null, p50: null, p95: null, ttftP50: null, ttftP95: null };
  return { requests: row.requests, successRate: row.successes / row.requests, p50: ms(row.p50), p95: ms(row.p95), ttftP50: ms(row.ttftP50), ttftP95: ms(row.ttftP95) };
}

const toBreakerView = (breaker: { state: BreakerState; since: Date } | null): BreakerView =>
  breaker ? { state: breaker.state, since: breaker.since.toISOString() } : { state: 'closed', since: null };

export function findTransitions(targetIds: string[] | null, take: number) {
  return db().breakerTransition.findMany({
    where: targetIds ? { targetId: { in: targetIds } } : {},
    orderBy: [{ at: 'desc' }, { id: 'desc' }],
    take,
    select: { id: true, targetId: true, from: true, to: true, at: true, cause: true },
  });
}

export function toTransitionRows(rows: Awaited<ReturnType<typeof findTransitions>>, names: Map<string, string>): TransitionRow[] {
  return rows.map((row) => ({ ...row, id: row.id.toString(), targetName: names.get(row.targetId) ?? 'deleted target', at: row.at.toISOString() }));
}

/** Bucket width for a window: 10 s for 15 minutes, wider for longer windows so charts stay readable. */
export function bucketSecondsFor(windowMinutes: number): number {
  return Math.max(MIN_BUCKET_SECONDS, Math.ceil((windowMinutes * 60) / MAX_BUCKETS / MIN_BUCKET_SECONDS) * MIN_BUCKET_SECONDS);
}

/**
 * What a service's traffic looks like now: per chain target, the breaker and
 * summaries of the last minute and the window; the whole service's traffic in
 * buckets; recent breaker transitions and active overrides. Null for an unknown service.
 */
export async function getServiceLive(serviceName: string, windowMinutes = 15, now = new Date()): Promise<ServiceLive | null> {
  const service = await db().service.findUnique({
    where: { name: serviceName },
    select: {
      id: true, name: true, enabled: true,
      chain: { orderBy: { position: 'asc' }, select: { position: true, target: { select: { id: true, name: true, breaker: { select: { state: true, since: true } } } } } },
    },
  });
  if (!service) return null;

  const windowStart = new Date(now.getTime() - windowMinutes * MINUTE_MS);
  const minuteStart = new Date(now.getTime() - MINUTE_MS);
  const bucketSeconds = bucketSecondsFor(windowMinutes);
  const bucketMs = bucketSeconds * 1000;
  const bucketCount = Math.ceil((windowMinutes * MINUTE_MS) / bucketMs);
  // Buckets are aligned to the epoch so they do not shift between polls; the last one is in progress.
  const seriesEnd = Math.floor(now.getTime() / bucketMs) * bucketMs + bucketMs;
  const seriesStart = new Date(seriesEnd - bucketCount * bucketMs);
  const traffic = Prisma.sql`s."serviceId" = ${service.id}::uuid AND s.source = 'traffic' AND s.at <= ${now}::timestamp`;
  const chainIds = service.chain.map((entry) => entry.target.id);

  const [summaryRows, errorRows, seriesRows, serving, transitions, overrides] = await Promise.all([
    db().$queryRaw<(SummaryRow & { targetId: string; window: '1m' | 'window' })[]>`
      SELECT s."targetId", w.name AS "window", ${SUMMARY_COLUMNS}
      FROM "HealthSample" s
      JOIN (VALUES ('1m', ${minuteStart}::timestamp), ('window', ${windowStart}::timestamp)) AS w(name, since) ON s.at >= w.since
      WHERE ${traffic} AND s.at >= ${windowStart}::timestamp
      GROUP BY s."targetId", w.name`,
    db().$queryRaw<{ targetId: string; window: '1m' | 'window'; errorClass: string; count: number }[]>`
      SELECT s."targetId", w.name AS "window", coalesce(s."errorClass", 'unknown') AS "errorClass", count(*)::int AS count
      FROM "HealthSample" s
      JOIN (VALUES ('1m', ${minuteStart}::timestamp), ('window', ${windowStart}::timestamp)) AS w(name, since) ON s.at >= w.since
      WHERE ${traffic} AND s.at >= ${windowStart}::timestamp AND NOT s.ok
      GROUP BY 1, 2, 3`,
    db().$queryRaw<(SummaryRow & { bucket: Date })[]>`
      SELECT date_bin(make_interval(secs => ${bucketSeconds}), s.at, TIMESTAMP '1970-01-01') AS bucket, ${SUMMARY_COLUMNS}
      FROM "HealthSample" s
      WHERE ${traffic} AND s.at >= ${seriesStart}::timestamp
      GROUP BY bucket`,
    db().healthSample.findFirst({
      where: { serviceId: service.id, source: 'traffic', ok: true, at: { gte: windowStart, lte: now } },
      orderBy: { at: 'desc' }, select: { targetId: true, at: true },
    }),
    findTransitions(chainIds, TRANSITIONS_PER_SERVICE),
    // A drain applies to its target in every service, so a drain of a chain target counts here too.
    db().routingOverride.findMany({
      where: {
        clearedAt: null,
        OR: [{ expiresAt: null }, { expiresAt: { gt: now } }],
        AND: [{ OR: [{ serviceId: service.id }, { kind: 'drain', targetId: { in: chainIds } }] }],
      },
      orderBy: { createdAt: 'desc' },
      select: { id: true, kind: true, reason: true, createdBy: true, createdAt: true, expiresAt: true, target: { select: { name: true } } },
    }),
  ]);

  // Chain targets in order, then any target that served the service in the window from outside its chain.
  const strayIds = [...new Set(summaryRows.map((row) => row.targetId))].filter((id) => !chainIds.includes(id));
  const strays = strayIds.length
    ? await db().target.findMany({ where: { id: { in: strayIds } }, orderBy: { name: 'asc' }, select: { id: true, name: true, breaker: { select: { state: true, since: true } } } })
    : [];
  const targets = [
    ...service.chain.map((entry) => ({ ...entry.target, position: entry.position as number | null })),
    ...strays.map((target) => ({ ...target, position: null })),
  ];
  const names = new Map(targets.map((target) => [target.id, target.name]));

  const summaryOf = (targetId: string, window: '1m' | 'window'): WindowSummary => {
    const errorsByClass: Record<string, number> = {};
    for (const row of errorRows) if (row.targetId === targetId && row.window === window) errorsByClass[row.errorClass] = row.count;
    return { ...toLatencySummary(summaryRows.find((row) => row.targetId === targetId && row.window === window)), errorsByClass };
  };

  const byBucket = new Map(seriesRows.map((row) => [row.bucket.getTime(), row]));
  const series = Array.from({ length: bucketCount }, (_, index): SeriesPoint => {
    const start = seriesStart.getTime() + index * bucketMs;
    const row = byBucket.get(start);
    const { requests, p50, p95, ttftP50, ttftP95 } = toLatencySummary(row);
    return { t: new Date(start).toISOString(), requests, errors: row ? row.requests - row.successes : 0, p50, p95, ttftP50, ttftP95 };
  });

  return {
    generatedAt: now.toISOString(),
    service: { id: service.id, name: service.name, enabled: service.enabled },
    windowMinutes,
    bucketSeconds,
    servingTargetId: serving?.targetId ?? null,
    lastServedAt: serving?.at.toISOString() ?? null,
    perTarget: targets.map((target) => ({
      targetId: target.id, name: target.name, position: target.position, breaker: toBreakerView(target.breaker),
      last1m: summaryOf(target.id, '1m'), last15m: summaryOf(target.id, 'window'),
    })),
    series,
    transitions: toTransitionRows(transitions, names),
    overrides: overrides.map(({ target, createdAt, expiresAt, ...row }) => ({
      ...row, targetName: target?.name ?? null, createdAt: createdAt.toISOString(), expiresAt: expiresAt?.toISOString() ?? null,
    })),
  };
}

export type LastProbe = { at: string; ok: boolean; latencyMs: number; errorClass: string | null; statusCode: number | null };

export type TargetHealthRow = {
  targetId: string;
  name: string;
  enabled: boolean;
  provider: string;
  region: string;
  breaker: BreakerView;
  /** How the breaker decides (Target.breaker*): shown so the page can say what would open it. */
  breakerRule: { consecutiveFailures: number; failureRate: number; minimumRequests: number; windowMs: number; openMs: number };
  /** The most recent probe in the last 24 hours, or null. */
  lastProbe: LastProbe | null;
  /** Probes over the last five minutes, and how often the monitor sends one. */
  probes: { count: number; failures: number; intervalMs: number };
  /** The gateway's traffic to the target over the last five minutes. */
  traffic: LatencySummary;
  /** One word for all of it, why, which signals reach the breaker, and the probe that matters now (verdict.ts). */
  verdict: Verdict;
};

export type HealthOverview = { generatedAt: string; windowMinutes: number; targets: TargetHealthRow[]; transitions: TransitionRow[] };

const HEALTH_TARGET_SELECT = {
  id: true, name: true, enabled: true, provider: { select: { name: true } }, region: { select: { code: true } }, breaker: { select: { state: true, since: true } },
  breakerConsecutiveFailures: true, breakerFailureRate: true, breakerMinimumRequests: true, breakerWindowMs: true, breakerOpenMs: true, probeIntervalMs: true,
} as const;

/**
 * Each target's breaker, its probes and its traffic over the last five
 * minutes, and the verdict drawn from all three; `targetIds` limits it to some.
 */
export async function targetHealth(now: Date, targetIds?: string[]): Promise<TargetHealthRow[]> {
  const windowStart = new Date(now.getTime() - OVERVIEW_WINDOW_MINUTES * MINUTE_MS);
  const probeLookback = new Date(now.getTime() - LAST_PROBE_LOOKBACK_MS);
  const only = targetIds ? Prisma.sql`AND s."targetId" = ANY(${targetIds}::uuid[])` : Prisma.empty;
  const onlyTargets = targetIds ? Prisma.sql`WHERE t.id = ANY(${targetIds}::uuid[])` : Prisma.empty;
  const [targets, summaryRows, probeRows] = await Promise.all([
    db().target.findMany({ where: targetIds ? { id: { in: targetIds } } : {}, orderBy: { name: 'asc' }, select: HEALTH_TARGET_SELECT }),
    db().$queryRaw<(SummaryRow & { targetId: string; source: 'probe' | 'traffic' })[]>`
      SELECT s."targetId", s.source, ${SUMMARY_COLUMNS}
      FROM "HealthSample" s
      WHERE s.at >= ${windowStart}::timestamp AND s.at <= ${now}::timestamp ${only}
      GROUP BY s."targetId", s.source`,
    // One index lookup per target on (targetId, at) rather than scanning every probe.
    db().$queryRaw<(Omit<LastProbe, 'at'> & { targetId: string; at: Date })[]>`
      SELECT t.id AS "targetId", p.at, p.ok, p."latencyMs", p."errorClass", p."statusCode"
      FROM "Target" t
      CROSS JOIN LATERAL (
        SELECT s.at, s.ok, s."latencyMs", s."errorClass", s."statusCode"
        FROM "HealthSample" s
        WHERE s."targetId" = t.id AND s.source = 'probe' AND s.at >= ${probeLookback}::timestamp AND s.at <= ${now}::timestamp
        ORDER BY s.at DESC
        LIMIT 1
      ) p ${onlyTargets}`,
  ]);
  const summaryOf = (targetId: string, source: 'probe' | 'traffic') => summaryRows.find((row) => row.targetId === targetId && row.source === source);
  const probes = new Map(probeRows.map(({ targetId, at, ...probe }) => [targetId, { ...probe, at: at.toISOString() }]));
  return targets.map((target) => {
    const probe = summaryOf(target.id, 'probe');
    const probeCounts = { count: probe?.requests ?? 0, failures: probe ? probe.requests - probe.successes : 0 };
    const traffic = toLatencySummary(summaryOf(target.id, 'traffic'));
    const breaker = toBreakerView(target.breaker);
    const lastProbe = probes.get(target.id) ?? null;
    return {
      targetId: target.id,
      name: target.name,
      enabled: target.enabled,
      provider: target.provider.name,
      region: target.region.code,
      breaker,
      breakerRule: {
        consecutiveFailures: target.breakerConsecutiveFailures, failureRate: target.breakerFailureRate, minimumRequests: target.breakerMinimumRequests,
        windowMs: target.breakerWindowMs, openMs: target.breakerOpenMs,
      },
      lastProbe,
      probes: { ...probeCounts, intervalMs: target.probeIntervalMs },
      traffic,
      verdict: targetVerdict({ breaker, lastProbe, probes: probeCounts, traffic: { count: traffic.requests, successRate: traffic.successRate } }),
    };
  });
}

/** Every target's breaker, probes, traffic and verdict, with the latest breaker transitions. */
export async function getHealthOverview(now = new Date()): Promise<HealthOverview> {
  const [targets, transitions] = await Promise.all([targetHealth(now), findTransitions(null, TRANSITIONS_OVERVIEW)]);
  const names = new Map(targets.map((target) => [target.targetId, target.name]));
  return { generatedAt: now.toISOString(), windowMinutes: OVERVIEW_WINDOW_MINUTES, targets, transitions: toTransitionRows(transitions, names) };
}
