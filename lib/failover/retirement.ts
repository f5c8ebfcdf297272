import 'server-only';
// "Retire a model everywhere": the preview, the change and its revert. The
// change is chain editing, so it lives with the chains: in one transaction it
// rewrites every chain the target (or model) is in, ends pins to it, moves
// degraded targets off it, bumps each service's versions (previews and chain
// editors open elsewhere become stale), records what it changed and audits it.
// The ChainEntry, RoutingOverride and DegradationPolicy triggers NOTIFY
// standby_routing on commit, so every replica routes without it within a
// second (docs/decisions/005).
import { recordAudit } from '@/lib/audit/record';
import { requireActor, type SessionUser } from '@/lib/server/auth';
import { db, Prisma, type Tx } from '@/lib/server/db';
import { AppError, parseInput } from '@/lib/server/errors';
import { inTransaction } from '@/lib/server/mutation';
import { planRetirement, retireInput, retirementScope, revertRetirementInput, type ChainEntryRow, type RetirementPlan } from './retire';

type Caller = SessionUser | null;
type Reader = Pick<Tx, 'target' | 'chainEntry' | 'routingOverride' | 'degradationPolicy' | 'service'>;

/** A chain entry's settings as stored, without its identity (what a revert writes back). */
type StoredEntry = Omit<Prisma.ChainEntryGetPayload<object>, 'id' | 'serviceId'>;

type RetirementChanges = {
  services: { serviceId: string; serviceName: string; entriesBefore: StoredEntry[]; after: string[]; versionAfter: number }[];
  pins: { id: string; serviceId: string | null; targetId: string | null }[];
  policies: { serviceId: string; from: string; to: string | null; versionAfter: number }[];
};

async function retiredTargets(client: Reader, scope: { targetId?: string; model?: string }) {
  const targets = await client.target.findMany({
    where: scope.targetId ? { id: scope.targetId } : { model: scope.model },
    orderBy: { name: 'asc' },
    select: { id: true, name: true, model: true },
  });
  if (targets.length === 0) {
    throw new AppError('INVALID', 'Some fields need attention.', scope.targetId ? { targetId: ['This target no longer exists.'] } : { model: [`No target serves a model named ${scope.model}.`] });
  }
  return targets;
}

async function planInputs(client: Reader, retired: Set<string>, substituteId: string | null) {
  const serviceIds = (await client.chainEntry.findMany({ where: { targetId: { in: [...retired] } }, select: { serviceId: true } })).map((e) => e.serviceId);
  // One after another: inside the retirement's transaction the client is one connection (pg refuses overlapping queries on it).
  const chains = await client.service.findMany({ where: { id: { in: serviceIds } }, orderBy: { name: 'asc' }, select: { id: true, name: true, version: true, chain: { orderBy: { position: 'asc' } } } });
  const pins = await client.routingOverride.findMany({ where: { kind: 'pin', clearedAt: null, targetId: { in: [...retired] } }, select: { id: true, serviceId: true, targetId: true } });
  const policies = await client.degradationPolicy.findMany({ where: { degradedTargetId: { in: [...retired] } }, select: { serviceId: true, degradedTargetId: true, version: true } });
  const plan = planRetirement({
    retired,
    substituteId,
    chains: chains.map((s) => ({ serviceId: s.id, serviceName: s.name, entries: s.chain.map(({ id: _id, serviceId: _s, ...entry }) => entry as ChainEntryRow) })),
    pins,
    policies,
  });
  return { plan, chains, policies };
}

export type RetirementPreview = {
  retired: { id: string; name: string; model: string }[];
  substitute: { id: string; name: string; model: string; usable: boolean } | null;
  services: { serviceId: string; serviceName: string; before: string[]; after: string[]; substituted: boolean }[];
  pinsEnded: { serviceName: string; targetName: string }[];
  degradedTargets: { serviceName: string; from: string; to: string | null }[];
  warnings: string[];
  /** Why it cannot be done as asked; null when it can. */
  refusal: string | null;
};

