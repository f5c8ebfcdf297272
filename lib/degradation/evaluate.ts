import 'server-only';
// The degradation control loop: run by the health monitor's leader (one
// replica) every two seconds. For each enabled service it works out D from the
// leader's routing snapshot (what the gateway routes to now) and the measured
// demand, moves the automatic tier with hysteresis (select-tier.ts), ends
// expired overrides, and records every change of the effective tier on the
// service's timeline. The gateway reads D back as the share of requests it
// serves normally (overflow.ts). Writes are kept rare on purpose: each one
// NOTIFYs every replica to reload its routing snapshot.
import type { RoutingSnapshot } from '@/lib/routing/model';
import { db, Prisma } from '@/lib/server/db';
import { inTransaction } from '@/lib/server/mutation';
import { availableCapacity, degradationLevel, servedShare } from './capacity';
import { measuredDemand } from './demand';
import { DEFAULT_TIER_THRESHOLDS, type TierThresholds } from './defaults';
import { selectTier, type TierState } from './select-tier';
import { TIER_LABELS } from '@/lib/routing/tier';
import type { Tier } from '@/lib/routing/enums';

export const DEGRADATION_INTERVAL_MS = 2_000;

/**
 * A level or RPM change alone is written at most this often; tier and hold
 * changes, and a change of the share served while a tier sheds, at once.
 */
export const LEVEL_WRITE_INTERVAL_MS = 15_000;

/** Who the timeline names for changes Standby makes by itself. */
export const SYSTEM_ACTOR_NAME = 'standby';

export type TierEvaluation = {
  serviceId: string;
  serviceName: string;
  level: number | null;
  availableRpm: number;
  demandRpm: number;
  automaticTier: Tier;
  pendingTier: Tier | null;
  /** The effective tier changed (automatically, or because an override expired). */
  change: { from: Tier; to: Tier; cause: 'automatic' | 'override_expired' } | null;
  wrote: boolean;
};

const stateSelect = {
  serviceId: true, automaticTier: true, level: true, availableRpm: true, demandRpm: true, pendingTier: true, pendingSince: true, evaluatedAt: true,
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
      select: { serviceId: true, plannedRpm: true, degradedBelow: true, minimalBelow: true, hysteresis: true, holdSeconds: true },
    }),
    db().serviceTierState.findMany({ where: { serviceId: { in: ids } }, select: stateSelect }),
    measuredDemand(now, ids),
  ]);
  const policyOf = new Map<string, TierThresholds>(policies.map(({ serviceId, ...thresholds }) => [serviceId, thresholds]));
  const stateOf = new Map(states.map((s) => [s.serviceId, s]));
  const breakerOf = (targetId: string) => snapshot.breakers.get(targetId)?.state ?? 'closed';

  const results: TierEvaluation[] = [];
  for (const service of services) {
    const thresholds = policyOf.get(service.id) ?? DEFAULT_TIER_THRESHOLDS;
    const { availableRpm } = availableCapacity(service, { targets: snapshot.targets, overrides: snapshot.overrides, breakerOf }, now);
    const demandRpm = demand.get(service.id) ?? 0;
    const level = degradationLevel(availableRpm, demandRpm);
    const state = stateOf.get(service.id);
    const previous: TierState = state
      ? { tier: state.automaticTier, pendingTier: state.pendingTier, pendingSince: state.pendingSince?.getTime() ?? null }
      : { tier: 'full', pendingTier: null, pendingSince: null };
    const next = selectTier(level, thresholds, previous, now);

    const tierChanged = next.tier !== previous.tier;
    const pendingChanged = next.pendingTier !== previous.pendingTier || next.pendingSince !== previous.pendingSince;
    const overrideExpired = !!state?.overrideTier && !!state.overrideExpiresAt && state.overrideExpiresAt.getTime() <= now;
    const numbersChanged = !state || state.availableRpm !== availableRpm || state.demandRpm !== demandRpm;
    const lastWriteOld = !state || now - state.evaluatedAt.getTime() >= LEVEL_WRITE_INTERVAL_MS;
    // What the gateway sheds follows the share at once, not 15 s later.
    const shareMoved = !!state && Math.abs(servedShare(state.level) - servedShare(level)) >= 0.01 && (next.tier !== 'full' || previous.tier !== 'full');
    const write = !state || tierChanged || pendingChanged || overrideExpired || shareMoved || (numbersChanged && lastWriteOld);

    const result: TierEvaluation = {
      serviceId: service.id, serviceName: service.name, level, availableRpm, demandRpm, automaticTier: next.tier, pendingTier: next.pendingTier, change: null, wrote: write,
    };
    if (write) result.change = await writeState(service.id, { ...next, level, availableRpm, demandRpm }, now);
    results.push(result);
  }
  return results;
}

type Evaluated = TierState & { level: number | null; availableRpm: number; demandRpm: number };

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
        level: next.level, availableRpm: next.availableRpm, demandRpm: next.demandRpm,
        pendingTier: next.pendingTier, pendingSince: next.pendingSince === null ? null : new Date(next.pendingSince),
        evaluatedAt: at,
        // Ending an override is a change of the operator-owned part: the version moves so a stale page cannot act on it.
        ...(expired ? { overrideTier: null, overrideReason: null, overrideBy: null, overrideAt: null, overrideExpiresAt: null, version: { increment: 1 } } : {}),
      },
    });

    const numbers = { level: next.level, availableRpm: next.availableRpm, demandRpm: next.demandRpm, actor: SYSTEM_ACTOR_NAME };
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
      const why = cause === 'automatic' ? `${result.availableRpm} RPM available for ${result.demandRpm} RPM of demand` : 'override expired';
      log(`degradation: ${result.serviceName} ${TIER_LABELS[from]} → ${TIER_LABELS[to]} (${why})`);
    }
  },
};
