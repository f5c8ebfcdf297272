// A service's SLO standing as pages show it: attainment and budget over the
// SLO window, each burn window with the rules it serves, and which rules fire.
// Pure and JSON-safe (live panels receive it as is).
import {
  attainment, BURN_WINDOW_LABELS, BURN_WINDOWS, budgetRemaining, burnRate, errorRate, evaluateRules, firingSeverity, mostPressingRule, rulePressure, rulesOfWindow,
  type AlertSeverity, type BudgetStatus, type BurnRule, type BurnWindow, type CountsByWindow, type WindowCounts,
} from './burn-rate';

/** Burns are sent as JSON, which has no Infinity: an SLO of 100% with a failure burns "at least this fast". */
export const INFINITE_BURN = 1e9;
const finite = (burn: number | null) => (burn === null ? null : Math.min(burn, INFINITE_BURN));

export type RuleView = {
  id: BurnRule['id'];
  severity: AlertSeverity;
  threshold: number;
  longWindow: BurnWindow;
  shortWindow: BurnWindow;
  longBurn: number | null;
  shortBurn: number | null;
  firing: boolean;
  noTraffic: boolean;
  /** Requests each window needs before the rule may fire, and whether one has fewer. */
  minimumRequests: number;
  tooFewRequests: boolean;
};

export type BurnWindowView = {
  window: BurnWindow;
  label: string;
  requests: number;
  failures: number;
  errorRate: number | null;
  burnRate: number | null;
  /** The rules this window serves, and whether each one fires. */
  rules: { id: BurnRule['id']; role: 'long' | 'short'; severity: AlertSeverity; threshold: number; firing: boolean }[];
};

export type SloStatus = {
  sloTarget: number;
  windowDays: number;
  /** Counts over the SLO window. */
  window: WindowCounts;
  /** Share of good requests over the SLO window; null without traffic. */
  attainment: number | null;
  budget: BudgetStatus;
  /** Attainment is at or above target (null without traffic). */
  meetsTarget: boolean | null;
  windows: BurnWindowView[];
  rules: RuleView[];
  /** The most urgent severity firing now. */
  firing: AlertSeverity | null;
  /** The rule nearest to firing, with its slower burn: one figure for "how fast is the budget going". */
  pressing: { ruleId: BurnRule['id']; burn: number; threshold: number; firing: boolean } | null;
};

export function sloStatus(input: { sloTarget: number; windowDays: number; windows: CountsByWindow; slo: WindowCounts }): SloStatus {
  const { sloTarget, windowDays } = input;
  const evaluations = evaluateRules(input.windows, sloTarget);
  const firingIds = new Set(evaluations.filter((e) => e.firing).map((e) => e.rule.id));
  const attained = attainment(input.slo);
  const pressing = mostPressingRule(evaluations);
  // A pressing rule has traffic in both windows, so both burns are numbers.
  const pressingBurn = pressing && rulePressure(pressing) !== null ? Math.min(pressing.longBurn ?? 0, pressing.shortBurn ?? 0) : null;
  return {
    sloTarget,
    windowDays,
    window: input.slo,
    attainment: attained,
    budget: budgetRemaining(input.slo, sloTarget),
    meetsTarget: attained === null ? null : attained >= sloTarget - 1e-12,
    windows: BURN_WINDOWS.map((window) => {
      const counts = input.windows[window];
      return {
        window,
        label: BURN_WINDOW_LABELS[window],
        requests: counts.requests,
        failures: counts.failures,
        errorRate: errorRate(counts),
        burnRate: finite(burnRate(counts, sloTarget)),
        rules: rulesOfWindow(window).map(({ rule, role }) => ({ id: rule.id, role, severity: rule.severity, threshold: rule.threshold, firing: firingIds.has(rule.id) })),
      };
    }),
    rules: evaluations.map((e) => ({
      id: e.rule.id, severity: e.rule.severity, threshold: e.rule.threshold, longWindow: e.rule.longWindow, shortWindow: e.rule.shortWindow,
      longBurn: finite(e.longBurn), shortBurn: finite(e.shortBurn), firing: e.firing, noTraffic: e.noTraffic,
      minimumRequests: e.minimumRequests, tooFewRequests: e.tooFewRequests,
    })),
    firing: firingSeverity(evaluations),
    pressing:
      pressing && pressingBurn !== null
        ? { ruleId: pressing.rule.id, burn: Math.min(pressingBurn, INFINITE_BURN), threshold: pressing.rule.threshold, firing: pressing.firing }
        : null,
  };
}
