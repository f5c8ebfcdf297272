// What a steering action would do before anyone confirms it: the routing plan
// after the action, which targets would take the service's current load and at
// what share of their capacity, and what to worry about. Also the overrides an
// action creates and ends, shared with lib/failover/mutations.ts so that the
// preview and the change itself cannot disagree. Pure (impact.test.ts).
import type { BreakerView, SnapshotOverride, SnapshotService, SnapshotTarget } from '@/lib/routing/model';
import type { OverrideKind } from '@/lib/routing/enums';
import { availableCapacity } from '@/lib/degradation/capacity';
import { activeOverrides, planRoute, servingTarget, summarizePlan, type PlanSummary, type RoutePlan } from '@/lib/routing/plan';
import type { SteeringAction } from './schemas';

export type SteeringEffect = {
  /** Active overrides the action ends: the ones it replaces, or everything "return to automatic" clears. */
  ends: SnapshotOverride[];
  /** The override it creates; null for "return to automatic". */
  creates: { kind: OverrideKind; serviceId: string | null; targetId: string | null } | null;
};

const isServiceLevel = (o: SnapshotOverride, serviceId: string) => o.serviceId === serviceId && (o.kind === 'pin' || o.kind === 'force_failover');
const isDrainOf = (o: SnapshotOverride, targetIds: Set<string>) => o.kind === 'drain' && o.targetId !== null && targetIds.has(o.targetId);

/**
 * The overrides `action` creates and ends, given the plan in force now.
 * A pin replaces the service's pin or forced failovers; a forced failover
 * replaces a pin and adds to earlier forced failovers (each moves traffic off
 * the target serving at that moment); a drain replaces an earlier drain of the
 * same target (to change its reason or expiry); "return to automatic" ends the
 * service's pin and forced failovers and the drains of its chain's targets.
 */
export function steeringEffect(action: SteeringAction, service: SnapshotService, overrides: SnapshotOverride[], before: RoutePlan, now: number): SteeringEffect {
  const active = activeOverrides(overrides, now);
  switch (action.kind) {
    case 'pin':
      return { ends: active.filter((o) => isServiceLevel(o, service.id)), creates: { kind: 'pin', serviceId: service.id, targetId: action.targetId } };
    case 'force_failover':
      return {
        ends: active.filter((o) => o.serviceId === service.id && o.kind === 'pin'),
        creates: { kind: 'force_failover', serviceId: service.id, targetId: servingTarget(before)?.target.id ?? null },
      };
    case 'drain':
      return { ends: active.filter((o) => isDrainOf(o, new Set([action.targetId]))), creates: { kind: 'drain', serviceId: null, targetId: action.targetId } };
    case 'clear': {
      const chainTargets = new Set(service.chain.map((entry) => entry.targetId));
      return { ends: active.filter((o) => isServiceLevel(o, service.id) || isDrainOf(o, chainTargets)), creates: null };
    }
  }
}

/** The overrides as they would be after `effect`, with a placeholder for the one it creates. */
export function applyEffect(overrides: SnapshotOverride[], effect: SteeringEffect, now: number): SnapshotOverride[] {
  const ended = new Set(effect.ends.map((o) => o.id));
  const kept = overrides.filter((o) => !ended.has(o.id));
  if (!effect.creates) return kept;
  return [...kept, { id: 'preview', ...effect.creates, reason: '', createdBy: '', createdAt: now, expiresAt: null }];
}

export type TrafficShare = {
  targetId: string;
  name: string;
  rpm: number;
  /** The serving target takes the load; fallbacks take it only if the ones before them fail. */
  role: 'serving' | 'fallback';
  /** Fraction of the target's RPM the current load would use if it all went there. */
  loadShare: number;
  overCapacity: boolean;
};

export type OtherServiceImpact = { serviceId: string; name: string; before: PlanSummary; after: PlanSummary; capacityAfterRpm: number };

export type SteeringPreview = {
  before: PlanSummary;
  after: PlanSummary;
  takesTraffic: TrafficShare[];
  /** Drains are global: other services using the targets involved, with their routing before and after. */
  elsewhere: OtherServiceImpact[];
  /** RPM of the targets that could take traffic after the action (lib/degradation/capacity.ts): what the tier forecast reads. */
  capacityAfterRpm: number;
  warnings: string[];
};

const number = (n: number) => n.toLocaleString('en-US');
const percent = (fraction: number) => `${number(Math.round(fraction * 100))}%`;

function shareOf(plan: RoutePlan, requestsPerMinute: number): TrafficShare[] {
  return plan.candidates.map(({ target }, index) => {
    const loadShare = target.rpm > 0 ? requestsPerMinute / target.rpm : requestsPerMinute > 0 ? Infinity : 0;
    return { targetId: target.id, name: target.name, rpm: target.rpm, role: index === 0 ? 'serving' : 'fallback', loadShare, overCapacity: loadShare > 1 };
  });
}