function refusalOf(plan: RetirementPlan, names: Map<string, string>): string | null {
  if (plan.services.length === 0 && plan.degradedTargets.length === 0) return `${[...names.values()].join(', ')} is in no failover chain: there is nothing to retire.`;
  if (plan.emptied.length) {
    return `Without a substitute, ${plan.emptied.map((s) => s.serviceName).join(', ')} would be left with no target, and every request to ${plan.emptied.length === 1 ? 'it' : 'them'} would fail. Choose a substitute.`;
  }
  return null;
}

/** What a retirement would change, for the confirmation dialog (read-only). */
export async function previewRetirement(input: unknown): Promise<RetirementPreview> {
  const scope = parseInput(retirementScope, input);
  const retired = await retiredTargets(db(), scope);
  const retiredIds = new Set(retired.map((t) => t.id));
  const substituteId = scope.substituteTargetId ?? null;
  if (substituteId && retiredIds.has(substituteId)) throw new AppError('INVALID', 'Some fields need attention.', { substituteTargetId: ['The substitute serves the model being retired.'] });
  const { plan } = await planInputs(db(), retiredIds, substituteId);
  const ids = new Set([...plan.services.flatMap((s) => [...s.before, ...s.after]), ...plan.degradedTargets.flatMap((d) => [d.from, ...(d.to ? [d.to] : [])]), ...(substituteId ? [substituteId] : [])]);
  const [targets, services] = await Promise.all([
    db().target.findMany({ where: { id: { in: [...ids, ...retiredIds] } }, select: { id: true, name: true, model: true, enabled: true, provider: { select: { enabled: true } }, region: { select: { enabled: true } }, breaker: { select: { state: true } } } }),
    db().service.findMany({ where: { id: { in: [...plan.pinsEnded.map((p) => p.serviceId ?? ''), ...plan.degradedTargets.map((d) => d.serviceId)].filter(Boolean) } }, select: { id: true, name: true } }),
  ]);
  const name = (id: string | null) => (id ? (targets.find((t) => t.id === id)?.name ?? id) : 'none');
  const serviceName = (id: string | null) => services.find((s) => s.id === id)?.name ?? plan.services.find((s) => s.serviceId === id)?.serviceName ?? 'a service';
  const sub = substituteId ? targets.find((t) => t.id === substituteId) : undefined;
  if (substituteId && !sub) throw new AppError('INVALID', 'Some fields need attention.', { substituteTargetId: ['This target no longer exists.'] });
  const usable = sub ? sub.enabled && sub.provider.enabled && sub.region.enabled && sub.breaker?.state !== 'open' : false;
  const warnings: string[] = [];
  if (sub && !usable) warnings.push(`${sub.name} cannot take traffic now (${!sub.enabled || !sub.provider.enabled || !sub.region.enabled ? 'disabled' : 'its breaker is open'}): the services it replaces the model in fall to their next target.`);
  for (const s of plan.services) {
    const left = s.after.filter((id) => {
      const t = targets.find((x) => x.id === id);
      return t && t.enabled && t.provider.enabled && t.region.enabled && t.breaker?.state !== 'open';
    });
    if (s.after.length > 0 && left.length === 0) warnings.push(`${s.serviceName} keeps no target that can take traffic now: its requests fail until one recovers.`);
  }
  if (plan.pinsEnded.length) warnings.push(`${plan.pinsEnded.length === 1 ? 'A pin' : `${plan.pinsEnded.length} pins`} to the retired model end${plan.pinsEnded.length === 1 ? 's' : ''}; a revert does not bring ${plan.pinsEnded.length === 1 ? 'it' : 'them'} back.`);
  return {
    retired: retired.map((t) => ({ id: t.id, name: t.name, model: t.model })),
    substitute: sub ? { id: sub.id, name: sub.name, model: sub.model, usable } : null,
    services: plan.services.map((s) => ({ serviceId: s.serviceId, serviceName: s.serviceName, before: s.before.map(name), after: s.after.map(name), substituted: s.substituted })),
    pinsEnded: plan.pinsEnded.map((p) => ({ serviceName: serviceName(p.serviceId), targetName: name(p.targetId) })),
    degradedTargets: plan.degradedTargets.map((d) => ({ serviceName: serviceName(d.serviceId), from: name(d.from), to: d.to ? name(d.to) : null })),
    warnings,
    refusal: refusalOf(plan, new Map(retired.map((t) => [t.id, scope.model ? `model ${scope.model}` : t.name]))),
  };
}

