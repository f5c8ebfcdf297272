// Display helpers for SLO figures. "—" is "no traffic", never zero; shares are
// floored so that 99.8996% never reads as meeting a 99.9% target.
import { INFINITE_BURN } from '@/lib/slo/status';

export const NO_TRAFFIC = '—';

const trimZeros = (text: string) => (text.includes('.') ? text.replace(/0+$/, '').replace(/\.$/, '') : text);

/** An SLO target: 0.999 → "99.9%", 0.9995 → "99.95%". */
export const formatTarget = (target: number) => `${trimZeros((Math.round(target * 1e6) / 1e4).toFixed(4))}%`;

/** Attainment to three decimals, floored: 0.99975 → "99.975%"; only a perfect record reads "100%". */
export function formatAttainment(value: number | null): string {
  if (value == null) return NO_TRAFFIC;
  const percent = Math.floor(value * 1e5 + 1e-7) / 1e3;
  return percent >= 100 ? '100%' : `${percent.toFixed(3)}%`;
}

/** A burn rate as a multiple of the sustainable rate: "0.04×", "1.5×", "14.4×", "250×", "∞". */
export function formatBurn(burn: number | null): string {
  if (burn == null) return NO_TRAFFIC;
  if (burn >= INFINITE_BURN) return '∞';
  if (burn === 0) return '0×';
  if (burn < 0.1) return `${burn.toFixed(2)}×`;
  if (burn < 100) return `${trimZeros(burn.toFixed(1))}×`;
  return `${Math.round(burn).toLocaleString('en-US')}×`;
}

/** The share of the error budget left, one decimal, negative once overspent: "65.5%", "-50%". */
export function formatBudgetShare(fraction: number | null): string {
  if (fraction == null) return NO_TRAFFIC;
  const percent = Math.floor(fraction * 1000 + 1e-9) / 10;
  return `${trimZeros(percent.toFixed(1))}%`;
}

/** A count of whole requests: "1 failed request", "2,855 failed requests". */
export const requestsOf = (count: number, what = 'request') => `${Math.trunc(count).toLocaleString('en-US')} ${what}${Math.trunc(count) === 1 ? '' : 's'}`;

type BudgetView = { allowedFailures: number; remainingFailures: number; remainingFraction: number | null; tooFewRequests: boolean; requestsNeeded: number };

/** What is left of the budget, in whole requests: "2,855 of 4,355 failed requests left", how far it is overspent, or why there is no share yet. */
export function describeBudget(budget: BudgetView, requests: number): string {
  if (budget.tooFewRequests) {
    return `Too few requests to judge a budget: ${requests.toLocaleString('en-US')} of the ${budget.requestsNeeded.toLocaleString('en-US')} needed, so that one failure moves it by at most a fifth.`;
  }
  if (budget.remainingFraction == null) return 'No requests in the window yet.';
  if (budget.remainingFailures < 0) return `Overspent by ${requestsOf(-budget.remainingFailures, 'failed request')} (${budget.allowedFailures.toLocaleString('en-US')} allowed).`;
  return `${budget.remainingFailures.toLocaleString('en-US')} of ${requestsOf(budget.allowedFailures, 'failed request')} left.`;
}

export const budgetColor = (fraction: number | null) => (fraction == null ? 'gray' : fraction <= 0 ? 'red' : fraction < 0.25 ? 'orange' : fraction < 0.5 ? 'yellow' : 'teal');
