// Degradation level D = available capacity / required capacity (DESIGN.md,
// "Degradation level"). Pure: the control loop (evaluate.ts) feeds it the
// leader's routing snapshot, so "available" is exactly what the gateway would
// route to now, decided by the same planner (lib/failover/plan.ts).
import { planRoute, type SkipReason } from '@/lib/failover/plan';
import type { BreakerView, SnapshotOverride, SnapshotService, SnapshotTarget } from '@/lib/gateway/snapshot-types';
import type { DemandSource } from './defaults';

export type CapacityInputs = { targets: Map<string, SnapshotTarget>; overrides: SnapshotOverride[]; breakerOf: BreakerView };

/** Why a chain target does or does not count towards available capacity. */
export type CapacityReason = 'counted' | 'half_open' | 'last_resort' | SkipReason;

export type TargetCapacity = { targetId: string; name: string; rpm: number; reason: CapacityReason };

export type AvailableCapacity = { availableRpm: number; targets: TargetCapacity[] };

/**
 * The summed RPM of the chain targets that can take traffic now. Drained,
 * disabled, forced-away, not-pinned and breaker-open targets count zero (the
 * planner skips them), and so does a plan that is only a last resort: every
 * target left has an open breaker, so requests are tried but expected to fail.
 *
 * A half-open breaker counts zero too. It lets through a trickle of trial
 * requests (one in flight), not its rated RPM, and it may reopen on the next
 * failure; counting it whole would lift the tier the moment a breaker
 * half-opens and drop it again if the trial fails. It counts once it closes,
 * and the hold time of selectTier then guards the way back up.
 *
 * A target shared by several services counts whole for each: RPM is what the
 * target can take, not a share reserved per service.
 */
export function availableCapacity(service: SnapshotService, inputs: CapacityInputs, now: number): AvailableCapacity {
  const plan = planRoute(service, inputs.targets, inputs.overrides, inputs.breakerOf, now);
  const reasons = new Map<string, CapacityReason>();
  for (const skipped of plan.skipped) reasons.set(skipped.targetId, skipped.reason);
  for (const candidate of plan.candidates) {
    const id = candidate.target.id;
    reasons.set(id, plan.lastResort ? 'last_resort' : inputs.breakerOf(id) === 'half_open' ? 'half_open' : 'counted');
  }
  const targets = [...service.chain]
    .sort((a, b) => a.position - b.position)
    .map((entry): TargetCapacity => {
      const target = inputs.targets.get(entry.targetId);
      return { targetId: entry.targetId, name: target?.name ?? entry.targetId, rpm: target?.rpm ?? 0, reason: reasons.get(entry.targetId) ?? 'disabled' };
    });
  const availableRpm = targets.reduce((sum, t) => sum + (t.reason === 'counted' ? t.rpm : 0), 0);
  return { availableRpm, targets };
}

/** Minutes of measured demand the required capacity looks back over. */
export const DEMAND_WINDOW_MINUTES = 5;

/** Requests per minute from the request count of the last complete minutes, rounded up: demand is never understated. */
export function measuredDemandRpm(requests: number, minutes = DEMAND_WINDOW_MINUTES): number {
  return minutes > 0 ? Math.ceil(Math.max(0, requests) / minutes) : 0;
}

/**
 * The capacity the service needs: its configured RPM, or its measured demand
 * with the configured RPM as a floor, so a quiet night does not make any
 * leftover target look like full capacity.
 */
export function requiredCapacity(policy: { demandSource: DemandSource; requiredRpm: number }, measuredRpm: number): number {
  const floor = Math.max(0, policy.requiredRpm);
  return policy.demandSource === 'measured' ? Math.max(floor, Math.max(0, measuredRpm)) : floor;
}

/**
 * D = available / required. Nothing left to serve is 0 (Emergency) whatever
 * is required, a service without a chain included. With capacity left and
 * nothing required there is no ratio to speak of: null, read as "enough".
 */
export function degradationLevel(availableRpm: number, requiredRpm: number): number | null {
  if (availableRpm <= 0) return 0;
  if (requiredRpm <= 0) return null;
  return availableRpm / requiredRpm;
}
