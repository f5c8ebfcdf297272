import 'server-only';
// The degradation control loop: run by the health monitor's leader (one
// replica) every two seconds. For each enabled service it works out D from the
// leader's routing snapshot (what the gateway routes to now) and the measured
// demand, moves the automatic tier with hysteresis (select-tier.ts), ends
// expired overrides, and records every change of the effective tier on the
// service's timeline. Writes are kept rare on purpose: each one NOTIFYs every
// replica to reload its routing snapshot.
import type { RoutingSnapshot } from '@/lib/gateway/snapshot-types';
import { db, Prisma } from '@/lib/server/db';
import { inTransaction } from '@/lib/server/mutation';
import { availableCapacity, degradationLevel, DEMAND_WINDOW_MINUTES, measuredDemandRpm, requiredCapacity } from './capacity';
import { DEFAULT_TIER_THRESHOLDS, type TierThresholds } from './defaults';
import { selectTier, type TierState } from './select-tier';
import { TIER_LABELS, type Tier } from './tier';

export const DEGRADATION_INTERVAL_MS = 2_000;

/** A level or RPM change alone is written at most this often; tier and hold changes are written at once. */
export const LEVEL_WRITE_INTERVAL_MS = 15_000;

/** Who the timeline names for changes Standby makes by itself. */
export const SYSTEM_ACTOR_NAME = 'standby';

export type TierEvaluation = {
  serviceId: string;
  serviceName: string;
  level: number | null;
  availableRpm: number;
  requiredRpm: number;
  automaticTier: Tier;
  pendingTier: Tier | null;
  /** The effective tier changed (automatically, or because an override expired). */
  change: { from: Tier; to: Tier; cause: 'automatic' | 'override_expired' } | null;
  wrote: boolean;
};

const MINUTE = 60_000;

/** Requests per service over the last complete minutes of the per-minute rollups. */
async function measuredDemand(now: number): Promise<Map<string, number>> {
  const to = new Date(Math.floor(now / MINUTE) * MINUTE);
  const from = new Date(to.getTime() - DEMAND_WINDOW_MINUTES * MINUTE);
  const rows = await db().$queryRaw<{ serviceId: string; requests: bigint | number }[]>(Prisma.sql`
    SELECT "serviceId"::text AS "serviceId", sum(requests)::bigint AS requests
    FROM "ServiceRollup"
    WHERE "resolutionSec" = 60 AND bucket >= ${from}::timestamp AND bucket < ${to}::timestamp
    GROUP BY "serviceId"`);
  return new Map(rows.map((r) => [r.serviceId, measuredDemandRpm(Number(r.requests))]));
}

const stateSelect = {
  serviceId: true, automaticTier: true, level: true, availableRpm: true, requiredRpm: true, pendingTier: true, pendingSince: true, evaluatedAt: true,
  overrideTier: true, overrideAt: true, overrideExpiresAt: true,
} as const;

/**
 * Evaluates every enabled service of the snapshot (or only `serviceIds`) at
 * `now`, and writes what changed. Tests pass `now` to move through hold times
 * without sleeping.
 */
export async function evaluateTiers(snapshot: RoutingSnapshot, now: number, options: { serviceIds?: string[] } = {}): Promise<TierEvaluation[]> {
  const services = [...snapshot.services.values()].filter((s) => s.enabled && (!options.serviceIds || options.serviceIds.includes(s.id)));
  if (services.length === 0) return [];
  const ids = services.map((s) => s.id);
  const [policies, states, demand] = await Promise.all([
    db().degradationPolicy.findMany({
      where: { serviceId: { in: ids } },
      select: { serviceId: true, demandSource: true, requiredRpm: true, degradedBelow: true, minimalBelow: true, emergencyBelow: true, hysteresis: true, holdSeconds: true },
    }),
    db().serviceTierState.findMany({ where: { serviceId: { in: ids } }, select: stateSelect }),
    measuredDemand(now),
  ]);
  const policyOf = new Map<string, TierThresholds>(policies.map(({ serviceId, ...thresholds }) => [serviceId, thresholds]));
  const stateOf = new Map(states.map((s) => [s.serviceId, s]));
  const breakerOf = (targetId: string) => snapshot.breakers.get(targetId)?.state ?? 'closed';

  const results: TierEvaluation[] = [];
  for (const service of services) {
    const thresholds = policyOf.get(service.id) ?? DEFAULT_TIER_THRESHOLDS;
    const { availableRpm } = availableCapacity(service, { targets: snapshot.targets, overrides: snapshot.overrides, breakerOf }, now);
    const requiredRpm = requiredCapacity(thresholds, demand.get(service.id) ?? 0);
    const level = degradationLevel(availableRpm, requiredRpm);
    const state = stateOf.get(service.id);
    const previous: TierState = state
      ? { tier: state.automaticTier, pendingTier: state.pendingTier, pendingSince: state.pendingSince?.getTime() ?? null }
      : { tier: 'full', pendingTier: null, pendingSince: null };
    const next = selectTier(level, thresholds, previous, now);

    const tierChanged = next.tier !== previous.tier;
    const pendingChanged = next.pendingTier !== previous.pendingTier || next.pendingSince !== previous.pendingSince;
    const overrideExpired = !!state?.overrideTier && !!state.overrideExpiresAt && state.overrideExpiresAt.getTime() <= now;
    const numbersChanged = !state || state.availableRpm !== availableRpm || state.requiredRpm !== requiredRpm;
    const lastWriteOld = !state || now - state.evaluatedAt.getTime() >= LEVEL_WRITE_INTERVAL_MS;
    const write = !state || tierChanged || pendingChanged || overrideExpired || (numbersChanged && lastWriteOld);

    const result: TierEvaluation = {
      serviceId: service.id, serviceName: service.name, level, availableRpm, requiredRpm, automaticTier: next.tier, pendingTier: next.pendingTier, change: null, wrote: write,
    };
    if (write) result.change = await writeState(service.id, { ...next, level, availableRpm, requiredRpm }, now);
    results.push(result);
  }
  return results;
}

