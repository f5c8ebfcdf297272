// How the degradation control loop turns D into a tier when a service has no
// thresholds of its own (the column defaults of prisma/schema.prisma).

/**
 * How D (available capacity / measured demand) is turned into a tier
 * (select-tier.ts), and the capacity planned for the service, which only
 * feeds the planning risk (capacity.ts, planningRisk): a plan is never a
 * reason to refuse a request (DESIGN.md, "Degradation level").
 */
export type TierThresholds = {
  plannedRpm: number;
  degradedBelow: number;
  minimalBelow: number;
  hysteresis: number;
  holdSeconds: number;
};

export const DEFAULT_TIER_THRESHOLDS: TierThresholds = {
  plannedRpm: 60,
  degradedBelow: 1,
  minimalBelow: 0.5,
  hysteresis: 0.1,
  holdSeconds: 60,
};

/** ServiceTierState.evaluatedAt of a row an operator's override created before the control loop first evaluated the service. */
export const NEVER_EVALUATED = new Date(0);
