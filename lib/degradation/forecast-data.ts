import 'server-only';
// What a tier forecast needs besides the capacity a change would leave: each
// service's tier state, its policy and its measured demand, read once for the
// services a preview touches.
import type { TierRule } from '@/lib/routing/model';
import { db } from '@/lib/server/db';
import { DEFAULT_TIER_POLICY } from '@/lib/routing/defaults';
import { DEFAULT_TIER_THRESHOLDS } from './defaults';
import { measuredDemand } from './demand';
import { forecastTier, type TierForecast, type TierForecastInput } from './forecast';

type Context = Omit<TierForecastInput, 'availableRpm'>;

async function forecastContexts(serviceIds: string[], now: number): Promise<Map<string, Context>> {
  const [services, demand] = await Promise.all([
    db().service.findMany({
      where: { id: { in: serviceIds } },
      select: {
        id: true,
        tierState: { select: { automaticTier: true, pendingTier: true, pendingSince: true, overrideTier: true, overrideReason: true, overrideBy: true, overrideAt: true, overrideExpiresAt: true } },
        degradationPolicy: {
          select: {
            plannedRpm: true, degradedBelow: true, minimalBelow: true, hysteresis: true, holdSeconds: true,
            degradedTargetId: true, degradedMaxTokens: true, cacheTtlSeconds: true, rules: true, retryAfterSeconds: true, maintenanceMessage: true, queueEnabled: true, queueTtlSeconds: true,
            degradedTarget: { select: { name: true, model: true } },
          },
        },
      },
    }),
    measuredDemand(now, serviceIds),
  ]);
  return new Map(
    services.map(({ id, tierState: t, degradationPolicy: p }) => {
      const override = t?.overrideTier && t.overrideAt
        ? { tier: t.overrideTier, reason: t.overrideReason ?? '', by: t.overrideBy ?? '', at: t.overrideAt.getTime(), expiresAt: t.overrideExpiresAt?.getTime() ?? null }
        : null;
      const { plannedRpm, degradedBelow, minimalBelow, hysteresis, holdSeconds, degradedTarget, rules, ...policy } = p ?? { ...DEFAULT_TIER_THRESHOLDS, ...DEFAULT_TIER_POLICY, degradedTarget: null };
      return [id, {
        state: { tier: t?.automaticTier ?? 'full', pendingTier: t?.pendingTier ?? null, pendingSince: t?.pendingSince?.getTime() ?? null, override },
        thresholds: { plannedRpm, degradedBelow, minimalBelow, hysteresis, holdSeconds },
        // The forecast only counts the rules (describe.ts); their shape is checked where they are used.
        policy: { ...policy, rules: Array.isArray(rules) ? (rules as TierRule[]) : [] },
        degradedTarget,
        demandRpm: demand.get(id) ?? 0,
      }];
    }),
  );
}

/** The tier each service would be in, and what it would refuse, once its available capacity is as given (service id → RPM). */
export async function forecastTiers(availableAfter: Map<string, number>, now = Date.now()): Promise<Map<string, TierForecast>> {
  const contexts = await forecastContexts([...availableAfter.keys()], now);
  const forecasts = new Map<string, TierForecast>();
  for (const [serviceId, availableRpm] of availableAfter) {
    const context = contexts.get(serviceId);
    if (context) forecasts.set(serviceId, forecastTier({ ...context, availableRpm }, now));
  }
  return forecasts;
}
