// Exit criteria of check steps, judged from live telemetry ("support-bot error
// rate under 1% for 2 min", "breaker of openai-gpt-4o-us-east closed", "tier
// Full"). Pure; the leader's incident loop reads the observations and
// evaluates every running check every few seconds, so a check turns green by
// itself. Unit-tested beside it (checks.test.ts).
import { TIER_LABELS, tierRank } from '@/lib/routing/tier';
import type { Tier } from '@/lib/routing/enums';

export type ResolvedCheck =
  | { metric: 'error_rate'; serviceId: string; serviceName: string; belowPercent: number; forMinutes: number; minRequests: number }
  | { metric: 'breaker_closed'; targetId: string; targetName: string; forMinutes: number }
  | { metric: 'tier'; serviceId: string; serviceName: string; tier: Tier; forMinutes: number };

export type CheckObservation =
  /** Client requests of the service over the check's window (its last forMinutes). */
  | { metric: 'error_rate'; requests: number; failures: number }
  | { metric: 'breaker_closed'; state: 'closed' | 'open' | 'half_open'; since: number }
  /** The service's effective tier and since when it has been in it. */
  | { metric: 'tier'; tier: Tier; since: number };

export type CheckEvaluation = {
  met: boolean;
  /** The live reading, in words and units. */
  value: string;
  /** Why it is not met yet (or that it is). */
  detail: string;
  evaluatedAt: number;
};

const minutes = (m: number) => (m >= 1 ? `${Number.isInteger(m) ? m : m.toFixed(1)} min` : `${Math.round(m * 60)} s`);
const span = (ms: number) => (ms >= 60_000 ? `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s` : `${Math.round(ms / 1000)} s`);
const pct = (x: number) => `${Number.isInteger(x) ? x : x < 0.1 ? x.toFixed(2) : x < 10 ? x.toFixed(1) : Math.round(x)}%`;

/** The criterion in words, as the runbook and the timeline say it. */
export function describeCheck(check: ResolvedCheck): string {
  const held = check.forMinutes > 0 ? ` for ${minutes(check.forMinutes)}` : '';
  switch (check.metric) {
    case 'error_rate':
      return `${check.serviceName} error rate under ${pct(check.belowPercent)} for ${minutes(check.forMinutes)}`;
    case 'breaker_closed':
      return `breaker of ${check.targetName} closed${held}`;
    case 'tier':
      return `${check.serviceName} in tier ${TIER_LABELS[check.tier]}${check.tier === 'full' ? '' : ' or better'}${held}`;
  }
}

export function evaluateCheck(check: ResolvedCheck, observation: CheckObservation, now: number): CheckEvaluation {
  const holdMs = check.forMinutes * 60_000;
  const result = (met: boolean, value: string, detail: string): CheckEvaluation => ({ met, value, detail, evaluatedAt: now });
  if (check.metric === 'error_rate' && observation.metric === 'error_rate') {
    const { requests, failures } = observation;
    const window = `the last ${minutes(check.forMinutes)}`;
    if (requests < check.minRequests) return result(false, `${requests} requests in ${window}`, `too little traffic to judge: ${check.minRequests} requests needed, ${requests} seen`);
    const rate = (failures / requests) * 100;
    const value = `${pct(rate)} of ${requests.toLocaleString('en-US')} requests failed in ${window}`;
    return rate < check.belowPercent ? result(true, value, 'met') : result(false, value, `above ${pct(check.belowPercent)}`);
  }
  if (check.metric === 'breaker_closed' && observation.metric === 'breaker_closed') {
    const state = observation.state.replace('_', '-');
    if (observation.state !== 'closed') return result(false, state, `the breaker is ${state}`);
    const held = now - observation.since;
    const value = `closed for ${span(held)}`;
    return held >= holdMs ? result(true, value, 'met') : result(false, value, `${span(holdMs - held)} to go`);
  }
  if (check.metric === 'tier' && observation.metric === 'tier') {
    if (tierRank(observation.tier) > tierRank(check.tier)) return result(false, TIER_LABELS[observation.tier], `worse than ${TIER_LABELS[check.tier]}`);
    const held = now - observation.since;
    const value = `${TIER_LABELS[observation.tier]} for ${span(held)}`;
    return held >= holdMs ? result(true, value, 'met') : result(false, value, `${span(holdMs - held)} to go`);
  }
  return result(false, 'no reading', 'the reading does not match the check');
}
