// Severity suggested from measured impact (the commander sets it; Standby
// suggests and says why). Pure; unit-tested beside it.
//
//   P0  callers of a service get nothing: nothing can serve it, or at least
//       half its requests fail; or three or more services fail 5% or more
//   P1  10% or more of a service's requests fail, a service is in Minimal or
//       Emergency, or two or more services are affected
//   P2  1% or more fail, a service is Degraded, or a page-level burn-rate
//       alert fires
//   P3  callers are served (the fallback answers): the incident is about risk
import type { Tier } from '@/lib/routing/enums';
import { TIER_LABELS } from '@/lib/routing/tier';
import type { IncidentSeverity } from './model';

export type ServiceImpact = {
  name: string;
  /** Client requests over the impact window (the last 5 minutes) and how many failed. */
  requests: number;
  failures: number;
  tier: Tier;
  /** False when no target of its chain can take a request (every one open, drained or disabled). */
  servable: boolean;
  pageAlert: boolean;
};

export type SeveritySuggestion = { severity: IncidentSeverity; reasons: string[] };

/** Below this many requests a share says little: one failure of three is not a third of the callers. */
export const MIN_REQUESTS_FOR_SHARE = 20;
export const IMPACT_WINDOW_MINUTES = 5;

const share = (s: ServiceImpact) => (s.requests >= MIN_REQUESTS_FOR_SHARE ? s.failures / s.requests : null);
const percent = (x: number) => `${x >= 0.1 ? Math.round(x * 100) : (x * 100).toFixed(1)}%`;
const failing = (s: ServiceImpact) => `${s.name}: ${percent(share(s)!)} of ${s.requests.toLocaleString('en-US')} requests failed in the last ${IMPACT_WINDOW_MINUTES} min`;
const affected = (s: ServiceImpact) => !s.servable || s.tier !== 'full' || (share(s) ?? 0) >= 0.01;

export function suggestSeverity(services: readonly ServiceImpact[]): SeveritySuggestion {
  const byLevel: Record<IncidentSeverity, string[]> = { P0: [], P1: [], P2: [], P3: [] };
  for (const s of services) {
    const x = share(s);
    if (!s.servable) byLevel.P0.push(`${s.name}: nothing can serve it`);
    else if (s.tier === 'emergency') byLevel.P1.push(`${s.name}: in ${TIER_LABELS.emergency}`);
    else if (s.tier === 'minimal') byLevel.P1.push(`${s.name}: in ${TIER_LABELS.minimal}`);
    else if (s.tier === 'degraded') byLevel.P2.push(`${s.name}: in ${TIER_LABELS.degraded}`);
    if (x !== null && x >= 0.5) byLevel.P0.push(failing(s));
    else if (x !== null && x >= 0.1) byLevel.P1.push(failing(s));
    else if (x !== null && x >= 0.01) byLevel.P2.push(failing(s));
    if (s.pageAlert) byLevel.P2.push(`${s.name}: a page-level burn-rate alert fires`);
  }
  const widely = services.filter((s) => (share(s) ?? 0) >= 0.05 || !s.servable);
  if (widely.length >= 3) byLevel.P0.push(`${widely.length} services fail 5% or more of their requests`);
  else {
    const hit = services.filter(affected);
    if (hit.length >= 2) byLevel.P1.push(`${hit.length} services affected (${hit.map((s) => s.name).join(', ')})`);
  }
  for (const level of ['P0', 'P1', 'P2'] as const) if (byLevel[level].length) return { severity: level, reasons: byLevel[level] };
  const quiet = services.filter((s) => s.requests > 0 && s.failures === 0);
  return {
    severity: 'P3',
    reasons: quiet.length
      ? [`callers are served: ${quiet.map((s) => s.name).join(', ')} answered every request in the last ${IMPACT_WINDOW_MINUTES} min`]
      : services.length
        ? [`no measured impact on ${services.map((s) => s.name).join(', ')} (too little traffic in the last ${IMPACT_WINDOW_MINUTES} min to tell)`]
        : ['no service is named: set the severity by hand'],
  };
}