type Evaluated = TierState & { level: number | null; availableRpm: number; requiredRpm: number };

/**
 * Writes one service's evaluation under the row lock the override mutations
 * take too, re-reading the override inside it: an operator may have set or
 * cleared one since the evaluation read the row, and the timeline must record
 * the effective tier as it really changed.
 */
async function writeState(serviceId: string, next: Evaluated, now: number): Promise<TierEvaluation['change']> {
  return inTransaction(async (tx) => {
    // A service seen for the first time starts from Full, as the gateway treats a service without a row.
    await tx.serviceTierState.createMany({ data: [{ serviceId, automaticTier: 'full', automaticSince: new Date(now) }], skipDuplicates: true });
    await tx.$queryRaw(Prisma.sql`SELECT "serviceId" FROM "ServiceTierState" WHERE "serviceId" = ${serviceId}::uuid FOR UPDATE`);
    const row = await tx.serviceTierState.findUniqueOrThrow({ where: { serviceId }, select: { automaticTier: true, overrideTier: true, overrideExpiresAt: true } });

    const at = new Date(now);
    const automaticChanged = row.automaticTier !== next.tier;
    const override = row.overrideTier ? { tier: row.overrideTier, expiresAt: row.overrideExpiresAt?.getTime() ?? null } : null;
    const expired = override !== null && override.expiresAt !== null && override.expiresAt <= now;
    await tx.serviceTierState.update({
      where: { serviceId },
      data: {
        automaticTier: next.tier,
        ...(automaticChanged ? { automaticSince: at } : {}),
        level: next.level, availableRpm: next.availableRpm, requiredRpm: next.requiredRpm,
        pendingTier: next.pendingTier, pendingSince: next.pendingSince === null ? null : new Date(next.pendingSince),
        evaluatedAt: at,
        // Ending an override is a change of the operator-owned part: the version moves so a stale page cannot act on it.
        ...(expired ? { overrideTier: null, overrideReason: null, overrideBy: null, overrideAt: null, overrideExpiresAt: null, version: { increment: 1 } } : {}),
      },
    });

    const numbers = { level: next.level, availableRpm: next.availableRpm, requiredRpm: next.requiredRpm, actor: SYSTEM_ACTOR_NAME };
    if (expired) {
      // The gateway stopped applying the override when it expired, not when this loop noticed.
      await tx.tierChange.create({
        data: { serviceId, at: new Date(override.expiresAt!), from: override.tier, to: next.tier, cause: 'override_expired', ...numbers, reason: 'the override expired' },
      });
      return { from: override.tier, to: next.tier, cause: 'override_expired' as const };
    }
    // Under an override in force the effective tier is the operator's: an automatic change does not reach traffic.
    if (override === null && automaticChanged) {
      await tx.tierChange.create({ data: { serviceId, at, from: row.automaticTier, to: next.tier, cause: 'automatic', ...numbers, reason: null } });
      return { from: row.automaticTier, to: next.tier, cause: 'automatic' as const };
    }
    return null;
  });
}

const formatLevel = (level: number | null) => (level === null ? 'no requirement' : `D ${(level * 100).toFixed(0)}%`);

/** The leader task (worker/control-loops.ts) that keeps every service's tier current. */
export const degradationTask = {
  name: 'degradation',
  intervalMs: DEGRADATION_INTERVAL_MS,
  run: async ({ snapshots, log, signal }: { snapshots: { get: () => RoutingSnapshot | null }; log: (line: string) => void; signal: AbortSignal }): Promise<void> => {
    const snapshot = snapshots.get();
    if (!snapshot || signal.aborted) return;
    for (const result of await evaluateTiers(snapshot, Date.now())) {
      if (!result.change) continue;
      const { from, to, cause } = result.change;
      const why = cause === 'automatic' ? `${formatLevel(result.level)}, ${result.availableRpm}/${result.requiredRpm} RPM` : 'override expired';
      log(`degradation: ${result.serviceName} ${TIER_LABELS[from]} → ${TIER_LABELS[to]} (${why})`);
    }
  },
};
