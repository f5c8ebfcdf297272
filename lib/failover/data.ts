import 'server-only';
// Failover reads for the dashboard. Routing state shown here is computed by the
// same planner the gateway runs (lib/routing/plan.ts), from a snapshot-shaped
// copy of the database rows (lib/routing/planning-inputs.ts), so the page and
// the traffic agree.
import { ADAPTIVE_MAX_AGE_MS, ADAPTIVE_WINDOW_SAMPLES, describeLimit, limitInForce, type LatencyKind, type LatencyStats } from '@/lib/routing/adaptive-limits';
import type { BreakerState } from '@/lib/routing/enums';
import { isErrorClass, type ErrorClass } from '@/lib/routing/error-classes';
import type { SnapshotOverride, SnapshotService } from '@/lib/routing/model';
import { db, Prisma } from '@/lib/server/db';
import { loadPlanningInputs, type PlanningInputs } from '@/lib/routing/planning-inputs';
import { previewSteering, type SteeringPreview } from './impact';
import { activeOverrides, planRoute, summarizePlan, type PlanSummary } from '@/lib/routing/plan';
import type { SteeringAction } from './schemas';
import type { TierForecast } from '@/lib/degradation/forecast';
import { forecastTiers } from '@/lib/degradation/forecast-data';

// ---------------------------------------------------------------- views

export type OverrideView = {
  id: string;
  kind: SnapshotOverride['kind'];
  /** Set for pins, and for forced failovers (the target traffic was moved away from) and drains. */
  targetId: string | null;
  targetName: string | null;
  reason: string;
  createdBy: string;
  createdAt: string;
  /** ISO time; null: until someone returns the service to automatic. */
  expiresAt: string | null;
};

/** Overrides in force for one service: its pin or forced failovers, and drains of its chain's targets. */
function overridesFor(service: SnapshotService, inputs: PlanningInputs, now: number): OverrideView[] {
  const chainTargets = new Set(service.chain.map((entry) => entry.targetId));
  return activeOverrides(inputs.overrides, now)
    .filter((o) => (o.serviceId === service.id && o.kind !== 'drain') || (o.kind === 'drain' && o.targetId !== null && chainTargets.has(o.targetId) && (o.serviceId ?? service.id) === service.id))
    .map((o) => ({
      id: o.id, kind: o.kind, targetId: o.targetId, targetName: o.targetId ? (inputs.targets.get(o.targetId)?.name ?? null) : null,
      reason: o.reason, createdBy: o.createdBy, createdAt: new Date(o.createdAt).toISOString(), expiresAt: o.expiresAt === null ? null : new Date(o.expiresAt).toISOString(),
    }));
}

export type BreakerStateView = { state: BreakerState; since: string | null };

export type ChainEntryView = {
  position: number;
  targetId: string;
  targetName: string;
  providerName: string;
  regionCode: string;
  model: string;
  rpm: number;
  /** The target, its provider and its region are all enabled. */
  enabled: boolean;
  breaker: BreakerStateView;
  failoverOn: ErrorClass[];
  latencyLimitMs: number | null;
  maxRetries: number;
  baseBackoffMs: number;
  maxBackoffMs: number;
  connectTimeoutMs: number;
  headerTimeoutMs: number;
  firstTokenTimeoutMs: number;
  streamIdleTimeoutMs: number;
  totalTimeoutMs: number;
  adaptiveLimitMultiplier: number | null;
  adaptiveLimitFloorMs: number;
  /** The first-token (streams) and header (complete answers) limits in force now, and why (lib/routing/adaptive-limits.ts). */
  limitsInForce: { firstToken: string; header: string };
};

export type BreakerTransitionView = { id: string; targetId: string; targetName: string; from: BreakerState; to: BreakerState; at: string; cause: string; replica: string };

export type ServiceRouting = {
  service: { id: string; name: string; description: string; owner: string; enabled: boolean; version: number; routingVersion: number };
  chain: ChainEntryView[];
  plan: PlanSummary;
  overrides: OverrideView[];
  transitions: BreakerTransitionView[];
  load: ServiceLoad;
};

export type ServiceLoad = { requestsPerMinute: number; windowMinutes: number };

const LOAD_WINDOW_MINUTES = 5;

/**
 * Requests per minute the gateway sent for a service over the last five
 * minutes. A request retried or failed over leaves one sample per attempt, so
 * requests are counted by their id.
 */
