import 'server-only';
// The routing snapshot the gateway would build, read from the database for the
// dashboard: the failover, degradation and simulator pages plan with it through
// the same planner the gateway routes with (plan.ts), so what a page says is
// what traffic does. Credentials are never read, let alone decrypted, here.
import { db, readAll, type Tx } from '@/lib/server/db';
import { UNDEGRADED } from './defaults';
import type { BreakerView, RoutingSnapshot, SnapshotService, SnapshotTarget } from './model';
import { TARGET_SELECT, toBreakerMap, toSnapshotChainEntry, toSnapshotOverride, toSnapshotTarget } from './rows';

/** What the loader reads through: the process client, or a mutation's transaction. */
type Reader = Pick<Tx, 'service' | 'target' | 'routingOverride' | 'targetBreaker'>;

export type PlanningInputs = Omit<RoutingSnapshot, 'tokens'> & { breakerOf: BreakerView };

/**
 * The routing snapshot the gateway would build, from the database: services by
 * name with their chains, targets by id (apiKey always null), overrides not yet
 * cleared (expiry is checked by the planner at use), and the shared breaker state.
 */
export async function loadPlanningInputs(client: Reader = db(), now = Date.now()): Promise<PlanningInputs> {
  const [targets, services, overrides, breakers] = await readAll(client, [
    () => client.target.findMany({ select: TARGET_SELECT }),
    () => client.service.findMany({ orderBy: { name: 'asc' }, select: { id: true, name: true, enabled: true, routingVersion: true, chain: { orderBy: { position: 'asc' } } } }),
    () => client.routingOverride.findMany({ where: { clearedAt: null }, orderBy: { createdAt: 'desc' } }),
    () => client.targetBreaker.findMany({ select: { targetId: true, state: true, since: true, version: true, replica: true } }),
  ]);

  const targetMap = new Map<string, SnapshotTarget>(targets.map((t) => [t.id, toSnapshotTarget(t, null)]));
  const serviceMap = new Map<string, SnapshotService>(
    services.map((s) => [
      s.name,
      { id: s.id, name: s.name, enabled: s.enabled, routingVersion: s.routingVersion, degradation: UNDEGRADED, chain: s.chain.map(toSnapshotChainEntry) },
    ]),
  );

  const breakerMap = toBreakerMap(breakers);
  return {
    loadedAt: now,
    services: serviceMap,
    targets: targetMap,
    overrides: overrides.map(toSnapshotOverride),
    breakers: breakerMap,
    breakerOf: (targetId) => breakerMap.get(targetId)?.state ?? 'closed',
  };
}

export function findServiceById(inputs: PlanningInputs, serviceId: string): SnapshotService | null {
  for (const service of inputs.services.values()) if (service.id === serviceId) return service;
  return null;
}
