import 'server-only';
// The Overview: the first page an SRE opens during trouble. It must answer fast
// while the database holds millions of samples and request records, so it reads
// only small tables (services, targets, overrides, breakers, tier state, alerts),
// the SLO rollups (lib/slo/data.ts) and the last hour of change rows through
// their time indexes, never HealthSample or RequestRecord.
import type { PlanningRisk } from '@/lib/degradation/capacity';
import type { Tier } from '@/lib/routing/enums';
import { getDegradationOverview, type TierOverrideView } from '@/lib/degradation/data';
import { loadPlanningInputs } from '@/lib/routing/planning-inputs';
import { describeMode, planRoute, summarizePlan, type RouteMode, type TargetRef } from '@/lib/routing/plan';
import { countInventory } from '@/lib/inventory/data';
import { readRecoverySummary, type RecoverySummary } from '@/lib/recovery/summary';
import { db } from '@/lib/server/db';
import type { AlertSeverity } from '@/lib/slo/burn-rate';
import { getSloSummaries, type AlertView } from '@/lib/slo/data';
import { collectChanges, type BreakerState, type ChangeItem } from './changes';
import { assessTrouble, compareByTrouble, type Trouble } from './trouble';

const HOUR_MS = 3_600_000;
/** Rows read per kind of change: a flapping breaker must not crowd out the rest or slow the page. */
const ROWS_PER_KIND = 100;
/** Lines of "what changed" on the Overview; the rest is a link away. */
const CHANGES_SHOWN = 12;

/** Audit actions that change how the estate is configured; tier overrides and routing steering have their own rows. */
const CONFIG_ACTION_PREFIXES = ['service.', 'target.', 'provider.', 'region.', 'credential.', 'config.'];
const CONFIG_ACTIONS = ['degradation.policy_update', 'simulator.faults'];

export type OverviewBreaker = { targetId: string; name: string; state: Exclude<BreakerState, 'closed'>; since: string };

export type OverviewService = {
  id: string;
  name: string;
  enabled: boolean;
  tier: Tier;
  tierOverride: TierOverrideView | null;
  /** D = available capacity / measured demand, as the degradation loop last measured it. */
  level: number | null;
  /** What D came from, the share served as in Full, and the planned capacity as a risk (never a limit). */
  capacity: { availableRpm: number; demandRpm: number; servedShare: number; planning: PlanningRisk | null };
  routing: { mode: RouteMode; modeLabel: string; serving: TargetRef | null; fallbacks: number; lastResort: boolean; chainLength: number };
  slo: {
    target: number;
    windowDays: number;
    requests: number;
    attainment: number | null;
    meetsTarget: boolean | null;
    budgetFraction: number | null;
    /** Too few requests for the budget to be shown as a share. */
    budgetTooFew: boolean;
    budgetRemainingFailures: number;
    /** Severity firing now, judged live (the alert loop records it within 30 s). */
    firing: AlertSeverity | null;
    /** The rule nearest to firing and its slower burn. */
    pressing: { ruleId: string; burn: number; threshold: number; firing: boolean } | null;
    burn1h: number | null;
  };
  /** The most urgent burn-rate severity: firing now, or an alert still open. */
  alerting: AlertSeverity | null;
  alertRules: string[];
  openAlerts: AlertView[];
  /** Breakers of its chain that are not closed. */
  breakers: OverviewBreaker[];
  trouble: Trouble;
};

export type Overview = {
  generatedAt: string;
  estate: { services: number; targets: number; enabledTargets: number; providers: number; regions: number };
  summary: { servicesInTrouble: number; critical: number; pages: number; tickets: number; breakersOpen: number; breakersHalfOpen: number; notFull: number };
  services: OverviewService[];
  /** Every target whose breaker is open or half-open, with the services that use it. */
  breakers: (OverviewBreaker & { providerName: string; regionCode: string; services: string[] })[];
  changes: ChangeItem[];
  /** More changes happened in the hour than are listed. */
  changesTruncated: boolean;
  /** Lines there would be without the cap (grouped changes count once). */
  changesTotal: number;
  changesSince: string;
  /** Recovery objectives over the last 90 days (lib/recovery/summary.ts); null until the recovery loop has run. */
  recovery: Pick<RecoverySummary, 'breached' | 'critical' | 'atRisk' | 'cells' | 'computedAt'> | null;
};

