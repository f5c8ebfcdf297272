// Which targets a request for a service may try, in order, given the chain,
// the operators' overrides and the breakers. The one planner shared by the
// gateway (from its in-memory snapshot) and the dashboard (from the database
// through loadPlanningInputs), so what the page says is what traffic does.
// Pure (plan.test.ts): no I/O, time is passed in.
import type { BreakerView, SnapshotChainEntry, SnapshotOverride, SnapshotService, SnapshotTarget } from './model';

export type RouteMode = 'automatic' | 'pinned' | 'forced_failover' | 'unavailable';
export type SkipReason = 'disabled' | 'drained' | 'breaker_open' | 'forced_away' | 'not_pinned';
export type RouteCandidate = { entry: SnapshotChainEntry; target: SnapshotTarget };
export type SkippedTarget = { targetId: string; targetName: string; reason: SkipReason };

export type RoutePlan = {
  mode: RouteMode;
  /** Targets to try, in order; the first one serves. */
  candidates: RouteCandidate[];
  skipped: SkippedTarget[];
  /** The pin or forced failover that shapes this plan, if any (drains apply per target and are listed in `skipped`). */
  override: SnapshotOverride | null;
  /**
   * Every candidate has an open breaker: nothing healthy is left, so they are
   * tried anyway in chain order rather than failing the request outright.
   */
  lastResort: boolean;
};

export const SKIP_REASON_LABELS: Record<SkipReason, string> = {
  disabled: 'disabled',
  drained: 'drained',
  breaker_open: 'breaker open',
  forced_away: 'forced away',
  not_pinned: 'not pinned',
};

const isActive = (override: SnapshotOverride, now: number) => override.expiresAt === null || override.expiresAt > now;
const newestFirst = (a: SnapshotOverride, b: SnapshotOverride) => b.createdAt - a.createdAt;

/** Overrides still in force at `now` (not expired; cleared ones never reach the planner), newest first. */
export function activeOverrides(overrides: SnapshotOverride[], now: number): SnapshotOverride[] {
  return overrides.filter((override) => isActive(override, now)).sort(newestFirst);
}

/** Drains apply to every service that uses the target; a drain naming a service applies to that service only. */
function drainedTargets(active: SnapshotOverride[], serviceId: string): Map<string, SnapshotOverride> {
  const drained = new Map<string, SnapshotOverride>();
  for (const override of active) {
    if (override.kind !== 'drain' || !override.targetId) continue;
    if (override.serviceId !== null && override.serviceId !== serviceId) continue;
    if (!drained.has(override.targetId)) drained.set(override.targetId, override); // newest first
  }
  return drained;
}

/**
 * The service-level override in force: the newest pin or forced failover for
 * this service. Steering one clears the other, so when both exist anyway (SQL
 * by hand) the latest operator decision wins.
 */
function serviceOverride(active: SnapshotOverride[], serviceId: string): SnapshotOverride | null {
  return active.find((o) => o.serviceId === serviceId && (o.kind === 'pin' || o.kind === 'force_failover')) ?? null;
}

function skip(skipped: SkippedTarget[], targets: Map<string, SnapshotTarget>, targetId: string, reason: SkipReason): void {
  skipped.push({ targetId, targetName: targets.get(targetId)?.name ?? targetId, reason });
}

/** The plan, its skipped targets in chain order. */
function done(
  chain: SnapshotChainEntry[], skipped: SkippedTarget[], override: SnapshotOverride | null, mode: RouteMode, candidates: RouteCandidate[], lastResort: boolean,
): RoutePlan {
  if (skipped.length > 1) {
    const order = new Map(chain.map((entry, index) => [entry.targetId, index]));
    skipped.sort((a, b) => (order.get(a.targetId) ?? 0) - (order.get(b.targetId) ?? 0));
  }
  return { mode, candidates, skipped, override, lastResort };
}

