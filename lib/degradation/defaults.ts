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

export type DemandSource = 'configured' | 'measured';

/** How D is measured and turned into a tier (lib/degradation/select-tier.ts). */
export type TierThresholds = {
  demandSource: DemandSource;
  requiredRpm: number;
  degradedBelow: number;
  minimalBelow: number;
  emergencyBelow: number;
  hysteresis: number;
  holdSeconds: number;
};

export const DEFAULT_TIER_THRESHOLDS: TierThresholds = {
  demandSource: 'measured',
  requiredRpm: 60,
  degradedBelow: 1,
  minimalBelow: 0.5,
  emergencyBelow: 0.05,
  hysteresis: 0.1,
  holdSeconds: 60,
};

/** A service with no policy row and no tier state yet: Full, default policy. */
export const UNDEGRADED: SnapshotDegradation = { policy: DEFAULT_TIER_POLICY, automaticTier: 'full', override: null };

/** ServiceTierState.evaluatedAt of a row an operator's override created before the control loop first evaluated the service. */
export const NEVER_EVALUATED = new Date(0);
