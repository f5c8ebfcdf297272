import 'server-only';
// Failover writes: a service's chain, and steering (force failover, pin, drain,
// return to automatic). Each checks the caller's permission, validates its
// input, and records an audit entry in the same transaction as the change. The
// database triggers NOTIFY standby_routing on commit, so every gateway replica
// reloads its routing snapshot within a second; nothing else is needed here.
import { recordConfigChange } from '@/lib/config-versions/writer';
import { recordAudit } from '@/lib/audit/record';
import { requireActor, type SessionUser } from '@/lib/server/auth';
import { Prisma, type Tx } from '@/lib/server/db';
import { AppError, parseInput } from '@/lib/server/errors';
import { assertVersionMatched, inTransaction, serviceGone } from '@/lib/server/mutation';
import { findServiceById, loadPlanningInputs } from '@/lib/routing/planning-inputs';
import { applyEffect, steeringEffect } from './impact';
import { describeMode, planRoute, servingTarget, summarizePlan, type PlanSummary } from '@/lib/routing/plan';
import { chainInput, steerInput, toSteeringAction, type SteeringKind } from './schemas';

type Caller = SessionUser | null;

// ---------------------------------------------------------------- chain

const entrySettings = {
  failoverOn: true, latencyLimitMs: true, maxRetries: true, baseBackoffMs: true, maxBackoffMs: true,
  connectTimeoutMs: true, headerTimeoutMs: true, firstTokenTimeoutMs: true, streamIdleTimeoutMs: true, totalTimeoutMs: true,
  adaptiveLimitMultiplier: true, adaptiveLimitFloorMs: true,
} as const;

/**
 * The chain as the audit log shows it: the order, then each target's settings
 * as one line under its name, so the diff marks exactly the targets whose
 * settings changed (a move shows in the order alone). "chain order" cannot
 * collide with a target: target names have no spaces.
 */
async function chainForAudit(tx: Tx, serviceId: string): Promise<Record<string, unknown>> {
  const entries = await tx.chainEntry.findMany({ where: { serviceId }, orderBy: { position: 'asc' }, select: { ...entrySettings, target: { select: { name: true } } } });
  const line = (e: (typeof entries)[number]) =>
    [
      `retries ${e.maxRetries}, backoff ${e.baseBackoffMs}-${e.maxBackoffMs} ms`,
      `timeouts (ms) connect ${e.connectTimeoutMs}, headers ${e.headerTimeoutMs}, first token ${e.firstTokenTimeoutMs}, stream idle ${e.streamIdleTimeoutMs}, total ${e.totalTimeoutMs}`,
      `latency limit ${e.latencyLimitMs === null ? 'none' : `${e.latencyLimitMs} ms`}`,
      `first-token and header limits ${e.adaptiveLimitMultiplier === null ? 'fixed' : `${e.adaptiveLimitMultiplier} × p99, at least ${e.adaptiveLimitFloorMs} ms`}`,
      `fails over on ${e.failoverOn.length ? e.failoverOn.join(', ') : 'nothing'}`,
    ].join('; ');
  return { 'chain order': entries.map((e) => e.target.name), ...Object.fromEntries(entries.map((e) => [e.target.name, line(e)])) };
}

/** Replaces a service's failover chain. Optimistic concurrency on Service.version. */
export async function saveChain(caller: Caller, input: unknown) {
  const actor = requireActor(caller, 'failover.write');
  const { serviceId, version, entries, reason } = parseInput(chainInput, input);
  return inTransaction(async (tx) => {
    const service = (await tx.service.findUnique({ where: { id: serviceId }, select: { id: true, name: true } })) ?? serviceGone();

    const targets = await tx.target.findMany({ where: { id: { in: entries.map((e) => e.targetId) } }, select: { id: true } });
    const known = new Set(targets.map((t) => t.id));
    const missing = Object.fromEntries(entries.flatMap((e, i) => (known.has(e.targetId) ? [] : [[`entries.${i}.targetId`, ['This target no longer exists.']]])));
    if (Object.keys(missing).length) throw new AppError('INVALID', 'Some targets of this chain no longer exist. Remove them and save again.', missing);

    // Taking a pinned target out of the chain would silently leave the service
    // with nothing to serve it (a pin is strict), so the operator clears the pin first.
    const now = new Date();
    const pins = await tx.routingOverride.findMany({
      where: { serviceId, kind: 'pin', clearedAt: null, OR: [{ expiresAt: null }, { expiresAt: { gt: now } }] },
      select: { targetId: true, target: { select: { name: true } } },
    });
    const stranded = pins.find((pin) => pin.targetId && !entries.some((e) => e.targetId === pin.targetId));
    if (stranded) {
      throw new AppError('INVALID', `${service.name} is pinned to ${stranded.target?.name ?? 'a target'}, which this chain leaves out. Return the service to automatic routing first, or keep that target in the chain.`);
    }

    const before = await chainForAudit(tx, serviceId);
    // The chain is routing too: steering previews taken before this change are stale.
    const { count } = await tx.service.updateMany({ where: { id: serviceId, version }, data: { version: { increment: 1 }, routingVersion: { increment: 1 } } });
    assertVersionMatched(count, 'service');
    await tx.chainEntry.deleteMany({ where: { serviceId } });
    await tx.chainEntry.createMany({ data: entries.map((entry, index) => ({ ...entry, serviceId, position: index + 1 })) });
    const after = await chainForAudit(tx, serviceId);
    await recordConfigChange(tx, actor, 'routing', { action: 'service.chain_update', entityType: 'service', entityId: serviceId, entityName: service.name, before, after, reason });
    const saved = await tx.service.findUniqueOrThrow({ where: { id: serviceId }, select: { name: true, version: true, routingVersion: true } });
    return { serviceName: saved.name, version: saved.version, routingVersion: saved.routingVersion };
  });
}

