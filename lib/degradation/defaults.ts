// What a service without a DegradationPolicy row gets: the same values as the
// column defaults of prisma/schema.prisma (a test keeps the two equal).
import type { SnapshotDegradation, TierPolicy } from '@/lib/gateway/snapshot-types';

export const DEFAULT_TIER_POLICY: TierPolicy = {
  degradedTargetId: null,
  degradedMaxTokens: 512,
  cacheTtlSeconds: 3600,
  rules: [],
  retryAfterSeconds: 30,
  maintenanceMessage: 'This service is in emergency maintenance. Please retry later.',
  queueEnabled: true,
  queueTtlSeconds: 86_400,
};

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

/** A service with no policy row and no tier state yet: Full, default policy, everything served. */
export const UNDEGRADED: SnapshotDegradation = { policy: DEFAULT_TIER_POLICY, automaticTier: 'full', override: null, servedShare: 1 };

/** ServiceTierState.evaluatedAt of a row an operator's override created before the control loop first evaluated the service. */
export const NEVER_EVALUATED = new Date(0);
