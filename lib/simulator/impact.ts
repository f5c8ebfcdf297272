import 'server-only';
// What a fault profile would do to the services before an operator saves it:
// the targets the simulated upstream feeds, whether their breakers would open,
// and for each service using them the tier that would follow and what it
// would refuse (lib/degradation/forecast.ts), against its measured demand.
import { availableCapacity } from '@/lib/degradation/capacity';
import type { TierForecast } from '@/lib/degradation/forecast';
import { forecastTiers } from '@/lib/degradation/forecast-data';
import { loadPlanningInputs } from '@/lib/routing/planning-inputs';
import { db } from '@/lib/server/db';
import { opensBreakers, type Faults } from './faults';

export type FedTarget = { name: string; enabled: boolean };

/** The targets whose endpoint is a simulated upstream, by upstream name. */
export async function targetsFedBySimulator(): Promise<Map<string, FedTarget[]>> {
  const rows = await db().target.findMany({ where: { endpointUrl: { contains: '/simulated/' } }, orderBy: { name: 'asc' }, select: { name: true, enabled: true, endpointUrl: true } });
  const fed = new Map<string, FedTarget[]>();
  for (const row of rows) {
    const upstream = /\/simulated\/([^/]+)\//.exec(`${row.endpointUrl}/`)?.[1];
    if (!upstream) continue;
    fed.set(upstream, [...(fed.get(upstream) ?? []), { name: row.name, enabled: row.enabled }]);
  }
  return fed;
}

export type FaultImpact = {
  targets: string[];
  /** The faults are an outage for these targets: their breakers would open and they would leave routing. */
  opensBreakers: boolean;
  services: { name: string; forecast: TierForecast }[];
};

export async function previewFaultImpact(upstream: string, faults: Faults, now = Date.now()): Promise<FaultImpact> {
  const [fed, inputs] = await Promise.all([targetsFedBySimulator(), loadPlanningInputs(db(), now)]);
  const targets = fed.get(upstream) ?? [];
  const ids = new Set([...inputs.targets.values()].filter((t) => targets.some((f) => f.name === t.name)).map((t) => t.id));
  const opens = opensBreakers(faults);
  // With the breakers open, the fed targets count nothing; otherwise capacity is as it is now.
  const breakerOf = (targetId: string) => (opens && ids.has(targetId) ? 'open' : inputs.breakerOf(targetId));
  const affected = [...inputs.services.values()].filter((s) => s.enabled && s.chain.some((entry) => ids.has(entry.targetId)));
  const forecasts = await forecastTiers(
    new Map(affected.map((s) => [s.id, availableCapacity(s, { targets: inputs.targets, overrides: inputs.overrides, breakerOf }, now).availableRpm])),
    now,
  );
  return {
    targets: targets.map((t) => t.name),
    opensBreakers: opens,
    services: affected.flatMap((s) => (forecasts.has(s.id) ? [{ name: s.name, forecast: forecasts.get(s.id)! }] : [])).sort((a, b) => a.name.localeCompare(b.name)),
  };
}
