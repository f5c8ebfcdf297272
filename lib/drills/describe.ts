import 'server-only';
// Plain words for a plan's faults, scope and halt conditions (pages and the run's confirmation).
import { db } from '@/lib/server/db';
import type { HaltConditions } from './halt';
import type { PlanScope } from '@/lib/recovery/drill-states';
import type { PlanFault } from './runs';
import { FAULT_KIND_LABELS } from './schemas';

export function describeFault(f: PlanFault): string {
  const label = FAULT_KIND_LABELS[f.kind];
  if (f.kind === 'error_status') return `HTTP ${f.status ?? 503}`;
  if (f.kind === 'rate_limited') return f.retryAfterSeconds == null ? '429 without Retry-After' : `429 with Retry-After ${f.retryAfterSeconds} s`;
  if (f.kind === 'added_latency' || f.kind === 'slow_first_token') return `${label.toLowerCase()} of ${f.delayMs} ms`;
  if (f.kind === 'stream_cut' || f.kind === 'stream_stall') return `${label.toLowerCase()} after ${f.afterChunks ?? 2} chunks`;
  return label.toLowerCase();
}

export function describeHalt(h: HaltConditions): string {
  const parts = [
    h.maxErrorRate !== null && `error rate above ${(h.maxErrorRate * 100).toFixed(1)}%`,
    h.maxP95TtftMs !== null && `p95 TTFT above ${h.maxP95TtftMs} ms`,
    h.maxBurnRate !== null && `budget burn above ${h.maxBurnRate}x`,
    h.tierFloor !== null && `a tier below ${h.tierFloor}`,
  ].filter(Boolean);
  return parts.length ? parts.join(', or ') : 'never (synthetic traffic only)';
}

export async function describeScope(scope: PlanScope): Promise<string> {
  const rows =
    scope.kind === 'targets' ? await db().target.findMany({ where: { id: { in: scope.ids } }, select: { name: true } })
    : scope.kind === 'provider' ? await db().provider.findMany({ where: { id: { in: scope.ids } }, select: { name: true } })
    : (await db().region.findMany({ where: { id: { in: scope.ids } }, select: { code: true } })).map((r) => ({ name: r.code }));
  const names = rows.map((r) => r.name).join(', ') || '(nothing: edit the scope)';
  return scope.kind === 'targets' ? names : `every target of ${scope.kind} ${names}`;
}
