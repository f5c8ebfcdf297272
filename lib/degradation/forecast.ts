// The tier that would follow a change of capacity, and what it would refuse,
// for every preview that changes capacity (force failover, pin, drain, a fault
// injected on the Simulator page) and for a tier override. The same rules as
// the control loop (select-tier.ts) and the gateway (overflow.ts), so a
// preview never promises what traffic then does not get. Pure (forecast.test.ts).
import { type TierPolicy, type TierOverride } from '@/lib/routing/model';
import { degradationLevel, overflowRpm, servedShare } from './capacity';
import type { TierThresholds } from './defaults';
import { describeCapacity, describeShedding, formatSeconds, type DegradedTargetRef } from './describe';
import { selectTier, type TierState } from './select-tier';
import { overrideInForce, TIER_LABELS, tierRank } from '@/lib/routing/tier';
import type { Tier } from '@/lib/routing/enums';

export type TierForecastInput = {
  state: TierState & { override: TierOverride | null };
  thresholds: TierThresholds;
  policy: TierPolicy;
  degradedTarget: DegradedTargetRef;
  demandRpm: number;
  availableRpm: number;
};

export type TierForecast = {
  /** The tier requests beyond capacity get now, and the one they would get right after the change. */
  before: Tier;
  after: Tier;
  /** A better tier the service would move to once the hold time has passed. */
  recoversTo: Tier | null;
  /** An operator's override holds the tier: every request gets it whatever the capacity. */
  overridden: boolean;
  availableRpm: number;
  demandRpm: number;
  /** Share of requests served normally after the change, and requests per minute beyond capacity. */
  servedShare: number;
  overflowRpm: number;
  /** Nothing would be refused or degraded. */
  harmless: boolean;
  /** In plain words: the tier that follows and what it refuses. */
  summary: string;
};

/** The tier and its effect once available capacity becomes `availableRpm`, against the measured demand. */
export function forecastTier(input: TierForecastInput, now: number): TierForecast {
  const { state, thresholds, policy, degradedTarget, demandRpm, availableRpm } = input;
  const level = degradationLevel(availableRpm, demandRpm);
  const next = selectTier(level, thresholds, state, now);
  const override = overrideInForce(state.override, now);
  const share = servedShare(level);
  const overflow = overflowRpm(availableRpm, demandRpm);
  const tier = override?.tier ?? next.tier;
  const harmless = override ? tier === 'full' : tier === 'full' || share >= 1;
  const recoversTo = !override && next.pendingTier && tierRank(next.pendingTier) < tierRank(next.tier) ? next.pendingTier : null;
  const capacity = `${describeCapacity(availableRpm, demandRpm)}.`;
  const effect = describeShedding({ tier, automaticTier: next.tier, overridden: override !== null, servedShare: share, availableRpm, demandRpm }, policy, degradedTarget);
  const verb = tier === state.tier && !override ? 'Stays' : 'Becomes';
  const head = override ? `Held in ${TIER_LABELS[override.tier]} by ${override.by}'s override.` : `${verb} ${TIER_LABELS[tier]}: ${capacity}`;
  const recovery = recoversTo ? ` Back to ${TIER_LABELS[recoversTo]} once that has held for ${formatSeconds(thresholds.holdSeconds)}.` : '';
  const refuses = harmless ? ' Nothing is refused or degraded.' : ` ${effect}`;
  return {
    before: override?.tier ?? state.tier, after: tier, recoversTo, overridden: override !== null, availableRpm, demandRpm, servedShare: share, overflowRpm: overflow, harmless,
    summary: `${head}${recovery}${refuses}`,
  };
}
