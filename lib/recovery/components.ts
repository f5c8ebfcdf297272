import 'server-only';
// Keeps a recovery component for every service (its API routing) and every
// target (its model serving), each with the default objectives of its kind,
// plus the estate's configuration. Run by the leader's recovery loop, by the
// demo seed, and before a grid is read, so a service created a moment ago
// already has objectives. A component whose service or target was deleted is
// kept, retired, for the reports of the periods it was part of.
import { recordAudit } from '@/lib/audit/record';
import { SYSTEM_ACTOR, type Actor } from '@/lib/server/auth';
import { Prisma, type Tx } from '@/lib/server/db';
import { inTransaction } from '@/lib/server/mutation';
import { conversationComponentName, defaultObjectives, DEFAULT_OBJECTIVE_REASON, routingComponentName, servingComponentName, type ObjectiveTemplate, type RecoveryComponentKind } from './model';

/** The estate-wide configuration component every Standby has. */
export const CONFIGURATION_COMPONENT = 'Standby configuration';

const SYNC_LOCK = Prisma.sql`SELECT pg_advisory_xact_lock(hashtext('standby:recovery-components'))`;

/** Creates objectives (version 1, with its history row) for a component. */
export async function createObjectives(tx: Tx, componentId: string, templates: readonly ObjectiveTemplate[], actor: Actor, reason: string, at = new Date()) {
  for (const t of templates) {
    const objective = await tx.recoveryObjective.create({
      data: { componentId, disruption: t.disruption, rtoMs: t.rtoMs, rpoMs: t.rpoMs, reason, updatedBy: actor.email, updatedAt: at, createdAt: at },
      select: { id: true },
    });
    await tx.recoveryObjectiveVersion.create({ data: { objectiveId: objective.id, version: 1, rtoMs: t.rtoMs, rpoMs: t.rpoMs, reason, changedBy: actor.email, changedAt: at } });
  }
}

/** A name not yet taken: "x", then "x (2)", ... (a component of another kind may hold the obvious one). */
async function freeName(tx: Tx, wanted: string): Promise<string> {
  const taken = new Set((await tx.recoveryComponent.findMany({ where: { name: { startsWith: wanted } }, select: { name: true } })).map((c) => c.name));
  if (!taken.has(wanted)) return wanted;
  for (let i = 2; ; i += 1) if (!taken.has(`${wanted} (${i})`)) return `${wanted} (${i})`;
}

export async function addComponent(
  tx: Tx,
  c: { name: string; kind: RecoveryComponentKind; serviceId?: string | null; targetId?: string | null; description?: string; selfHosted?: boolean },
  actor: Actor,
  at = new Date(),
) {
  const component = await tx.recoveryComponent.create({
    data: { name: await freeName(tx, c.name), kind: c.kind, serviceId: c.serviceId ?? null, targetId: c.targetId ?? null, description: c.description ?? '', createdAt: at },
    select: { id: true, name: true },
  });
  await createObjectives(tx, component.id, defaultObjectives(c.kind, { selfHosted: c.selfHosted }), actor, DEFAULT_OBJECTIVE_REASON, at);
  return component;
}

export type SyncResult = { created: string[]; retired: string[] };

/** Brings the components in line with the inventory; audited (as Standby) only when something changed. */
export function syncComponents(now = new Date()): Promise<SyncResult> {
  return inTransaction((tx) => syncComponentsIn(tx, now));
}

export async function syncComponentsIn(tx: Tx, now = new Date()): Promise<SyncResult> {
  await tx.$executeRaw(SYNC_LOCK);
  // One after the other: a transaction is one connection, and pg refuses overlapping queries on it.
  const services = await tx.service.findMany({ select: { id: true, name: true, conversationStore: true } });
  const targets = await tx.target.findMany({ select: { id: true, name: true, provider: { select: { kind: true } } } });
  const components = await tx.recoveryComponent.findMany({ select: { id: true, name: true, kind: true, serviceId: true, targetId: true, retiredAt: true } });
  const result: SyncResult = { created: [], retired: [] };
  const routed = new Set(components.filter((c) => c.kind === 'service_routing' && c.serviceId).map((c) => c.serviceId));
  const served = new Set(components.filter((c) => c.kind === 'model_serving' && c.targetId).map((c) => c.targetId));
  for (const service of services) {
    if (routed.has(service.id)) continue;
    result.created.push((await addComponent(tx, { name: routingComponentName(service.name), kind: 'service_routing', serviceId: service.id }, SYSTEM_ACTOR, now)).name);
  }
  for (const target of targets) {
    if (served.has(target.id)) continue;
    const selfHosted = target.provider.kind === 'self_hosted';
    result.created.push((await addComponent(tx, { name: servingComponentName(target.name), kind: 'model_serving', targetId: target.id, selfHosted }, SYSTEM_ACTOR, now)).name);
  }
  if (!components.some((c) => c.kind === 'configuration')) {
    result.created.push((await addComponent(tx, { name: CONFIGURATION_COMPONENT, kind: 'configuration', description: "Standby's own routing configuration, users and settings (its PostgreSQL database)." }, SYSTEM_ACTOR, now)).name);
  }
  // A service's conversation store (lib/conversations) is a component of its own while it is on.
  const stores = new Map(components.filter((c) => c.kind === 'conversation_history' && c.serviceId).map((c) => [c.serviceId, c]));
  const reopened: string[] = [];
  for (const service of services.filter((s) => s.conversationStore)) {
    const existing = stores.get(service.id);
    if (!existing) {
      const description = `Conversations ${service.name} keeps in its conversation store (PostgreSQL, sealed), measured from the gateway's durable writes.`;
      result.created.push((await addComponent(tx, { name: conversationComponentName(service.name), kind: 'conversation_history', serviceId: service.id, description }, SYSTEM_ACTOR, now)).name);
    } else if (existing.retiredAt) reopened.push(existing.id);
  }
  if (reopened.length) await tx.recoveryComponent.updateMany({ where: { id: { in: reopened } }, data: { retiredAt: null } });
  const storing = new Set(services.filter((s) => s.conversationStore).map((s) => s.id));
  const orphans = components.filter(
    (c) => c.retiredAt === null && ((c.kind === 'service_routing' && !c.serviceId) || (c.kind === 'model_serving' && !c.targetId) || (c.kind === 'conversation_history' && c.serviceId !== null && !storing.has(c.serviceId))),
  );
  if (orphans.length > 0) {
    await tx.recoveryComponent.updateMany({ where: { id: { in: orphans.map((c) => c.id) } }, data: { retiredAt: now } });
    result.retired.push(...orphans.map((c) => c.name));
  }
  if (result.created.length || result.retired.length) {
    await recordAudit(tx, SYSTEM_ACTOR, {
      action: 'recovery.components_sync',
      entityType: 'recovery_component',
      entityName: 'recovery components',
      after: { created: result.created, retired: result.retired },
      reason: 'components follow the inventory: new services and targets get the default objectives',
    });
  }
  return result;
}
