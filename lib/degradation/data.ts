import 'server-only';
// Degradation reads for the dashboard: each service's tier as the control loop
// (evaluate.ts) last wrote it, the operator's override, the policy and the
// tier timeline. The effective tier is worked out here with the same
// effectiveTier the gateway uses, so the page says what traffic gets.
import { loadPlanningInputs, type PlanningInputs } from '@/lib/routing/planning-inputs';
import type { TierPolicy, TierRule } from '@/lib/routing/model';
import { db } from '@/lib/server/db';
import { availableCapacity, overflowRpm, planningRisk, servedShare, type PlanningRisk } from './capacity';
import { DEFAULT_TIER_POLICY } from '@/lib/routing/defaults';
import { DEFAULT_TIER_THRESHOLDS, NEVER_EVALUATED, type TierThresholds } from './defaults';
import { effectiveTier, overrideInForce } from '@/lib/routing/tier';
import type { Tier } from '@/lib/routing/enums';

export type TierOverrideView = { tier: Tier; reason: string; by: string; at: string; expiresAt: string | null };

export type ServiceTierRow = {
  serviceId: string;
  serviceName: string;
  enabled: boolean;
  /** What the gateway applies now: the override in force, else the automatic tier. */
  tier: Tier;
  automaticTier: Tier;
  /** When the automatic tier was last taken; null before the first evaluation. */
  automaticSince: string | null;
  /** Only while in force: an expired override no longer counts, even before the control loop clears it. */
  override: TierOverrideView | null;
  /** Since when the effective tier has applied (the override's start while one is in force). */
  since: string | null;
  /** D = available / measured demand; null when no demand is measured or before the first evaluation. */
  level: number | null;
  availableRpm: number;
  /** Requests per minute measured when D was last computed. */
  demandRpm: number;
  /** Share of requests served as in Full (min(1, D)); the rest, the overflow, gets the automatic tier. */
  servedShare: number;
  /** Requests per minute beyond the capacity: what the automatic tier applies to. */
  overflowRpm: number;
  /** The planned capacity as a risk (capacity.ts); null without a plan. Never used to refuse traffic. */
  planning: PlanningRisk | null;
  /** A better automatic tier waiting out its hold time. */
  pendingTier: Tier | null;
  pendingSince: string | null;
  /** When the control loop last wrote this row; null: never evaluated (no leader has run yet). */
  evaluatedAt: string | null;
  /** ServiceTierState.version, for the override's optimistic-concurrency check (1 before any row exists). */
  version: number;
};

export type DegradationOverview = { generatedAt: string; services: ServiceTierRow[] };

const stateSelect = {
  automaticTier: true, automaticSince: true, level: true, availableRpm: true, demandRpm: true, pendingTier: true, pendingSince: true, evaluatedAt: true,
  overrideTier: true, overrideReason: true, overrideBy: true, overrideAt: true, overrideExpiresAt: true, version: true,
} as const;

type StateRow = {
  automaticTier: Tier; automaticSince: Date; level: number | null; availableRpm: number; demandRpm: number; pendingTier: Tier | null; pendingSince: Date | null;
  evaluatedAt: Date; overrideTier: Tier | null; overrideReason: string | null; overrideBy: string | null; overrideAt: Date | null; overrideExpiresAt: Date | null; version: number;
};

/** How much of the plan the service's chain covers now, and if its most important target failed; from the same planner the gateway routes with. */
function planningOf(serviceName: string, plannedRpm: number, inputs: PlanningInputs, now: number): PlanningRisk | null {
  const service = inputs.services.get(serviceName);
  if (!service) return null;
  return planningRisk(availableCapacity(service, { targets: inputs.targets, overrides: inputs.overrides, breakerOf: inputs.breakerOf }, now), plannedRpm);
}

function toRow(service: { id: string; name: string; enabled: boolean }, state: StateRow | null, planning: PlanningRisk | null, now: number): ServiceTierRow {
  const override =
    state?.overrideTier && state.overrideAt
      ? { tier: state.overrideTier, reason: state.overrideReason ?? '', by: state.overrideBy ?? '', at: state.overrideAt.getTime(), expiresAt: state.overrideExpiresAt?.getTime() ?? null }
      : null;
  const automaticTier = state?.automaticTier ?? 'full';
  const tier = effectiveTier({ automaticTier, override }, now);
  const inForce = overrideInForce(override, now);
  const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
  return {
    serviceId: service.id,
    serviceName: service.name,
    enabled: service.enabled,
    tier,
    automaticTier,
    automaticSince: state?.automaticSince.toISOString() ?? null,
    override: inForce ? { tier: inForce.tier, reason: inForce.reason, by: inForce.by, at: iso(inForce.at)!, expiresAt: iso(inForce.expiresAt) } : null,
    since: inForce ? iso(inForce.at) : (state?.automaticSince.toISOString() ?? null),
    level: state?.level ?? null,
    availableRpm: state?.availableRpm ?? 0,
    demandRpm: state?.demandRpm ?? 0,
    servedShare: servedShare(state?.level ?? null),
    overflowRpm: state ? overflowRpm(state.availableRpm, state.demandRpm) : 0,
    planning,
    pendingTier: state?.pendingTier ?? null,
    pendingSince: state?.pendingSince?.toISOString() ?? null,
    evaluatedAt: state && state.evaluatedAt.getTime() !== NEVER_EVALUATED.getTime() ? state.evaluatedAt.toISOString() : null,
    version: state?.version ?? 1,
  };
}

