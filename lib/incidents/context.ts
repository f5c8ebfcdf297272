import 'server-only';
// What the incident flow reads about an incident and the estate around it:
// its context (service, focus target, commander, link) for filling steps, and
// the measured impact on services for the severity suggestion. Routing state
// comes from the same planner the gateway runs (lib/failover/plan.ts).
import { loadPlanningInputs, type PlanningInputs } from '@/lib/routing/planning-inputs';
import { planRoute } from '@/lib/routing/plan';
import { effectiveTier } from '@/lib/routing/tier';
import type { Tier } from '@/lib/routing/enums';
import { db, Prisma, type Tx } from '@/lib/server/db';
import { env } from '@/lib/server/env';
import { publicIdOf } from './model';
import { IMPACT_WINDOW_MINUTES, type ServiceImpact } from './severity';
import type { IncidentContext, Names } from './step-defaults';

type Reader = Pick<Tx, 'incident' | 'incidentSignal' | 'chainEntry' | 'service' | 'target'>;

/** Where the incident's page is, for links in notifications. */
export function incidentLink(number: number): string {
  const base = env().NEXTAUTH_URL ?? `http://localhost:${process.env.PORT ?? 3000}`;
  return `${base.replace(/\/$/, '')}/incidents/${publicIdOf(number)}`;
}

export async function loadIncidentContext(client: Reader, incidentId: string): Promise<IncidentContext | null> {
  const incident = await client.incident.findUnique({
    where: { id: incidentId },
    select: { id: true, number: true, title: true, severity: true, status: true, serviceId: true, service: { select: { name: true } }, commander: { select: { name: true } } },
  });
  if (!incident) return null;
  const signal = await client.incidentSignal.findFirst({ where: { incidentId, targetId: { not: null } }, orderBy: { at: 'asc' }, select: { targetId: true } });
  const primary = incident.serviceId ? await client.chainEntry.findFirst({ where: { serviceId: incident.serviceId }, orderBy: { position: 'asc' }, select: { targetId: true } }) : null;
  return {
    id: incident.id,
    publicId: publicIdOf(incident.number),
    title: incident.title,
    severity: incident.severity,
    status: incident.status,
    serviceId: incident.serviceId,
    serviceName: incident.service?.name ?? null,
    focusTargetId: signal?.targetId ?? primary?.targetId ?? null,
    commander: incident.commander?.name ?? null,
    link: incidentLink(incident.number),
  };
}

/** Names of services and targets by id, for resolving steps. */
export async function loadNames(client: Pick<Tx, 'service' | 'target'> = db()): Promise<Names> {
  const [services, targets] = await Promise.all([client.service.findMany({ select: { id: true, name: true } }), client.target.findMany({ select: { id: true, name: true } })]);
  const s = new Map(services.map((x) => [x.id, x.name]));
  const t = new Map(targets.map((x) => [x.id, x.name]));
  return { service: (id) => s.get(id) ?? null, target: (id) => t.get(id) ?? null };
}

/** Which services at least one target can serve now (not every one open, drained or disabled), by the gateway's planner. */
export function servability(inputs: PlanningInputs, now: number): Map<string, boolean> {
  const result = new Map<string, boolean>();
  for (const service of inputs.services.values()) {
    const plan = planRoute(service, inputs.targets, inputs.overrides, inputs.breakerOf, now);
    result.set(service.id, plan.candidates.length > 0 && !plan.lastResort);
  }
  return result;
}

/** Client requests and failures per service over (from, to], from the raw request records. */
export async function requestCounts(serviceIds: string[], from: Date, to: Date): Promise<Map<string, { requests: number; failures: number }>> {
  if (serviceIds.length === 0) return new Map();
  const rows = await db().$queryRaw<{ serviceId: string; requests: number; failures: number }[]>(Prisma.sql`
    SELECT "serviceId"::text AS "serviceId", count(*)::int AS requests, (count(*) FILTER (WHERE NOT ok))::int AS failures
    FROM "RequestRecord" WHERE "serviceId"::text IN (${Prisma.join(serviceIds)}) AND at > ${from}::timestamp AND at <= ${to}::timestamp
    GROUP BY "serviceId"`);
  return new Map(rows.map((r) => [r.serviceId, { requests: r.requests, failures: r.failures }]));
}

/** Each service's effective tier now and since when (an operator's hold in force, else the automatic tier). */
export async function currentTiers(serviceIds: string[], now: number): Promise<Map<string, { tier: Tier; since: number }>> {
  const states = await db().serviceTierState.findMany({
    where: { serviceId: { in: serviceIds } },
    select: { serviceId: true, automaticTier: true, automaticSince: true, overrideTier: true, overrideReason: true, overrideBy: true, overrideAt: true, overrideExpiresAt: true },
  });
  const result = new Map<string, { tier: Tier; since: number }>();
  for (const id of serviceIds) {
    const s = states.find((x) => x.serviceId === id);
    if (!s) {
      result.set(id, { tier: 'full', since: 0 });
      continue;
    }
    const override = s.overrideTier && s.overrideAt ? { tier: s.overrideTier, reason: s.overrideReason ?? '', by: s.overrideBy ?? '', at: s.overrideAt.getTime(), expiresAt: s.overrideExpiresAt?.getTime() ?? null } : null;
    const tier = effectiveTier({ automaticTier: s.automaticTier, override }, now);
    const held = override && tier === override.tier && (override.expiresAt === null || override.expiresAt > now);
    result.set(id, { tier, since: held ? override.at : s.automaticSince.getTime() });
  }
  return result;
}

/** The measured impact on each service, for the severity suggestion (severity.ts). */
export async function readImpact(serviceIds: string[], now = Date.now(), inputs?: PlanningInputs): Promise<ServiceImpact[]> {
  if (serviceIds.length === 0) return [];
  const planning = inputs ?? (await loadPlanningInputs(db(), now));
  const [counts, tiers, alerts] = await Promise.all([
    requestCounts(serviceIds, new Date(now - IMPACT_WINDOW_MINUTES * 60_000), new Date(now)),
    currentTiers(serviceIds, now),
    db().alertEvent.findMany({ where: { serviceId: { in: serviceIds }, resolvedAt: null, severity: 'page' }, select: { serviceId: true } }),
  ]);
  const servable = servability(planning, now);
  return serviceIds.flatMap((id) => {
    const service = [...planning.services.values()].find((s) => s.id === id);
    if (!service) return [];
    const c = counts.get(id) ?? { requests: 0, failures: 0 };
    return [{ name: service.name, requests: c.requests, failures: c.failures, tier: tiers.get(id)?.tier ?? 'full', servable: service.chain.length === 0 || (servable.get(id) ?? true), pageAlert: alerts.some((a) => a.serviceId === id) }];
  });
}