export function planRoute(
  service: SnapshotService,
  targets: Map<string, SnapshotTarget>,
  overrides: SnapshotOverride[],
  breakerOf: BreakerView,
  now: number,
): RoutePlan {
  const active = activeOverrides(overrides, now);
  const drained = drainedTargets(active, service.id);
  const override = serviceOverride(active, service.id);
  const chain = [...service.chain].sort((a, b) => a.position - b.position);

  const skipped: SkippedTarget[] = [];

  // Disabled (or deleted) and drained targets never take traffic, whatever else applies.
  const usable: RouteCandidate[] = [];
  for (const entry of chain) {
    const target = targets.get(entry.targetId);
    if (!target || !target.enabled) skip(skipped, targets, entry.targetId, 'disabled');
    else if (drained.has(target.id)) skip(skipped, targets, target.id, 'drained');
    else usable.push({ entry, target });
  }

  // A pin is strict: the operator chose this target, so if it cannot serve
  // (disabled, drained, or no longer in the chain) nothing serves.
  if (override?.kind === 'pin') {
    const pinned = usable.find((c) => c.target.id === override.targetId);
    for (const c of usable) if (c !== pinned) skip(skipped, targets, c.target.id, 'not_pinned');
    if (!pinned) return done(chain, skipped, override, 'unavailable', [], false);
    return done(chain, skipped, override, 'pinned', [pinned], breakerOf(pinned.target.id) === 'open');
  }

  let eligible = usable;
  if (override?.kind === 'force_failover') {
    // Each forced failover names the target that served when the operator
    // acted, and they add up: forcing again moves on from the next one too.
    // One without a target (written by hand) moves away from whatever would serve now.
    const forces = active.filter((o) => o.kind === 'force_failover' && o.serviceId === service.id);
    const away = new Set(forces.flatMap((o) => (o.targetId ? [o.targetId] : [])));
    if (forces.some((o) => !o.targetId)) {
      const rest = usable.filter((c) => !away.has(c.target.id));
      const first = rest.find((c) => breakerOf(c.target.id) !== 'open') ?? rest[0];
      if (first) away.add(first.target.id);
    }
    for (const c of usable) if (away.has(c.target.id)) skip(skipped, targets, c.target.id, 'forced_away');
    eligible = usable.filter((c) => !away.has(c.target.id));
  }

  const closedOrProbing = eligible.filter((c) => breakerOf(c.target.id) !== 'open');
  const open = eligible.filter((c) => breakerOf(c.target.id) === 'open');
  for (const c of open) if (closedOrProbing.length > 0) skip(skipped, targets, c.target.id, 'breaker_open');
  const lastResort = closedOrProbing.length === 0 && open.length > 0;
  const candidates = lastResort ? open : closedOrProbing;

  const mode: RouteMode = candidates.length === 0 ? 'unavailable' : override?.kind === 'force_failover' ? 'forced_failover' : 'automatic';
  return done(chain, skipped, override, mode, candidates, lastResort);
}

/** The target that takes a request first, or null when nothing can. */
export function servingTarget(plan: RoutePlan): RouteCandidate | null {
  return plan.candidates[0] ?? null;
}

// --- A serialisable account of a plan: for pages, previews and audit entries.

export type TargetRef = { targetId: string; name: string };

export type PlanSummary = {
  mode: RouteMode;
  serving: TargetRef | null;
  /** Where traffic goes if the serving target fails, in order. */
  fallbacks: TargetRef[];
  skipped: { targetId: string; name: string; reason: SkipReason }[];
  override: { kind: SnapshotOverride['kind']; targetId: string | null; targetName: string | null; createdBy: string; reason: string; expiresAt: number | null } | null;
  lastResort: boolean;
};

export function summarizePlan(plan: RoutePlan, targets: Map<string, SnapshotTarget>): PlanSummary {
  const ref = (c: RouteCandidate): TargetRef => ({ targetId: c.target.id, name: c.target.name });
  const [first, ...rest] = plan.candidates;
  const o = plan.override;
  return {
    mode: plan.mode,
    serving: first ? ref(first) : null,
    fallbacks: rest.map(ref),
    skipped: plan.skipped.map((s) => ({ targetId: s.targetId, name: s.targetName, reason: s.reason })),
    override: o
      ? { kind: o.kind, targetId: o.targetId, targetName: o.targetId ? (targets.get(o.targetId)?.name ?? null) : null, createdBy: o.createdBy, reason: o.reason, expiresAt: o.expiresAt }
      : null,
    lastResort: plan.lastResort,
  };
}

/** "Automatic", "Pinned to X", "Forced failover away from X", "Unavailable". */
export function describeMode(summary: Pick<PlanSummary, 'mode' | 'override' | 'skipped'>): string {
  switch (summary.mode) {
    case 'automatic':
      return 'Automatic';
    case 'pinned':
      return `Pinned to ${summary.override?.targetName ?? 'a target'}`;
    case 'forced_failover': {
      const away = summary.skipped.filter((s) => s.reason === 'forced_away').map((s) => s.name);
      return away.length ? `Forced failover away from ${away.join(', ')}` : 'Forced failover';
    }
    case 'unavailable':
      return 'Unavailable';
  }
}