function targetsInvolved(action: SteeringAction, service: SnapshotService): Set<string> {
  if (action.kind === 'drain') return new Set([action.targetId]);
  if (action.kind === 'clear') return new Set(service.chain.map((entry) => entry.targetId));
  return new Set();
}

function warningsFor(
  action: SteeringAction,
  service: SnapshotService,
  targets: Map<string, SnapshotTarget>,
  before: RoutePlan,
  after: RoutePlan,
  takesTraffic: TrafficShare[],
  elsewhere: OtherServiceImpact[],
  effect: SteeringEffect,
): string[] {
  const warnings: string[] = [];
  const nameOf = (id: string) => targets.get(id)?.name ?? 'the target';
  if (action.kind === 'force_failover' && !servingTarget(before)) warnings.push(`Nothing serves ${service.name} now: there is nothing to fail over from.`);
  if (action.kind === 'clear' && effect.ends.length === 0) warnings.push(`Routing for ${service.name} is already automatic: there is nothing to clear.`);
  if (after.candidates.length === 0) {
    warnings.push(`No target would take the traffic: every request for ${service.name} would fail.`);
  } else {
    const serving = takesTraffic[0];
    if (serving.overCapacity) warnings.push(`${serving.name} would run at ${percent(serving.loadShare)} of its ${number(serving.rpm)} RPM.`);
    if (after.lastResort) warnings.push(`Every target left has an open breaker: requests go to ${serving.name} only as a last resort and may fail.`);
  }
  if (action.kind === 'pin' && after.candidates.length > 0) {
    warnings.push(`While pinned, automatic failover is off: if ${nameOf(action.targetId)} fails, requests for ${service.name} fail.`);
  }
  if (action.kind === 'drain') {
    const others = elsewhere.map((s) => s.name);
    warnings.push(
      others.length
        ? `A drain applies to every service that uses ${nameOf(action.targetId)}: ${others.join(', ')} ${others.length === 1 ? 'uses' : 'use'} it too.`
        : `A drain applies to every service that uses ${nameOf(action.targetId)}; no other service uses it now.`,
    );
  }
  for (const other of elsewhere) {
    if (other.after.mode === 'unavailable' && other.before.mode !== 'unavailable') warnings.push(`${other.name} would have no target left: its requests would fail.`);
  }
  return warnings;
}

/**
 * The routing of `service` before and after `action`, the targets that would
 * take its current load, and warnings. Pass `otherServices` (every service, or
 * those sharing targets) to see what a drain, or clearing one, does elsewhere.
 */
export function previewSteering(
  action: SteeringAction,
  service: SnapshotService,
  targets: Map<string, SnapshotTarget>,
  overrides: SnapshotOverride[],
  breakerOf: BreakerView,
  now: number,
  load: { requestsPerMinute: number },
  otherServices: SnapshotService[] = [],
): SteeringPreview {
  const beforePlan = planRoute(service, targets, overrides, breakerOf, now);
  const effect = steeringEffect(action, service, overrides, beforePlan, now);
  const hypothetical = applyEffect(overrides, effect, now);
  const afterPlan = planRoute(service, targets, hypothetical, breakerOf, now);
  const takesTraffic = shareOf(afterPlan, Math.max(0, load.requestsPerMinute));

  const involved = targetsInvolved(action, service);
  const elsewhere = otherServices
    .filter((other) => other.id !== service.id && other.chain.some((entry) => involved.has(entry.targetId)))
    .sort((a, b) => a.name.localeCompare(b.name))
    .map((other) => ({
      serviceId: other.id,
      name: other.name,
      before: summarizePlan(planRoute(other, targets, overrides, breakerOf, now), targets),
      after: summarizePlan(planRoute(other, targets, hypothetical, breakerOf, now), targets),
      capacityAfterRpm: availableCapacity(other, { targets, overrides: hypothetical, breakerOf }, now).availableRpm,
    }))
    // Everyone sharing a drained target is named; clearing drains names only those whose routing moves.
    .filter((other) => action.kind === 'drain' || JSON.stringify(other.before) !== JSON.stringify(other.after));

  return {
    before: summarizePlan(beforePlan, targets),
    after: summarizePlan(afterPlan, targets),
    takesTraffic,
    elsewhere,
    capacityAfterRpm: availableCapacity(service, { targets, overrides: hypothetical, breakerOf }, now).availableRpm,
    warnings: warningsFor(action, service, targets, beforePlan, afterPlan, takesTraffic, elsewhere, effect),
  };
}

/** "Traffic goes to A; if A fails: B, then C." for a chain in order (the chain editor's preview). */
export function describeChainOrder(names: string[]): string {
  if (names.length === 0) return 'No targets: every request for this service fails.';
  const [first, ...rest] = names;
  if (rest.length === 0) return `Traffic goes to ${first}; nothing is left if it fails.`;
  return `Traffic goes to ${first}; if ${first} fails: ${rest.join(', then ')}.`;
}