/**
 * Retires a target or a model from every chain, in one transaction. The
 * services involved are locked in id order first (as steering does), so a
 * chain save or a steering action at the same moment waits and then sees the
 * retirement, or goes first and the retirement plans on its result.
 */
export async function retireModel(caller: Caller, input: unknown, options: { incidentId?: string } = {}) {
  const actor = requireActor(caller, 'failover.write');
  const { targetId, model, substituteTargetId, reason } = parseInput(retireInput, input);
  return inTransaction(async (tx) => {
    const retired = await retiredTargets(tx, { targetId, model });
    const retiredIds = new Set(retired.map((t) => t.id));
    const substituteId = substituteTargetId ?? null;
    if (substituteId) {
      if (retiredIds.has(substituteId)) throw new AppError('INVALID', 'Some fields need attention.', { substituteTargetId: ['The substitute serves the model being retired.'] });
      if (!(await tx.target.findUnique({ where: { id: substituteId }, select: { id: true } }))) throw new AppError('INVALID', 'Some fields need attention.', { substituteTargetId: ['This target no longer exists.'] });
    }
    const candidates = [
      ...(await tx.chainEntry.findMany({ where: { targetId: { in: [...retiredIds] } }, select: { serviceId: true } })).map((e) => e.serviceId),
      ...(await tx.degradationPolicy.findMany({ where: { degradedTargetId: { in: [...retiredIds] } }, select: { serviceId: true } })).map((p) => p.serviceId),
    ];
    const lockIds = [...new Set(candidates)].sort();
    if (lockIds.length) await tx.$queryRaw(Prisma.sql`SELECT id FROM "Service" WHERE id::text IN (${Prisma.join(lockIds)}) ORDER BY id FOR UPDATE`);
    const { plan, chains, policies } = await planInputs(tx, retiredIds, substituteId);
    const refusal = refusalOf(plan, new Map(retired.map((t) => [t.id, model ? `model ${model}` : t.name])));
    if (refusal) throw new AppError('INVALID', refusal);

    const now = new Date();
    const changes: RetirementChanges = { services: [], pins: plan.pinsEnded, policies: [] };
    for (const s of plan.services) {
      const before = chains.find((c) => c.id === s.serviceId)!;
      await tx.chainEntry.deleteMany({ where: { serviceId: s.serviceId } });
      await tx.chainEntry.createMany({ data: s.entries.map((e) => ({ ...(e as StoredEntry), serviceId: s.serviceId })) });
      const saved = await tx.service.update({ where: { id: s.serviceId }, data: { version: { increment: 1 }, routingVersion: { increment: 1 } }, select: { version: true } });
      changes.services.push({ serviceId: s.serviceId, serviceName: s.serviceName, entriesBefore: before.chain.map(({ id: _id, serviceId: _s, ...entry }) => entry), after: s.after, versionAfter: saved.version });
    }
    if (plan.pinsEnded.length) await tx.routingOverride.updateMany({ where: { id: { in: plan.pinsEnded.map((p) => p.id) }, clearedAt: null }, data: { clearedAt: now, clearedBy: actor.email } });
    for (const d of plan.degradedTargets) {
      const policy = policies.find((p) => p.serviceId === d.serviceId)!;
      const { count } = await tx.degradationPolicy.updateMany({ where: { serviceId: d.serviceId, version: policy.version }, data: { degradedTargetId: d.to, version: { increment: 1 } } });
      if (count === 0) throw new AppError('CONFLICT', 'A degradation policy was saved while the retirement was being written. Review it and try again.');
      changes.policies.push({ ...d, versionAfter: policy.version + 1 });
    }
    const names = new Map((await tx.target.findMany({ where: { id: { in: [...new Set([...plan.services.flatMap((s) => [...s.before, ...s.after]), ...(substituteId ? [substituteId] : [])])] } }, select: { id: true, name: true } })).map((t) => [t.id, t.name]));
    const nameOf = (id: string | null) => (id ? (names.get(id) ?? id) : 'none');
    const retirement = await tx.modelRetirement.create({
      data: { createdBy: actor.email, reason, targetIds: [...retiredIds], model: model ?? null, substituteTargetId: substituteId, incidentId: options.incidentId ?? null, changes: changes as unknown as Prisma.InputJsonValue },
      select: { id: true },
    });
    const subject = model ? `model ${model}` : retired[0].name;
    await recordAudit(tx, actor, {
      action: 'routing.retire_model',
      ...(model ? { entityType: 'model', entityId: retirement.id, entityName: model } : { entityType: 'target', entityId: retired[0].id, entityName: retired[0].name }),
      before: Object.fromEntries(plan.services.map((s) => [s.serviceName, s.before.map(nameOf)])),
      after: {
        ...Object.fromEntries(plan.services.map((s) => [s.serviceName, s.after.map(nameOf)])),
        retired: retired.map((t) => t.name),
        substitute: substituteId ? nameOf(substituteId) : null,
        ...(plan.pinsEnded.length ? { pinsEnded: plan.pinsEnded.length } : {}),
        ...(plan.degradedTargets.length ? { degradedTargets: plan.degradedTargets.map((d) => `${nameOf(d.from)} → ${nameOf(d.to)}`) } : {}),
        retirementId: retirement.id,
        ...(options.incidentId ? { incidentId: options.incidentId } : {}),
      },
      reason,
    });
    return {
      retirementId: retirement.id,
      subject,
      substitute: substituteId ? nameOf(substituteId) : null,
      services: plan.services.map((s) => s.serviceName),
      summary: `${subject} retired from ${plan.services.length} chain${plan.services.length === 1 ? '' : 's'}${plan.services.length ? ` (${plan.services.map((s) => s.serviceName).join(', ')})` : ''}${substituteId ? `, replaced by ${nameOf(substituteId)}` : ''}`,
    };
  });
}