export async function getServiceLoad(serviceId: string, now = new Date()): Promise<ServiceLoad> {
  const since = new Date(now.getTime() - LOAD_WINDOW_MINUTES * 60_000);
  const [row] = await db().$queryRaw<{ requests: number }[]>(Prisma.sql`
    SELECT count(DISTINCT coalesce("requestId", id::text))::int AS requests
    FROM "HealthSample"
    WHERE "serviceId" = ${serviceId}::uuid AND source = 'traffic' AND at > ${since}::timestamp AND at <= ${now}::timestamp`);
  return { requestsPerMinute: Math.round(((row?.requests ?? 0) / LOAD_WINDOW_MINUTES) * 10) / 10, windowMinutes: LOAD_WINDOW_MINUTES };
}

/** Everything the service page shows about routing; null if no service has this name. */
export async function getServiceRouting(serviceName: string): Promise<ServiceRouting | null> {
  const row = await db().service.findUnique({
    where: { name: serviceName },
    select: {
      id: true, name: true, description: true, owner: true, enabled: true, version: true, routingVersion: true,
      chain: {
        orderBy: { position: 'asc' },
        select: {
          position: true, targetId: true, failoverOn: true, latencyLimitMs: true, maxRetries: true, baseBackoffMs: true, maxBackoffMs: true,
          connectTimeoutMs: true, headerTimeoutMs: true, firstTokenTimeoutMs: true, streamIdleTimeoutMs: true, totalTimeoutMs: true,
          adaptiveLimitMultiplier: true, adaptiveLimitFloorMs: true,
          target: {
            select: {
              name: true, model: true, rpm: true, enabled: true,
              provider: { select: { name: true, enabled: true } }, region: { select: { code: true, enabled: true } },
              breaker: { select: { state: true, since: true } },
            },
          },
        },
      },
    },
  });
  if (!row) return null;

  const now = Date.now();
  const chainTargetIds = row.chain.map((entry) => entry.targetId);
  const [inputs, transitions, load, latency] = await Promise.all([
    loadPlanningInputs(db(), now),
    db().breakerTransition.findMany({ where: { targetId: { in: chainTargetIds } }, orderBy: [{ at: 'desc' }, { id: 'desc' }], take: 20 }),
    getServiceLoad(row.id, new Date(now)),
    recentLatency(chainTargetIds, now),
  ]);
  // The planner reads the same rows; if the service vanished in between, say so as the page would have.
  const service = inputs.services.get(row.name);
  if (!service) return null;

  const { chain, ...fields } = row;
  const names = new Map(chain.map((entry) => [entry.targetId, entry.target.name]));
  return {
    service: fields,
    chain: chain.map(({ target, failoverOn, ...entry }, index) => ({
      ...entry,
      limitsInForce: limitsInForce(entry, latency, index < chain.length - 1),
      failoverOn: failoverOn.filter(isErrorClass),
      targetName: target.name,
      providerName: target.provider.name,
      regionCode: target.region.code,
      model: target.model,
      rpm: target.rpm,
      enabled: target.enabled && target.provider.enabled && target.region.enabled,
      breaker: { state: target.breaker?.state ?? 'closed', since: target.breaker?.since.toISOString() ?? null },
    })),
    plan: summarizePlan(planRoute(service, inputs.targets, inputs.overrides, inputs.breakerOf, now), inputs.targets),
    overrides: overridesFor(service, inputs, now),
    transitions: transitions.map((t) => ({
      id: t.id.toString(), targetId: t.targetId, targetName: names.get(t.targetId) ?? t.targetId, from: t.from, to: t.to, at: t.at.toISOString(), cause: t.cause, replica: t.replica,
    })),
    load,
  };
}

type ChainLimits = {
  targetId: string; firstTokenTimeoutMs: number; headerTimeoutMs: number; latencyLimitMs: number | null; adaptiveLimitMultiplier: number | null; adaptiveLimitFloorMs: number;
};

/**
 * The limits the gateway applies to a chain step, from the same statistic it keeps per replica (the last
 * ADAPTIVE_WINDOW_SAMPLES successful attempts within ADAPTIVE_MAX_AGE_MS), read here from the recorded attempts of
 * every replica. `canFallBack`: a later step exists (the gateway also asks that it may serve at that moment).
 */
function limitsInForce(entry: ChainLimits, latency: Map<string, LatencyStats>, canFallBack: boolean): ChainEntryView['limitsInForce'] {
  const setting = { multiplier: entry.adaptiveLimitMultiplier, floorMs: entry.adaptiveLimitFloorMs };
  const describe = (kind: LatencyKind, fixedMs: number, what: string) => {
    const stats = latency.get(`${kind}:${entry.targetId}`) ?? null;
    if (setting.multiplier !== null && !canFallBack) return describeLimit({ ms: fixedMs, basis: 'last_resort', p99Ms: null, samples: stats?.samples ?? 0 }, setting, what);
    return describeLimit(limitInForce(fixedMs, setting, stats), setting, what);
  };
  return {
    firstToken: describe('first_token', entry.firstTokenTimeoutMs, 'First token'),
    header: describe('complete', Math.min(entry.headerTimeoutMs, entry.latencyLimitMs ?? Infinity), 'Complete answer'),
  };
}

