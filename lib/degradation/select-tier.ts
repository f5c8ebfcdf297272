// Which tier a degradation level D puts a service in, with hysteresis so the
// tier does not flap around a threshold. Pure (select-tier.test.ts): the
// control loop keeps the pending state between evaluations and passes the time.
import type { TierThresholds } from './defaults';
import { TIERS, type Tier } from '@/lib/routing/enums';
import { tierRank } from '@/lib/routing/tier';

export type TierBoundaries = Pick<TierThresholds, 'degradedBelow' | 'minimalBelow' | 'hysteresis' | 'holdSeconds'>;

/** What the last evaluation left behind: the tier in force and a better tier waiting out its hold. */
export type TierState = { tier: Tier; pendingTier: Tier | null; pendingSince: number | null };

/** The lowest D that belongs to a tier: reaching it from below crosses that tier's boundary. */
function lowerBound(tier: Tier, t: TierBoundaries): number {
  switch (tier) {
    case 'full':
      return t.degradedBelow;
    case 'degraded':
      return t.minimalBelow;
    case 'minimal':
      // Any capacity at all leaves Emergency: it means nothing can serve.
      return 0;
    case 'emergency':
      return Number.NEGATIVE_INFINITY;
  }
}

/**
 * The tier of D with no memory: Emergency when nothing can serve (D = 0), below
 * minimalBelow Minimal, below degradedBelow Degraded, else Full. Null D (no
 * demand measured, capacity left) is Full. Whatever the tier, the gateway
 * serves the share the capacity has room for (servedShare) as in Full: the
 * tier is what the overflow gets.
 */
export function rawTier(level: number | null, t: TierBoundaries): Tier {
  if (level === null) return 'full';
  if (level <= 0) return 'emergency';
  if (level < t.minimalBelow) return 'minimal';
  if (level < t.degradedBelow) return 'degraded';
  return 'full';
}

/**
 * The best tier better than `current` that D clears with the hysteresis
 * margin: D must reach the boundary it crosses plus `hysteresis`, so a level
 * hovering just above a threshold does not count as recovered.
 */
function recoverableTier(level: number | null, current: Tier, t: TierBoundaries): Tier | null {
  const d = level ?? Number.POSITIVE_INFINITY;
  for (const tier of TIERS) {
    if (tierRank(tier) >= tierRank(current)) return null;
    // The tolerance keeps 0.05 + 0.1 (0.15000000000000002 in floating point) from refusing a D of exactly 0.15.
    if (d >= lowerBound(tier, t) + t.hysteresis - 1e-9) return tier;
  }
  return null;
}

/**
 * A worse tier is taken at once: losing capacity is not something to wait
 * out. A better one is taken only when D clears the crossed boundary plus the
 * hysteresis and has stayed there for `holdSeconds` (the pending state); any
 * dip below that starts the hold again.
 *
 * When D climbs past more than one tier while a hold runs, the tier already
 * pending is taken when its own hold is over, and the better one starts its
 * hold then: no tier is ever taken without D having held it for the full time.
 */
export function selectTier(level: number | null, thresholds: TierBoundaries, previous: TierState, now: number): TierState {
  const raw = rawTier(level, thresholds);
  if (tierRank(raw) >= tierRank(previous.tier)) return { tier: raw, pendingTier: null, pendingSince: null };

  const reachable = recoverableTier(level, previous.tier, thresholds);
  if (!reachable) return { tier: previous.tier, pendingTier: null, pendingSince: null };

  const holdMs = Math.max(0, thresholds.holdSeconds) * 1_000;
  const pending = previous.pendingTier;
  const since = previous.pendingSince;
  // Nothing pending, a pending tier not better than the tier in force, or one D no longer clears (a dip): start a new hold.
  if (pending === null || since === null || tierRank(pending) >= tierRank(previous.tier) || tierRank(pending) < tierRank(reachable)) {
    return holdMs === 0 ? { tier: reachable, pendingTier: null, pendingSince: null } : { tier: previous.tier, pendingTier: reachable, pendingSince: now };
  }
  if (now - since < holdMs) return { tier: previous.tier, pendingTier: pending, pendingSince: since };
  if (pending === reachable) return { tier: pending, pendingTier: null, pendingSince: null };
  // The pending tier has held; D has since cleared a better one, whose hold starts now.
  return { tier: pending, pendingTier: reachable, pendingSince: now };
}
