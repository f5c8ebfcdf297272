// What routing assumes where the database says nothing: a target's breaker
// settings, and the tier policy of a service without a DegradationPolicy row.
// The same values as the column defaults of prisma/schema.prisma (a test keeps
// the two equal: lib/degradation/degradation.integration.test.ts).
import type { BreakerConfig, SnapshotDegradation, TierPolicy } from './model';

export const DEFAULT_BREAKER_CONFIG: BreakerConfig = {
  failureRateThreshold: 0.5,
  minimumRequests: 10,
  windowMs: 10_000,
  openMs: 15_000,
  halfOpenSuccesses: 3,
  halfOpenMaxInFlight: 1,
  consecutiveFailures: 5,
};

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

/** A service with no policy row and no tier state yet: Full, default policy, everything served. */
export const UNDEGRADED: SnapshotDegradation = { policy: DEFAULT_TIER_POLICY, automaticTier: 'full', override: null, servedShare: 1 };