// ---------------------------------------------------------------- steering

const ROUTING_ACTIONS = ['routing.force_failover', 'routing.pin', 'routing.drain', 'routing.clear', 'service.chain_update'];

type AuditedChange = { action: string; actorEmail: string; entityName: string | null; after: Prisma.JsonValue; reason: string | null };

function describeChange(change: AuditedChange): string {
  const after = (change.after ?? {}) as Record<string, unknown>;
  const target = typeof after.target === 'string' ? after.target : null;
  const what: Record<string, string> = {
    'routing.pin': `pinned it to ${target ?? 'a target'}`,
    'routing.force_failover': `forced failover away from ${target ?? 'its serving target'}`,
    'routing.drain': `drained ${change.entityName ?? 'a target'}`,
    'routing.clear': 'returned it to automatic routing',
    'service.chain_update': 'edited its failover chain',
  };
  const why = change.reason ? ` ("${change.reason}")` : '';
  return `${change.actorEmail} ${what[change.action] ?? 'changed its routing'}${why}`;
}

/** After a refused version check: NOT_FOUND if the service is gone, else CONFLICT naming the change that won. */
async function refuseStale(tx: Tx, serviceId: string): Promise<never> {
  const service = (await tx.service.findUnique({ where: { id: serviceId }, select: { name: true, chain: { select: { targetId: true } } } })) ?? serviceGone();
  // Drains are audited on their target, so a drain of a shared target made from another service's page is found too.
  const latest = await tx.auditLog.findFirst({
    where: {
      action: { in: ROUTING_ACTIONS },
      OR: [{ entityType: 'service', entityId: serviceId }, { entityType: 'target', entityId: { in: service.chain.map((e) => e.targetId) } }],
    },
    orderBy: { id: 'desc' },
    select: { action: true, actorEmail: true, entityName: true, after: true, reason: true },
  });
  const theirs = latest ? `: ${describeChange(latest)}` : '';
  throw new AppError('CONFLICT', `Another operator changed routing for ${service.name} a moment ago${theirs}. Review the new state and try again.`);
}

/**
 * Locks, in one order, the acting service and every service that shares the
 * targets a drain (or its clearing) touches, since their routing changes too.
 * Two operators draining shared targets from different pages would otherwise
 * each hold one row and wait for the other's.
 */
async function lockServices(tx: Tx, serviceId: string, kind: SteeringKind, targetId: string | undefined): Promise<string[]> {
  let targetIds: string[] = [];
  if (kind === 'drain' && targetId) targetIds = [targetId];
  if (kind === 'clear') targetIds = (await tx.chainEntry.findMany({ where: { serviceId }, select: { targetId: true } })).map((e) => e.targetId);
  const sharing = targetIds.length
    ? (await tx.chainEntry.findMany({ where: { targetId: { in: targetIds } }, select: { serviceId: true } })).map((e) => e.serviceId)
    : [];
  const ids = [...new Set([serviceId, ...sharing])].sort();
  await tx.$queryRaw(Prisma.sql`SELECT id FROM "Service" WHERE id::text IN (${Prisma.join(ids)}) ORDER BY id FOR UPDATE`);
  return ids.filter((id) => id !== serviceId);
}

const VERBS: Record<SteeringKind, string> = { force_failover: 'forced failover', pin: 'pin', drain: 'drain', clear: 'return to automatic' };

