// Error budgets and multi-window burn-rate alerting (DESIGN.md, "Error budgets
// and burn rates"). Pure: the alert loop, the service page and the overview all
// judge a service with these functions, so what a page says is what pages someone.
//
// A burn rate of 1 spends the budget exactly over the SLO window; 14.4 spends
// 2% of a 30-day budget in one hour. The thresholds are the standard ones for a
// 30-day window. Burn rates are relative to the sustainable rate whatever the
// window, so a service with another window keeps the same thresholds: they
// still mean "this many times too fast".

export const BURN_WINDOWS = ['5m', '30m', '1h', '6h', '3d'] as const;
export type BurnWindow = (typeof BURN_WINDOWS)[number];

const MINUTE_MS = 60_000;
export const BURN_WINDOW_MS: Record<BurnWindow, number> = {
  '5m': 5 * MINUTE_MS,
  '30m': 30 * MINUTE_MS,
  '1h': 60 * MINUTE_MS,
  '6h': 6 * 60 * MINUTE_MS,
  '3d': 3 * 24 * 60 * MINUTE_MS,
};

export const BURN_WINDOW_LABELS: Record<BurnWindow, string> = { '5m': '5 min', '30m': '30 min', '1h': '1 hour', '6h': '6 hours', '3d': '3 days' };

export type AlertSeverity = 'page' | 'ticket';

export type BurnRule = {
  /** Stored as AlertEvent.rule. */
  id: 'page-1h' | 'page-6h' | 'ticket-3d';
  severity: AlertSeverity;
  /** Both windows must burn at least this fast. */
  threshold: number;
  /** The long window proves the burn is significant; the short one that it is still happening, so the alert resolves soon after it stops. */
  longWindow: BurnWindow;
  shortWindow: BurnWindow;
};

export const BURN_RULES: readonly BurnRule[] = [
  { id: 'page-1h', severity: 'page', threshold: 14.4, longWindow: '1h', shortWindow: '5m' },
  { id: 'page-6h', severity: 'page', threshold: 6, longWindow: '6h', shortWindow: '30m' },
  { id: 'ticket-3d', severity: 'ticket', threshold: 1, longWindow: '3d', shortWindow: '6h' },
];

/** Requests in a window and how many of them did not count as good (lib/slo/good-request.ts). */
export type WindowCounts = { requests: number; failures: number };

export const NO_TRAFFIC: WindowCounts = { requests: 0, failures: 0 };

/** Share of requests that failed; null when the window had no traffic (no traffic is not "no errors"). */
export function errorRate(counts: WindowCounts): number | null {
  if (counts.requests <= 0) return null;
  return Math.min(1, Math.max(0, counts.failures / counts.requests));
}

/** Share of requests that succeeded; null without traffic. */
export function attainment(counts: WindowCounts): number | null {
  const rate = errorRate(counts);
  return rate === null ? null : 1 - rate;
}

/**
 * How many times faster than sustainable the budget is being spent: error rate
 * / (1 - SLO). Null without traffic. An SLO of 100% has no budget at all, so
 * any failure burns infinitely fast.
 */
export function burnRate(counts: WindowCounts, sloTarget: number): number | null {
  const rate = errorRate(counts);
  if (rate === null) return null;
  const allowed = 1 - sloTarget;
  if (allowed <= 0) return rate > 0 ? Number.POSITIVE_INFINITY : 0;
  return rate / allowed;
}

/** Failures the SLO allows among this many requests: (1 - SLO) × requests. */
export function errorBudget(requests: number, sloTarget: number): number {
  return Math.max(0, 1 - sloTarget) * Math.max(0, requests);
}

/**
 * A budget is shown as a share only once it allows this many failed requests:
 * below it one failure swings it by more than a fifth (at 99.9%, one failure
 * in 600 requests read "-93%"), and the page says the sample is too small.
 */
export const MIN_BUDGET_FAILURES = 5;

export type BudgetStatus = {
  /** Whole failed requests the SLO allows over the window, given its traffic (a request fails whole). */
  allowedFailures: number;
  /** Allowed minus actual failures, in whole requests; negative once overspent. */
  remainingFailures: number;
  /** remainingFailures / allowedFailures: 1 untouched, 0 spent, negative overspent; null without traffic or with too few requests. */
  remainingFraction: number | null;
  /** Traffic too thin for a share to mean anything: fewer requests than `requestsNeeded`. */
  tooFewRequests: boolean;
  /** Requests the window needs before the budget is shown as a share (MIN_BUDGET_FAILURES allowed). */
  requestsNeeded: number;
};