export async function getOverview(now = new Date()): Promise<Overview> {
  const nowMs = now.getTime();
  const since = new Date(nowMs - HOUR_MS);
  const [inputs, sloRows, degradation, estate, changeRows, recovery] = await Promise.all([
    loadPlanningInputs(db(), nowMs),
    db().service.findMany({ select: { id: true, sloTarget: true, sloWindowDays: true } }),
    getDegradationOverview(),
    countInventory(),
    readChangeRows(since, now),
    readRecoverySummary(),
  ]);
  const slo = await getSloSummaries(sloRows, now);
  const tiers = new Map(degradation.services.map((row) => [row.serviceId, row]));
  const targetName = (id: string) => inputs.targets.get(id)?.name ?? id;

  const breakerOf = (targetId: string): OverviewBreaker | null => {
    const breaker = inputs.breakers.get(targetId);
    if (!breaker || breaker.state === 'closed') return null;
    return { targetId, name: targetName(targetId), state: breaker.state, since: new Date(breaker.since).toISOString() };
  };

  const services: OverviewService[] = [...inputs.services.values()].map((service) => {
    const plan = summarizePlan(planRoute(service, inputs.targets, inputs.overrides, inputs.breakerOf, nowMs), inputs.targets);
    const tierRow = tiers.get(service.id);
    const tier = tierRow?.tier ?? 'full';
    const summary = slo.get(service.id);
    const status = summary?.status;
    const openAlerts = summary?.openAlerts ?? [];
    const breakers = service.chain.map((entry) => breakerOf(entry.targetId)).filter((b): b is OverviewBreaker => b !== null);
    const recorded: AlertSeverity | null = openAlerts.some((a) => a.severity === 'page') ? 'page' : openAlerts.length > 0 ? 'ticket' : null;
    const live = status?.firing ?? null;
    const alerting: AlertSeverity | null = live === 'page' || recorded === 'page' ? 'page' : (live ?? recorded);
    const alertRules = [...new Set([...openAlerts.map((a) => a.rule), ...(status?.rules.filter((r) => r.firing).map((r) => r.id) ?? [])])].sort();
    const pressure = status?.pressing ? status.pressing.burn / status.pressing.threshold : null;
    const trouble = assessTrouble({
      name: service.name,
      enabled: service.enabled,
      tier,
      tierOverridden: tierRow?.override != null,
      servedShare: tierRow?.servedShare ?? 1,
      routing: {
        mode: plan.mode, lastResort: plan.lastResort, chainLength: service.chain.length, servingName: plan.serving?.name ?? null,
        overrideLabel: plan.mode === 'pinned' || plan.mode === 'forced_failover' ? `${describeMode(plan)}${plan.override ? ` (by ${plan.override.createdBy})` : ''}` : null,
      },
      alerting,
      alertRules,
      meetsTarget: status?.meetsTarget ?? null,
      budgetFraction: status?.budget.remainingFraction ?? null,
      openBreakers: breakers.filter((b) => b.state === 'open').map((b) => b.name),
      halfOpenBreakers: breakers.filter((b) => b.state === 'half_open').map((b) => b.name),
      pressure,
    });
    return {
      id: service.id,
      name: service.name,
      enabled: service.enabled,
      tier,
      tierOverride: tierRow?.override ?? null,
      level: tierRow?.level ?? null,
      capacity: { availableRpm: tierRow?.availableRpm ?? 0, demandRpm: tierRow?.demandRpm ?? 0, servedShare: tierRow?.servedShare ?? 1, planning: tierRow?.planning ?? null },
      routing: { mode: plan.mode, modeLabel: describeMode(plan), serving: plan.serving, fallbacks: plan.fallbacks.length, lastResort: plan.lastResort, chainLength: service.chain.length },
      slo: {
        target: status?.sloTarget ?? 0.999,
        windowDays: status?.windowDays ?? 30,
        requests: status?.window.requests ?? 0,
        attainment: status?.attainment ?? null,
        meetsTarget: status?.meetsTarget ?? null,
        budgetFraction: status?.budget.remainingFraction ?? null,
        budgetTooFew: status?.budget.tooFewRequests ?? false,
        budgetRemainingFailures: status?.budget.remainingFailures ?? 0,
        firing: live,
        pressing: status?.pressing ?? null,
        burn1h: status?.windows.find((w) => w.window === '1h')?.burnRate ?? null,
      },
      alerting,
      alertRules,
      openAlerts,
      breakers,
      trouble,
    };
  });
  services.sort((a, b) => compareByTrouble({ ...a, pressure: pressureOf(a) }, { ...b, pressure: pressureOf(b) }));

  const usedBy = new Map<string, string[]>();
  for (const service of inputs.services.values()) for (const entry of service.chain) usedBy.set(entry.targetId, [...(usedBy.get(entry.targetId) ?? []), service.name]);
  const breakers = [...inputs.breakers.keys()]
    .map((targetId) => breakerOf(targetId))
    .filter((b): b is OverviewBreaker => b !== null)
    .map((b) => ({ ...b, providerName: inputs.targets.get(b.targetId)?.providerName ?? '', regionCode: inputs.targets.get(b.targetId)?.regionCode ?? '', services: usedBy.get(b.targetId) ?? [] }))
    .sort((a, b) => (a.state === b.state ? a.name.localeCompare(b.name) : a.state === 'open' ? -1 : 1));

  const { items, truncated, total } = collectChanges(changeRows, since, now, CHANGES_SHOWN);
  const inTrouble = services.filter((s) => s.trouble.level === 'critical' || s.trouble.level === 'warning');
  return {
    generatedAt: now.toISOString(),
    estate,
    summary: {
      servicesInTrouble: inTrouble.length,
      critical: services.filter((s) => s.trouble.level === 'critical').length,
      pages: services.filter((s) => s.alerting === 'page').length,
      tickets: services.filter((s) => s.alerting === 'ticket').length,
      breakersOpen: breakers.filter((b) => b.state === 'open').length,
      breakersHalfOpen: breakers.filter((b) => b.state === 'half_open').length,
      notFull: services.filter((s) => s.tier !== 'full').length,
    },
    services,
    breakers,
    changes: items,
    changesTruncated: truncated,
    changesTotal: total,
    changesSince: since.toISOString(),
    recovery: recovery && { breached: recovery.breached, critical: recovery.critical, atRisk: recovery.atRisk, cells: recovery.cells, computedAt: recovery.computedAt },
  };
}