/** Every service's tier, D and override, worst tier first, then by name. */
export async function getDegradationOverview(): Promise<DegradationOverview> {
  const now = Date.now();
  const [services, inputs] = await Promise.all([
    db().service.findMany({
      orderBy: { name: 'asc' },
      select: { id: true, name: true, enabled: true, tierState: { select: stateSelect }, degradationPolicy: { select: { plannedRpm: true } } },
    }),
    loadPlanningInputs(db(), now),
  ]);
  const rows = services.map((s) => toRow(s, s.tierState, planningOf(s.name, s.degradationPolicy?.plannedRpm ?? DEFAULT_TIER_THRESHOLDS.plannedRpm, inputs, now), now));
  const rank: Record<Tier, number> = { emergency: 0, minimal: 1, degraded: 2, full: 3 };
  rows.sort((a, b) => rank[a.tier] - rank[b.tier] || a.serviceName.localeCompare(b.serviceName));
  return { generatedAt: new Date(now).toISOString(), services: rows };
}

export type DegradationPolicyView = TierThresholds &
  TierPolicy & {
    /** DegradationPolicy.version (1 while the service runs on the defaults). */
    version: number;
    /** No policy row: the service runs on the defaults. */
    isDefault: boolean;
    degradedTarget: { id: string; name: string; model: string; qualityClass: 'frontier' | 'standard' | 'economy' } | null;
  };

export type TierChangeView = {
  id: string;
  at: string;
  from: Tier;
  to: Tier;
  /** automatic | override | override_cleared | override_expired */
  cause: string;
  level: number | null;
  availableRpm: number | null;
  demandRpm: number | null;
  actor: string;
  reason: string | null;
};

export type DegradedTargetOption = { id: string; name: string; model: string; qualityClass: 'frontier' | 'standard' | 'economy'; enabled: boolean };

export type ServiceDegradation = ServiceTierRow & { generatedAt: string; policy: DegradationPolicyView; changes: TierChangeView[] };

function readRules(value: unknown): TierRule[] {
  if (!Array.isArray(value)) return [];
  return value.filter(
    (r): r is TierRule => typeof r === 'object' && r !== null && (r.match === 'contains' || r.match === 'regex') && typeof r.pattern === 'string' && typeof r.answer === 'string',
  );
}

/** One service's tier, policy and its last 50 tier changes, newest first; null if no service has this name. */
export async function getServiceDegradation(serviceName: string): Promise<ServiceDegradation | null> {
  const now = Date.now();
  const service = await db().service.findUnique({
    where: { name: serviceName },
    select: {
      id: true, name: true, enabled: true,
      tierState: { select: stateSelect },
      degradationPolicy: {
        select: {
          plannedRpm: true, degradedBelow: true, minimalBelow: true, hysteresis: true, holdSeconds: true,
          degradedTargetId: true, degradedMaxTokens: true, cacheTtlSeconds: true, rules: true, retryAfterSeconds: true, maintenanceMessage: true,
          queueEnabled: true, queueTtlSeconds: true, version: true,
          degradedTarget: { select: { id: true, name: true, model: true, qualityClass: true } },
        },
      },
    },
  });
  if (!service) return null;
  const [changes, inputs] = await Promise.all([
    db().tierChange.findMany({ where: { serviceId: service.id }, orderBy: [{ at: 'desc' }, { id: 'desc' }], take: 50 }),
    loadPlanningInputs(db(), now),
  ]);

  const p = service.degradationPolicy;
  const policy: DegradationPolicyView = p
    ? { ...p, rules: readRules(p.rules), isDefault: false }
    : { ...DEFAULT_TIER_THRESHOLDS, ...DEFAULT_TIER_POLICY, version: 1, isDefault: true, degradedTarget: null };
  return {
    ...toRow(service, service.tierState, planningOf(service.name, policy.plannedRpm, inputs, now), now),
    generatedAt: new Date(now).toISOString(),
    policy,
    changes: changes.map((c) => ({
      id: c.id.toString(), at: c.at.toISOString(), from: c.from, to: c.to, cause: c.cause, level: c.level,
      availableRpm: c.availableRpm, demandRpm: c.demandRpm, actor: c.actor, reason: c.reason,
    })),
  };
}

/** Every target, for the policy editor's choice of the Degraded tier's smaller or cheaper target. */
export async function getDegradedTargetOptions(): Promise<DegradedTargetOption[]> {
  const rows = await db().target.findMany({
    orderBy: { name: 'asc' },
    select: { id: true, name: true, model: true, qualityClass: true, enabled: true, provider: { select: { enabled: true } }, region: { select: { enabled: true } } },
  });
  return rows.map((t) => ({ id: t.id, name: t.name, model: t.model, qualityClass: t.qualityClass, enabled: t.enabled && t.provider.enabled && t.region.enabled }));
}