/** p99 of the most recent successful attempts per target: time to first token for streams, the whole answer otherwise. */
async function recentLatency(targetIds: string[], now: number): Promise<Map<string, LatencyStats>> {
  if (targetIds.length === 0) return new Map();
  const since = new Date(now - ADAPTIVE_MAX_AGE_MS);
  const rows = await db().$queryRaw<{ targetId: string; kind: LatencyKind; samples: number; p99: number }[]>(Prisma.sql`
    SELECT "targetId", kind, count(*)::int AS samples, percentile_disc(0.99) WITHIN GROUP (ORDER BY ms)::float8 AS p99
    FROM (
      SELECT "targetId", CASE WHEN "ttftMs" IS NULL THEN 'complete' ELSE 'first_token' END AS kind, coalesce("ttftMs", "latencyMs") AS ms,
        row_number() OVER (PARTITION BY "targetId", "ttftMs" IS NULL ORDER BY at DESC) AS n
      FROM "HealthSample"
      WHERE "targetId" = ANY(${targetIds}::uuid[]) AND source = 'traffic' AND ok AND at > ${since}::timestamp
    ) recent
    WHERE n <= ${ADAPTIVE_WINDOW_SAMPLES}
    GROUP BY "targetId", kind`);
  return new Map(rows.map((r) => [`${r.kind}:${r.targetId}`, { p99Ms: r.p99, samples: r.samples }]));
}

export type ChainTargetOption = { id: string; name: string; providerName: string; regionCode: string; model: string; rpm: number; enabled: boolean };

/** Every target, for the chain editor's "add a target" choice. */
export async function getChainTargetOptions(): Promise<ChainTargetOption[]> {
  const rows = await db().target.findMany({
    orderBy: { name: 'asc' },
    select: { id: true, name: true, model: true, rpm: true, enabled: true, provider: { select: { name: true, enabled: true } }, region: { select: { code: true, enabled: true } } },
  });
  return rows.map((t) => ({
    id: t.id, name: t.name, providerName: t.provider.name, regionCode: t.region.code, model: t.model, rpm: t.rpm,
    enabled: t.enabled && t.provider.enabled && t.region.enabled,
  }));
}

export type RoutingOverviewRow = {
  id: string;
  name: string;
  enabled: boolean;
  chainLength: number;
  plan: PlanSummary;
  overrides: OverrideView[];
  openBreakers: string[];
};

/** Every service with its routing as the gateway would route it now. */
export async function listRoutingOverview(): Promise<RoutingOverviewRow[]> {
  const now = Date.now();
  const inputs = await loadPlanningInputs(db(), now);
  return [...inputs.services.values()].map((service) => ({
    id: service.id,
    name: service.name,
    enabled: service.enabled,
    chainLength: service.chain.length,
    plan: summarizePlan(planRoute(service, inputs.targets, inputs.overrides, inputs.breakerOf, now), inputs.targets),
    overrides: overridesFor(service, inputs, now),
    openBreakers: service.chain.filter((entry) => inputs.breakerOf(entry.targetId) === 'open').map((entry) => inputs.targets.get(entry.targetId)?.name ?? entry.targetId),
  }));
}

export type SteeringPreviewView = SteeringPreview & {
  serviceName: string;
  routingVersion: number;
  load: ServiceLoad;
  /** The tier that would follow for the service, and for each other service a drain touches (by service id). */
  tier: TierForecast | null;
  tierElsewhere: Record<string, TierForecast>;
};

/** The impact preview of a steering action on a service, against its load over the last five minutes; null if the service is gone. */
export async function previewServiceSteering(serviceName: string, action: SteeringAction): Promise<SteeringPreviewView | null> {
  const now = Date.now();
  const inputs = await loadPlanningInputs(db(), now);
  const service = inputs.services.get(serviceName);
  if (!service) return null;
  const load = await getServiceLoad(service.id, new Date(now));
  const preview = previewSteering(action, service, inputs.targets, inputs.overrides, inputs.breakerOf, now, load, [...inputs.services.values()]);
  const forecasts = await forecastTiers(new Map([[service.id, preview.capacityAfterRpm], ...preview.elsewhere.map((o): [string, number] => [o.serviceId, o.capacityAfterRpm])]), now);
  const tierElsewhere = Object.fromEntries(preview.elsewhere.flatMap((o) => (forecasts.has(o.serviceId) ? [[o.serviceId, forecasts.get(o.serviceId)!]] : [])));
  return { ...preview, serviceName: service.name, routingVersion: service.routingVersion, load, tier: forecasts.get(service.id) ?? null, tierElsewhere };
}