const pressureOf = (s: OverviewService) => (s.slo.pressing ? s.slo.pressing.burn / s.slo.pressing.threshold : null);

/** The last hour's change rows of every kind, through the `at` indexes, each kind capped. */
async function readChangeRows(since: Date, now: Date) {
  const window = { gte: since, lte: now };
  const [tiers, transitions, overrides, alerts, audit] = await Promise.all([
    db().tierChange.findMany({
      where: { at: window }, orderBy: { at: 'desc' }, take: ROWS_PER_KIND,
      select: { id: true, serviceId: true, at: true, from: true, to: true, cause: true, actor: true, reason: true, level: true },
    }),
    db().breakerTransition.findMany({ where: { at: window }, orderBy: [{ at: 'desc' }, { id: 'desc' }], take: ROWS_PER_KIND, select: { id: true, targetId: true, from: true, to: true, at: true, cause: true } }),
    db().routingOverride.findMany({
      where: { OR: [{ createdAt: window }, { clearedAt: window }, { expiresAt: window }] }, orderBy: { createdAt: 'desc' }, take: ROWS_PER_KIND,
      select: { id: true, kind: true, reason: true, createdBy: true, createdAt: true, expiresAt: true, clearedAt: true, clearedBy: true, service: { select: { name: true } }, target: { select: { name: true } } },
    }),
    db().alertEvent.findMany({
      where: { OR: [{ openedAt: window }, { resolvedAt: window }] }, orderBy: { openedAt: 'desc' }, take: ROWS_PER_KIND,
      select: { id: true, serviceId: true, severity: true, rule: true, openedAt: true, resolvedAt: true, longBurn: true, shortBurn: true, kind: true, details: true },
    }),
    db().auditLog.findMany({
      where: { at: window, OR: [...CONFIG_ACTION_PREFIXES.map((prefix) => ({ action: { startsWith: prefix } })), { action: { in: CONFIG_ACTIONS } }] },
      orderBy: { at: 'desc' }, take: ROWS_PER_KIND,
      select: { id: true, at: true, actorEmail: true, action: true, entityType: true, entityName: true, reason: true },
    }),
  ]);

  // Names for the ids of rows without relations; services and targets deleted since keep their id.
  const serviceIds = [...new Set([...tiers.map((t) => t.serviceId), ...alerts.map((a) => a.serviceId)])];
  const targetIds = [...new Set(transitions.map((t) => t.targetId))];
  const [serviceNames, targetRows] = await Promise.all([
    serviceIds.length ? db().service.findMany({ where: { id: { in: serviceIds } }, select: { id: true, name: true } }) : [],
    targetIds.length ? db().target.findMany({ where: { id: { in: targetIds } }, select: { id: true, name: true, chainEntries: { select: { service: { select: { name: true } } } } } }) : [],
  ]);
  const serviceName = new Map(serviceNames.map((s) => [s.id, s.name]));
  const target = new Map(targetRows.map((t) => [t.id, t]));

  return {
    tiers: tiers.map((t) => ({ ...t, id: t.id.toString(), serviceName: serviceName.get(t.serviceId) ?? t.serviceId })),
    breakers: transitions.map((t) => ({
      ...t, id: t.id.toString(), targetName: target.get(t.targetId)?.name ?? t.targetId,
      services: [...new Set(target.get(t.targetId)?.chainEntries.map((e) => e.service.name) ?? [])].sort(),
    })),
    overrides: overrides.map((o) => ({ ...o, serviceName: o.service?.name ?? null, targetName: o.target?.name ?? null })),
    alerts: alerts.map((a) => ({ ...a, serviceName: serviceName.get(a.serviceId) ?? a.serviceId })),
    audit: audit.map((a) => ({ ...a, id: a.id.toString() })),
  };
}
