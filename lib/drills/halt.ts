// Halt conditions (issue 14), pure: evaluated every second by the drill
// controller (controller.ts) from live telemetry of the services in scope.
// When one trips, every fault of the run ends at once and the run is halted
// with the condition's own words on its timeline.
import type { Tier } from '@/lib/routing/enums';
import { TIERS } from '@/lib/routing/enums';

export type HaltConditions = {
  /** 0..1 of client requests failed over the window; null: not watched. */
  maxErrorRate: number | null;
  /** p95 time to first token of streamed requests, ms. */
  maxP95TtftMs: number | null;
  /** Error-budget burn rate over the window, as a multiple of the sustainable rate (14.4 pages). */
  maxBurnRate: number | null;
  /** The lowest tier any service in scope may fall to. */
  tierFloor: Tier | null;
};

/** What the controller measured over the window (the last HALT_WINDOW_MS). */
export type HaltTelemetry = {
  requests: number;
  failed: number;
  /** p95 TTFT of streamed requests in the window, null when none. */
  p95TtftMs: number | null;
  /** The SLO target of the strictest service in scope (0..1), null when none has one. */
  sloTarget: number | null;
  /** Each service in scope and its tier now. */
  tiers: readonly { service: string; tier: Tier }[];
};

/** Below this many requests in the window a rate says nothing. */
export const HALT_MIN_REQUESTS = 10;
export const HALT_WINDOW_MS = 30_000;

export type HaltTrip = { condition: keyof HaltConditions; reason: string };

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

/** The first condition that trips, or null. */
export function evaluateHalt(conditions: HaltConditions, t: HaltTelemetry): HaltTrip | null {
  const rate = t.requests >= HALT_MIN_REQUESTS ? t.failed / t.requests : null;
  if (conditions.maxErrorRate !== null && rate !== null && rate > conditions.maxErrorRate) {
    return { condition: 'maxErrorRate', reason: `Client-visible error rate ${pct(rate)} (${t.failed} of ${t.requests} requests in the last ${HALT_WINDOW_MS / 1000} s) is above the limit of ${pct(conditions.maxErrorRate)}.` };
  }
  if (conditions.maxBurnRate !== null && rate !== null && t.sloTarget !== null && t.sloTarget < 1) {
    const burn = rate / (1 - t.sloTarget);
    if (burn > conditions.maxBurnRate) {
      return { condition: 'maxBurnRate', reason: `Error budget burning at ${burn.toFixed(1)}x (SLO ${pct(t.sloTarget)}), above the limit of ${conditions.maxBurnRate}x.` };
    }
  }
  if (conditions.maxP95TtftMs !== null && t.p95TtftMs !== null && t.p95TtftMs > conditions.maxP95TtftMs) {
    return { condition: 'maxP95TtftMs', reason: `p95 time to first token ${Math.round(t.p95TtftMs)} ms is above the limit of ${conditions.maxP95TtftMs} ms.` };
  }
  if (conditions.tierFloor !== null) {
    const floor = TIERS.indexOf(conditions.tierFloor);
    const below = t.tiers.find((s) => TIERS.indexOf(s.tier) > floor);
    if (below) return { condition: 'tierFloor', reason: `Service ${below.service} fell to the ${below.tier} tier, below the floor of ${conditions.tierFloor}.` };
  }
  return null;
}

/** p95 of a list of values (nearest rank), null when empty. */
export function p95(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(0.95 * sorted.length) - 1)];
}
