// What the gateway does to a request in each tier, in plain words, from the
// service's policy: the service page shows exactly this, so an operator knows
// the effect before choosing a tier. Pure (describe.test.ts).
import type { TierPolicy } from '@/lib/gateway/snapshot-types';
import { TIER_LABELS, type Tier } from './tier';

/** The degraded target as the page names it: its model, and its target name to tell two alike apart. */
export type DegradedTargetRef = { name: string; model: string } | null;

/** "45 s", "15 min", "1 h", "1 h 30 min", "1 d". */
export function formatSeconds(seconds: number): string {
  if (seconds < 60) return `${seconds} s`;
  if (seconds < 3_600) return seconds % 60 === 0 ? `${seconds / 60} min` : `${Math.floor(seconds / 60)} min ${seconds % 60} s`;
  if (seconds < 86_400) {
    const minutes = Math.floor((seconds % 3_600) / 60);
    return `${Math.floor(seconds / 3_600)} h${minutes ? ` ${minutes} min` : ''}`;
  }
  const hours = Math.floor((seconds % 86_400) / 3_600);
  return `${Math.floor(seconds / 86_400)} d${hours ? ` ${hours} h` : ''}`;
}

const plural = (n: number, noun: string) => `${n.toLocaleString('en-US')} ${noun}${n === 1 ? '' : 's'}`;

/** One sentence per tier: what a client request gets while the service is in it. */
export function describeTierPolicy(tier: Tier, policy: TierPolicy, degradedTarget: DegradedTargetRef): string {
  switch (tier) {
    case 'full':
      return 'Routes along the failover chain as usual, with no limits.';
    case 'degraded': {
      const cap = `max_tokens capped at ${policy.degradedMaxTokens.toLocaleString('en-US')}`;
      return degradedTarget
        ? `Routes to ${degradedTarget.model} (${degradedTarget.name}) first, then the chain; ${cap}.`
        : `Routes along the chain as usual (no smaller model chosen); ${cap}.`;
    }
    case 'minimal': {
      const rules = policy.rules.length ? `, and ${plural(policy.rules.length, 'rule-based answer')}` : '';
      return `Answers repeated requests from a cache kept ${formatSeconds(policy.cacheTtlSeconds)}${rules}; anything else is refused with 503 and Retry-After ${formatSeconds(policy.retryAfterSeconds)}.`;
    }
    case 'emergency': {
      const queue = policy.queueEnabled
        ? ` Clients that send x-standby-queue: true are queued for up to ${formatSeconds(policy.queueTtlSeconds)} and replayed when the service recovers.`
        : ' No retry queue.';
      return `Answers every request with the maintenance message (503, Retry-After ${formatSeconds(policy.retryAfterSeconds)}).${queue}`;
    }
  }
}

/** "Degraded: routes to gpt-4o-mini (…) first, then the chain; max_tokens capped at 512." */
export const describeTierNow = (tier: Tier, policy: TierPolicy, degradedTarget: DegradedTargetRef) =>
  `${TIER_LABELS[tier]}: ${describeTierPolicy(tier, policy, degradedTarget).replace(/^./, (c) => c.toLowerCase())}`;

/** A threshold as operators read it: 0.5 is "50%", 0.025 is "2.5%". */
export const formatFraction = (fraction: number) => `${Number((fraction * 100).toFixed(1)).toLocaleString('en-US')}%`;

/**
 * D as a percentage, rounded down so a level just short of a threshold never
 * reads as reaching it (99.9% shows 99%, not 100%). Null D: nothing required.
 */
export function formatLevel(level: number | null): string {
  if (level === null) return 'no requirement';
  const percent = level * 100;
  const shown = percent < 10 ? Math.floor(percent * 10 + 1e-9) / 10 : Math.floor(percent + 1e-9);
  return `${shown.toLocaleString('en-US')}%`;
}

/** The range of D that puts a service in a tier: "50% ≤ D < 100%". */
export function describeTierRange(tier: Tier, t: { degradedBelow: number; minimalBelow: number; emergencyBelow: number }): string {
  switch (tier) {
    case 'full':
      return `D ≥ ${formatFraction(t.degradedBelow)}`;
    case 'degraded':
      return `${formatFraction(t.minimalBelow)} ≤ D < ${formatFraction(t.degradedBelow)}`;
    case 'minimal':
      return `${formatFraction(t.emergencyBelow)} ≤ D < ${formatFraction(t.minimalBelow)}`;
    case 'emergency':
      return `D < ${formatFraction(t.emergencyBelow)}`;
  }
}

export const TIER_CHANGE_CAUSES: Record<string, string> = {
  automatic: 'Automatic',
  override: 'Override',
  override_cleared: 'Override cleared',
  override_expired: 'Override expired',
};