/**
 * Puts back the chains and degraded targets a retirement changed, exactly as
 * they were, if nobody has edited them since; otherwise refuses and names
 * what changed (a chain edited since is someone's decision to keep). Pins it
 * ended are not restored: a pin is a moment's decision, and pinning traffic
 * back onto a retired model is one to take again deliberately.
 */
export async function revertRetirement(caller: Caller, input: unknown) {
  const actor = requireActor(caller, 'failover.write');
  const { retirementId, reason } = parseInput(revertRetirementInput, input);
  return inTransaction(async (tx) => {
    await tx.$queryRaw(Prisma.sql`SELECT id FROM "ModelRetirement" WHERE id = ${retirementId}::uuid FOR UPDATE`);
    const retirement = await tx.modelRetirement.findUnique({ where: { id: retirementId } });
    if (!retirement) throw new AppError('NOT_FOUND', 'This retirement no longer exists.');
    if (retirement.revertedAt) throw new AppError('CONFLICT', `This retirement was already reverted by ${retirement.revertedBy} at ${retirement.revertedAt.toISOString().slice(0, 19).replace('T', ' ')} UTC.`);
    const changes = retirement.changes as unknown as RetirementChanges;
    const ids = [...new Set([...changes.services.map((s) => s.serviceId), ...changes.policies.map((p) => p.serviceId)])].sort();
    if (ids.length) await tx.$queryRaw(Prisma.sql`SELECT id FROM "Service" WHERE id::text IN (${Prisma.join(ids)}) ORDER BY id FOR UPDATE`);
    const current = await tx.service.findMany({ where: { id: { in: ids } }, select: { id: true, name: true, version: true } });
    const stale = changes.services.filter((s) => current.find((c) => c.id === s.serviceId)?.version !== s.versionAfter);
    if (stale.length) {
      throw new AppError(
        'CONFLICT',
        `The chain of ${stale.map((s) => s.serviceName).join(', ')} was changed (or the service deleted) after the retirement, so it cannot be put back as it was without undoing that change. Edit ${stale.length === 1 ? 'that chain' : 'those chains'} by hand.`,
      );
    }
    const targetIds = [...new Set(changes.services.flatMap((s) => s.entriesBefore.map((e) => e.targetId)))];
    const existing = new Set((await tx.target.findMany({ where: { id: { in: targetIds } }, select: { id: true } })).map((t) => t.id));
    if (targetIds.some((id) => !existing.has(id))) throw new AppError('CONFLICT', 'A target of the chains as they were has been deleted since: the chains cannot be put back as they were. Edit them by hand.');
    for (const s of changes.services) {
      await tx.chainEntry.deleteMany({ where: { serviceId: s.serviceId } });
      await tx.chainEntry.createMany({ data: s.entriesBefore.map((e) => ({ ...e, serviceId: s.serviceId })) });
      await tx.service.update({ where: { id: s.serviceId }, data: { version: { increment: 1 }, routingVersion: { increment: 1 } } });
    }
    const keptPolicies: string[] = [];
    for (const p of changes.policies) {
      const { count } = await tx.degradationPolicy.updateMany({ where: { serviceId: p.serviceId, version: p.versionAfter }, data: { degradedTargetId: p.from, version: { increment: 1 } } });
      if (count === 0) keptPolicies.push(current.find((c) => c.id === p.serviceId)?.name ?? p.serviceId);
    }
    await tx.modelRetirement.update({ where: { id: retirementId }, data: { revertedAt: new Date(), revertedBy: actor.email, revertReason: reason } });
    const subject = retirement.model ? `model ${retirement.model}` : ((await tx.target.findUnique({ where: { id: retirement.targetIds[0] }, select: { name: true } }))?.name ?? 'the target');
    await recordAudit(tx, actor, {
      action: 'routing.retire_model_revert',
      entityType: retirement.model ? 'model' : 'target',
      entityId: retirement.model ? retirement.id : retirement.targetIds[0],
      entityName: retirement.model ?? subject,
      after: { services: changes.services.map((s) => s.serviceName), retirementId, ...(keptPolicies.length ? { degradedTargetsKept: keptPolicies } : {}), ...(changes.pins.length ? { pinsNotRestored: changes.pins.length } : {}) },
      reason,
    });
    return {
      subject,
      services: changes.services.map((s) => s.serviceName),
      summary: `${subject} is back in ${changes.services.length} chain${changes.services.length === 1 ? '' : 's'}${keptPolicies.length ? `; the degraded target of ${keptPolicies.join(', ')} was changed since and is left as it is` : ''}${changes.pins.length ? '; pins it ended are not restored' : ''}`,
    };
  });
}