function planForAudit(summary: PlanSummary) {
  return { mode: describeMode(summary), serving: summary.serving?.name ?? null, fallbacks: summary.fallbacks.map((f) => f.name) };
}

/**
 * Force failover, pin, drain or return to automatic. The caller names the
 * routing version they looked at; if anyone steered this service since, the
 * change is refused with what they did, so two operators cannot both win.
 */
export async function steer(caller: Caller, input: unknown) {
  const actor = requireActor(caller, 'failover.write');
  const parsed = parseInput(steerInput, input);
  const { serviceId, expectedRoutingVersion, reason, expiresInMinutes } = parsed;
  const action = toSteeringAction(parsed);

  return inTransaction(async (tx) => {
    const others = await lockServices(tx, serviceId, parsed.kind, parsed.targetId);
    const { count } = await tx.service.updateMany({ where: { id: serviceId, routingVersion: expectedRoutingVersion }, data: { routingVersion: { increment: 1 } } });
    if (count === 0) await refuseStale(tx, serviceId);

    const now = Date.now();
    const inputs = await loadPlanningInputs(tx, now);
    const service = findServiceById(inputs, serviceId) ?? serviceGone();
    const nameOf = (id: string | null) => (id ? (inputs.targets.get(id)?.name ?? null) : null);

    if ((action.kind === 'pin' || action.kind === 'drain') && !service.chain.some((entry) => entry.targetId === action.targetId)) {
      throw new AppError('INVALID', 'Some fields need attention.', { targetId: [`Choose a target in ${service.name}'s failover chain.`] });
    }
    const before = planRoute(service, inputs.targets, inputs.overrides, inputs.breakerOf, now);
    if (action.kind === 'force_failover' && !servingTarget(before)) {
      throw new AppError('INVALID', `Nothing serves ${service.name} now, so there is nothing to fail over from. Return it to automatic routing or pin a target instead.`);
    }
    const effect = steeringEffect(action, service, inputs.overrides, before, now);
    if (action.kind === 'clear' && effect.ends.length === 0) {
      throw new AppError('INVALID', `Routing for ${service.name} is already automatic: there is nothing to clear.`);
    }

    const at = new Date(now);
    if (effect.ends.length) {
      await tx.routingOverride.updateMany({ where: { id: { in: effect.ends.map((o) => o.id) }, clearedAt: null }, data: { clearedAt: at, clearedBy: actor.email } });
    }
    const expiresAt = expiresInMinutes ? new Date(now + expiresInMinutes * 60_000) : null;
    const created = effect.creates
      ? await tx.routingOverride.create({
          data: { ...effect.creates, reason, createdById: actor.id, createdBy: actor.email, createdAt: at, expiresAt },
          select: { id: true },
        })
      : null;
    // Services sharing a drained (or undrained) target now route differently too.
    if (others.length) await tx.service.updateMany({ where: { id: { in: others } }, data: { routingVersion: { increment: 1 } } });

    const afterOverrides = applyEffect(inputs.overrides, effect, now).map((o) =>
      o.id === 'preview' ? { ...o, id: created!.id, reason, createdBy: actor.email, expiresAt: expiresAt?.getTime() ?? null } : o,
    );
    const after = summarizePlan(planRoute(service, inputs.targets, afterOverrides, inputs.breakerOf, now), inputs.targets);
    const targetId = effect.creates?.targetId ?? null;
    const affected = others.map((id) => findServiceById(inputs, id)?.name).filter(Boolean);
    await recordAudit(tx, actor, {
      action: `routing.${action.kind}`,
      // A drain is about its target (it applies to every service using it); the rest are about the service.
      ...(action.kind === 'drain'
        ? { entityType: 'target', entityId: action.targetId, entityName: nameOf(action.targetId) }
        : { entityType: 'service', entityId: serviceId, entityName: service.name }),
      before: planForAudit(summarizePlan(before, inputs.targets)),
      after: {
        ...planForAudit(after),
        ...(targetId ? { target: nameOf(targetId) } : {}),
        service: service.name,
        ...(affected.length ? { alsoAffects: affected } : {}),
        expiresAt: expiresAt?.toISOString() ?? null,
        ...(effect.ends.length ? { ended: effect.ends.map((o) => `${VERBS[o.kind]}${o.targetId ? ` ${nameOf(o.targetId)}` : ''} by ${o.createdBy}`) } : {}),
      },
      reason,
    });
    return { serviceName: service.name, routingVersion: expectedRoutingVersion + 1, overrideId: created?.id ?? null, after };
  });
}