export function budgetRemaining(counts: WindowCounts, sloTarget: number): BudgetStatus {
  // The tolerance keeps 0.001 × 5,000 (4.999999999999999) from losing a whole request.
  const allowedFailures = Math.floor(errorBudget(counts.requests, sloTarget) + 1e-9);
  const remainingFailures = allowedFailures - counts.failures;
  const allowed = Math.max(0, 1 - sloTarget);
  const requestsNeeded = allowed > 0 ? Math.ceil(MIN_BUDGET_FAILURES / allowed - 1e-9) : Number.POSITIVE_INFINITY;
  // No budget at all (an SLO of 100%, which the forms refuse): untouched while nothing fails, otherwise spent.
  const tooFewRequests = allowed > 0 && counts.requests > 0 && allowedFailures < MIN_BUDGET_FAILURES;
  let remainingFraction: number | null = null;
  if (counts.requests > 0 && !tooFewRequests) remainingFraction = allowed > 0 ? remainingFailures / allowedFailures : counts.failures > 0 ? -1 : 1;
  return { allowedFailures, remainingFailures, remainingFraction, tooFewRequests, requestsNeeded: Number.isFinite(requestsNeeded) ? requestsNeeded : 0 };
}

/**
 * Requests each window of a rule needs before the rule may fire: enough that
 * one failed request alone cannot reach its threshold, and never fewer than
 * ten. Without it one refused request on a quiet service pages someone (as
 * Sloth and Pyrra also hold back on thin traffic). At 99.9%: 70 for page-1h,
 * 167 for page-6h, 1,001 for ticket-3d.
 */
export function minimumRequests(rule: Pick<BurnRule, 'threshold'>, sloTarget: number): number {
  const allowed = Math.max(0, 1 - sloTarget);
  if (allowed <= 0) return 10;
  return Math.max(10, Math.floor(1 / (rule.threshold * allowed) + 1e-9) + 1);
}

// (1 - 0.999) is 0.0010000000000000009 in binary floating point, so 144
// failures in 10,000 requests would compute a burn of 14.399999999999986 and
// miss a 14.4 threshold it meets exactly. Compare with a tolerance far below
// any difference one request can make.
const RELATIVE_TOLERANCE = 1e-9;
const meets = (burn: number | null, threshold: number): boolean => burn !== null && burn >= threshold * (1 - RELATIVE_TOLERANCE);

export type RuleEvaluation = {
  rule: BurnRule;
  longBurn: number | null;
  shortBurn: number | null;
  /** Both windows burn at least at the threshold, with at least `minimumRequests` each. */
  firing: boolean;
  /** Neither window had any request: nothing to judge. */
  noTraffic: boolean;
  /** Requests each window needs before the rule may fire, and whether one of them has fewer. */
  minimumRequests: number;
  tooFewRequests: boolean;
};

export type CountsByWindow = Record<BurnWindow, WindowCounts>;

export function evaluateRule(rule: BurnRule, counts: CountsByWindow, sloTarget: number): RuleEvaluation {
  const longBurn = burnRate(counts[rule.longWindow], sloTarget);
  const shortBurn = burnRate(counts[rule.shortWindow], sloTarget);
  const minimum = minimumRequests(rule, sloTarget);
  const tooFewRequests = counts[rule.longWindow].requests < minimum || counts[rule.shortWindow].requests < minimum;
  return {
    rule,
    longBurn,
    shortBurn,
    firing: !tooFewRequests && meets(longBurn, rule.threshold) && meets(shortBurn, rule.threshold),
    noTraffic: longBurn === null && shortBurn === null,
    minimumRequests: minimum,
    tooFewRequests,
  };
}

export function evaluateRules(counts: CountsByWindow, sloTarget: number): RuleEvaluation[] {
  return BURN_RULES.map((rule) => evaluateRule(rule, counts, sloTarget));
}

/** The rules a window belongs to, as long or short window. */
export function rulesOfWindow(window: BurnWindow): { rule: BurnRule; role: 'long' | 'short' }[] {
  return BURN_RULES.flatMap((rule) => [
    ...(rule.longWindow === window ? [{ rule, role: 'long' as const }] : []),
    ...(rule.shortWindow === window ? [{ rule, role: 'short' as const }] : []),
  ]);
}

/**
 * How close a rule is to firing: the slower of its two burns over its
 * threshold (it fires at 1). Null while either window has no traffic.
 */
export function rulePressure(evaluation: RuleEvaluation): number | null {
  const { longBurn, shortBurn, rule } = evaluation;
  if (longBurn === null || shortBurn === null) return null;
  return Math.min(longBurn, shortBurn) / rule.threshold;
}

/**
 * The rule nearest to firing (or firing hardest), for a one-figure summary of
 * how fast a service burns; pages win ties. Null when no rule has traffic in
 * both its windows.
 */
export function mostPressingRule(evaluations: RuleEvaluation[]): RuleEvaluation | null {
  let best: { evaluation: RuleEvaluation; pressure: number } | null = null;
  for (const evaluation of evaluations) {
    const pressure = rulePressure(evaluation);
    if (pressure === null) continue;
    const isPage = evaluation.rule.severity === 'page';
    if (best === null || pressure > best.pressure || (pressure === best.pressure && isPage && best.evaluation.rule.severity !== 'page')) best = { evaluation, pressure };
  }
  return best?.evaluation ?? null;
}

/** The most urgent firing severity, if any. */
export function firingSeverity(evaluations: RuleEvaluation[]): AlertSeverity | null {
  if (evaluations.some((e) => e.firing && e.rule.severity === 'page')) return 'page';
  if (evaluations.some((e) => e.firing && e.rule.severity === 'ticket')) return 'ticket';
  return null;
}
