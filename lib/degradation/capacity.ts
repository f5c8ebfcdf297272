// Degradation level D = available capacity / measured demand (DESIGN.md,
// "Degradation level"). Pure: the control loop (evaluate.ts) feeds it the
// leader's routing snapshot, so "available" is exactly what the gateway would
// route to now, decided by the same planner (lib/routing/plan.ts).
import { planRoute, type SkipReason } from '@/lib/routing/plan';
import type { BreakerView, SnapshotOverride, SnapshotService, SnapshotTarget } from '@/lib/routing/model';

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

/** Minutes of measured demand the average looks back over. */
export const DEMAND_WINDOW_MINUTES = 5;

/**
 * Requests per minute asked of a service: the busier of the last complete
 * minute and the average of the last DEMAND_WINDOW_MINUTES, rounded up, so a
 * surge counts within a minute and demand is never understated.
 */
export function measuredDemandRpm(lastMinute: number, lastWindow: number, minutes = DEMAND_WINDOW_MINUTES): number {
  const average = minutes > 0 ? Math.max(0, lastWindow) / minutes : 0;
  return Math.ceil(Math.max(0, lastMinute, average));
}

/**
 * D = available / demand (DESIGN.md, "Degradation level"). Nothing left to
 * serve is 0 (Emergency) whatever is asked, a service without a chain
 * included. With capacity left and no demand measured there is no ratio to
 * speak of: null, read as "enough". A configured plan plays no part: it
 * would refuse real traffic for planned traffic that is not there.
 */
export function degradationLevel(availableRpm: number, demandRpm: number): number | null {
  if (availableRpm <= 0) return 0;
  if (demandRpm <= 0) return null;
  return availableRpm / demandRpm;
}

/** The share of requests the healthy targets have room for: min(1, D); everything when nothing is measured. */
export function servedShare(level: number | null): number {
  if (level === null || !Number.isFinite(level)) return 1;
  return Math.min(1, Math.max(0, level));
}

/** Requests per minute beyond what the healthy targets can take: the overflow a tier sheds. */
export const overflowRpm = (availableRpm: number, demandRpm: number) => Math.max(0, Math.ceil(demandRpm - availableRpm));

export type PlanningRisk = {
  plannedRpm: number;
  availableRpm: number;
  /** Available over planned now. */
  coverage: number;
  /** The one target whose loss would leave the least of the plan covered; null when none counts now. */
  worstLoss: { targetId: string; name: string; remainingRpm: number; coverage: number } | null;
};

/**
 * The planned capacity as a risk, never as a limit on live traffic: how much
 * of the plan the targets counted now cover, and how much would be left if
 * the one target that matters most failed ("if A fails, the rest of the chain
 * covers 38% of the planned 36,000 RPM"). Null without a plan.
 */
export function planningRisk(capacity: AvailableCapacity, plannedRpm: number): PlanningRisk | null {
  if (plannedRpm <= 0) return null;
  const counted = capacity.targets.filter((t) => t.reason === 'counted');
  let worstLoss: PlanningRisk['worstLoss'] = null;
  for (const target of counted) {
    const remainingRpm = capacity.availableRpm - target.rpm;
    if (worstLoss === null || remainingRpm < worstLoss.remainingRpm) {
      worstLoss = { targetId: target.targetId, name: target.name, remainingRpm, coverage: remainingRpm / plannedRpm };
    }
  }
  return { plannedRpm, availableRpm: capacity.availableRpm, coverage: capacity.availableRpm / plannedRpm, worstLoss };
}
