// The four degradation tiers (DESIGN.md, "Degradation level") and which one is
// in force. Pure: shared by the gateway (from its snapshot), the control loop
// and the pages, so that what a page says is what the gateway does.

import { TIERS, type Tier } from './enums';
import type { TierOverride } from './model';

export const TIER_LABELS: Record<Tier, string> = { full: 'Full', degraded: 'Degraded', minimal: 'Minimal', emergency: 'Emergency' };

/** 0 for Full up to 3 for Emergency: a larger rank is a worse tier. */
export const tierRank = (tier: Tier): number => TIERS.indexOf(tier);

/** The override, if it is still in force at `now`. */
export function overrideInForce<O extends { expiresAt: number | null }>(override: O | null, now: number): O | null {
  return override && (override.expiresAt === null || override.expiresAt > now) ? override : null;
}

/** The operator's override while it is in force, else the automatic tier. */
export function effectiveTier(state: { automaticTier: Tier; override: TierOverride | null }, now: number): Tier {
  return overrideInForce(state.override, now)?.tier ?? state.automaticTier;
}
