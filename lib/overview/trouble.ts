// How much trouble a service is in, and why, for the Overview: the page an SRE
// opens first during an incident lists the services that need them first.
// Pure (trouble.test.ts).
import { TIER_LABELS } from '@/lib/routing/tier';
import type { Tier } from '@/lib/routing/enums';
import type { RouteMode } from '@/lib/routing/plan';
import type { AlertSeverity } from '@/lib/slo/burn-rate';

export type TroubleLevel = 'critical' | 'warning' | 'ok' | 'disabled';

const LEVEL_RANK: Record<TroubleLevel, number> = { critical: 3, warning: 2, ok: 1, disabled: 0 };

export type TroubleInput = {
  name: string;
  enabled: boolean;
  tier: Tier;
  /** The tier was set by an operator. */
  tierOverridden: boolean;
  /** Share of requests served as in Full (overflow.ts): an automatic tier touches only the rest. */
  servedShare: number;
  routing: { mode: RouteMode; lastResort: boolean; chainLength: number; servingName: string | null; overrideLabel: string | null };
  /** The most urgent severity firing now: the live evaluation or an alert still open. */
  alerting: AlertSeverity | null;
  alertRules: string[];
  meetsTarget: boolean | null;
  budgetFraction: number | null;
  openBreakers: string[];
  halfOpenBreakers: string[];
  /** How close the nearest burn-rate rule is to firing (1 = firing); orders services within a level. */
  pressure: number | null;
};

export type Trouble = { level: TroubleLevel; reasons: string[] };

/** Critical: requests fail or someone is paged. Warning: reduced, steered by hand, or spending budget too fast. */
export function assessTrouble(s: TroubleInput): Trouble {
  const critical: string[] = [];
  const warning: string[] = [];
  const list = (names: string[]) => names.join(', ');

  // An automatic tier that sheds nothing (capacity back, the hold still running) refuses nobody: a warning at most.
  const sheds = s.tierOverridden || s.servedShare < 1;
  const shedding = s.tierOverridden ? ' (set by an operator)' : `: ${100 - Math.round(s.servedShare * 100)}% of requests beyond capacity`;
  if (s.alerting === 'page') critical.push(`Paging: burn-rate alert ${list(s.alertRules)}`);
  if ((s.tier === 'emergency' || s.tier === 'minimal') && sheds) critical.push(`Tier ${TIER_LABELS[s.tier]}${shedding}`);
  if (s.routing.chainLength > 0 && s.routing.mode === 'unavailable') critical.push('No target can serve it');
  if (s.routing.lastResort) critical.push(`Every target left has an open breaker: last resort ${s.routing.servingName ?? ''}`.trim());

  if (s.alerting === 'ticket') warning.push(`Ticket: burn-rate alert ${list(s.alertRules)}`);
  if (s.tier === 'degraded' && sheds) warning.push(`Tier Degraded${shedding}`);
  if (s.tier !== 'full' && !sheds) warning.push(`Tier ${TIER_LABELS[s.tier]} until capacity has held; every request is served`);
  if (s.tier === 'full' && s.tierOverridden) warning.push('Tier held at Full by an operator');
  if (s.routing.chainLength === 0) warning.push('No failover chain: every request fails');
  if (!s.routing.lastResort && s.openBreakers.length > 0) warning.push(`Breaker open: ${list(s.openBreakers)}`);
  if (s.halfOpenBreakers.length > 0) warning.push(`Breaker half-open: ${list(s.halfOpenBreakers)}`);
  if (s.routing.overrideLabel) warning.push(s.routing.overrideLabel);
  if (s.budgetFraction !== null && s.budgetFraction <= 0) warning.push('Error budget spent');
  else if (s.meetsTarget === false) warning.push('Below its SLO target');

  if (!s.enabled) return { level: 'disabled', reasons: ['Disabled', ...critical, ...warning] };
  if (critical.length > 0) return { level: 'critical', reasons: [...critical, ...warning] };
  if (warning.length > 0) return { level: 'warning', reasons: warning };
  return { level: 'ok', reasons: [] };
}

/** Trouble first; within a level, the faster burn first; then by name. */
export function compareByTrouble(a: { name: string; trouble: Trouble; pressure: number | null }, b: { name: string; trouble: Trouble; pressure: number | null }): number {
  return LEVEL_RANK[b.trouble.level] - LEVEL_RANK[a.trouble.level] || (b.pressure ?? -1) - (a.pressure ?? -1) || a.name.localeCompare(b.name);
}