export type RetirementView = { id: string; createdAt: string; createdBy: string; reason: string; subject: string; substitute: string | null; services: string[]; revertedAt: string | null; revertedBy: string | null; incidentId: string | null };

/** Retirements touching a target (or all), newest first: the target page lists them with their revert. */
export async function listRetirements(options: { targetId?: string; limit?: number } = {}): Promise<RetirementView[]> {
  const rows = await db().modelRetirement.findMany({
    where: options.targetId ? { OR: [{ targetIds: { has: options.targetId } }, { substituteTargetId: options.targetId }] } : {},
    orderBy: { createdAt: 'desc' },
    take: options.limit ?? 20,
  });
  const ids = [...new Set(rows.flatMap((r) => [...r.targetIds, ...(r.substituteTargetId ? [r.substituteTargetId] : [])]))];
  const names = new Map((await db().target.findMany({ where: { id: { in: ids } }, select: { id: true, name: true } })).map((t) => [t.id, t.name]));
  return rows.map((r) => ({
    id: r.id,
    createdAt: r.createdAt.toISOString(),
    createdBy: r.createdBy,
    reason: r.reason,
    subject: r.model ? `model ${r.model}` : (names.get(r.targetIds[0]) ?? 'a deleted target'),
    substitute: r.substituteTargetId ? (names.get(r.substituteTargetId) ?? 'a deleted target') : null,
    services: (r.changes as unknown as RetirementChanges).services.map((s) => s.serviceName),
    revertedAt: r.revertedAt?.toISOString() ?? null,
    revertedBy: r.revertedBy,
    incidentId: r.incidentId,
  }));
}

/** Every target by name, for the retire dialog's substitute picker. */
export async function listSubstituteCandidates(): Promise<{ id: string; name: string; model: string }[]> {
  return db().target.findMany({ orderBy: { name: 'asc' }, select: { id: true, name: true, model: true } });
}
