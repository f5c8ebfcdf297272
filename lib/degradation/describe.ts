// What the gateway does to a request in each tier, in plain words, from the
// service's policy: the service page shows exactly this, so an operator knows
// the effect before choosing a tier. Pure (describe.test.ts).
import { formatDuration } from '@/lib/shared/format';
import type { TierPolicy } from '@/lib/routing/model';
import type { PlanningRisk } from './capacity';
import { TIER_LABELS } from '@/lib/routing/tier';
import type { Tier } from '@/lib/routing/enums';

/** The degraded target as the page names it: its model, and its target name to tell two alike apart. */
export type DegradedTargetRef = { name: string; model: string } | null;

/** "45 s", "15 min", "1 h", "1 h 30 min", "1 d". */
export const formatSeconds = (seconds: number) => formatDuration(seconds * 1_000);

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
 * reads as reaching it (99.9% shows 99%, not 100%); ten times demand and more
 * as a multiple ("115×"), which a reader takes in faster than 11,500%. Null D:
 * no demand measured.
 */
export function formatLevel(level: number | null): string {
  if (level === null) return 'no demand';
  if (level >= 10) return `${Math.floor(level).toLocaleString('en-US')}×`;
  const percent = level * 100;
  const shown = percent < 10 ? Math.floor(percent * 10 + 1e-9) / 10 : Math.floor(percent + 1e-9);
  return `${shown.toLocaleString('en-US')}%`;
}

const rpm = (n: number) => `${n.toLocaleString('en-US')} RPM`;

/** "4,600 RPM can serve 40 RPM of demand", for timelines, markers and logs. */
export function describeCapacity(availableRpm: number, demandRpm: number): string {
  if (availableRpm <= 0) return `no target can serve ${demandRpm > 0 ? `${rpm(demandRpm)} of demand` : 'requests'}`;
  return demandRpm > 0 ? `${rpm(availableRpm)} can serve ${rpm(demandRpm)} of demand` : `${rpm(availableRpm)} can serve, no demand measured`;
}

/** The formula behind a level, for a tooltip: "D = 4,600 RPM available ÷ 40 RPM of demand". */
export const levelFormula = (availableRpm: number, demandRpm: number) =>
  `D = capacity of the targets that can serve now ÷ requests per minute arriving = ${availableRpm.toLocaleString('en-US')} ÷ ${demandRpm.toLocaleString('en-US')}`;

/** Which levels of D put the overflow in a tier, in words: "capacity covers 50% to 100% of demand". */
export function describeTierRange(tier: Tier, t: { degradedBelow: number; minimalBelow: number }): string {
  switch (tier) {
    case 'full':
      return `capacity covers at least ${formatFraction(t.degradedBelow)} of demand`;
    case 'degraded':
      return `capacity covers ${formatFraction(t.minimalBelow)} to ${formatFraction(t.degradedBelow)} of demand`;
    case 'minimal':
      return `capacity covers less than ${formatFraction(t.minimalBelow)} of demand`;
    case 'emergency':
      return 'no target can serve';
  }
}

/**
 * What holding a service in `tier` by hand does: unlike an automatic tier,
 * which sheds only the overflow, an override applies to every request, the
 * ones the healthy targets could serve included. Said with today's demand.
 */
export function describeOverrideEffect(tier: Tier, demandRpm: number, availableRpm: number, policy: TierPolicy, degradedTarget: DegradedTargetRef): string {
  const lower = (text: string) => text.replace(/^./, (c) => c.toLowerCase());
  if (tier === 'full') return 'Every request is routed along the chain as usual; if demand outgrows the capacity, nothing is shed.';
  const volume = demandRpm > 0 ? `every request (about ${rpm(demandRpm)} now)` : 'every request';
  const servable = availableRpm > 0 ? `, including those the targets that can serve (${rpm(availableRpm)}) have room for` : '';
  return `${volume.replace(/^./, (c) => c.toUpperCase())} gets ${TIER_LABELS[tier]}${servable}: ${lower(describeTierPolicy(tier, policy, degradedTarget))}`;
}

/** "If A fails, the rest of the chain covers 38% of the planned 36,000 RPM": the plan as a risk, never as a limit on live traffic. */
export function describePlanningRisk(risk: PlanningRisk): string {
  if (!risk.worstLoss) return `No target can serve now: 0% of the planned ${rpm(risk.plannedRpm)} is covered.`;
  const { name, coverage } = risk.worstLoss;
  return `If ${name} fails, the rest of the chain covers ${formatFraction(Math.max(0, coverage))} of the planned ${rpm(risk.plannedRpm)}.`;
}

/** What a service's requests get now, as the gateway applies it (overflow.ts): everything, or the share that fits and the overflow. */
export function describeShedding(
  state: { tier: Tier; automaticTier: Tier; overridden: boolean; servedShare: number; availableRpm: number; demandRpm: number },
  policy: TierPolicy,
  degradedTarget: DegradedTargetRef,
): string {
  const lower = (text: string) => text.replace(/^./, (c) => c.toLowerCase());
  if (state.overridden) return `${describeTierNow(state.tier, policy, degradedTarget)} This applies to every request while the override holds.`;
  if (state.tier === 'full') return describeTierNow('full', policy, degradedTarget);
  if (state.tier === 'emergency') return `No target can serve: ${lower(describeTierPolicy('emergency', policy, degradedTarget))}`;
  if (state.servedShare >= 1) {
    return `Demand fits the capacity: every request is served normally. ${TIER_LABELS[state.tier]} would apply only to requests beyond capacity, and is kept until the better tier has held.`;
  }
  const share = Math.round(state.servedShare * 100);
  const overflow = Math.max(0, Math.ceil(state.demandRpm - state.availableRpm));
  return `${share}% of requests (the ${rpm(state.availableRpm)} the healthy targets can take) are served normally. The other ${100 - share}%, about ${rpm(overflow)} beyond capacity, get ${TIER_LABELS[state.tier]}: ${lower(describeTierPolicy(state.tier, policy, degradedTarget))}`;
}

export const TIER_CHANGE_CAUSES: Record<string, string> = {
  automatic: 'Automatic',
  override: 'Override',
  override_cleared: 'Override cleared',
  override_expired: 'Override expired',
};
