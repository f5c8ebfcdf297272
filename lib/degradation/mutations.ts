import 'server-only';
// Degradation writes: an operator's tier override (set and clear) and a
// service's degradation policy. Each checks the caller's permission, validates
// its input, and records an audit entry in the same transaction as the change;
// tier overrides also go on the service's tier timeline (TierChange). Triggers
// NOTIFY standby_routing on commit, so every gateway replica picks the change
// up within a second.
import { recordConfigChange } from '@/lib/config-versions/writer';
import { recordAudit } from '@/lib/audit/record';
import { requireActor, type SessionUser } from '@/lib/server/auth';
import { Prisma, type Tx } from '@/lib/server/db';
import { AppError, parseInput } from '@/lib/server/errors';
import { assertVersionMatched, inTransaction, serviceGone } from '@/lib/server/mutation';
import { formatFraction, formatSeconds } from './describe';
import { NEVER_EVALUATED } from './defaults';
import { clearTierOverrideInput, degradationPolicyInput, setTierOverrideInput } from './schemas';
import { effectiveTier, TIER_LABELS } from '@/lib/routing/tier';
import type { Tier } from '@/lib/routing/enums';
import type { TierOverride } from '@/lib/routing/model';

type Caller = SessionUser | null;

async function findService(tx: Tx, serviceId: string) {
  return (await tx.service.findUnique({ where: { id: serviceId }, select: { id: true, name: true } })) ?? serviceGone();
}

// ---------------------------------------------------------------- override

/**
 * The service's tier state, locked for this transaction. The row is created
 * with its defaults if the control loop has not evaluated the service yet, so
 * an operator can act on a brand-new service too. The control loop takes the
 * same lock before it writes, so neither sees the other half-done.
 */
async function lockTierState(tx: Tx, serviceId: string) {
  // evaluatedAt "never": the control loop then writes its first evaluation on its next run instead of waiting out its write interval.
  await tx.serviceTierState.createMany({ data: [{ serviceId, evaluatedAt: NEVER_EVALUATED }], skipDuplicates: true });
  await tx.$queryRaw(Prisma.sql`SELECT "serviceId" FROM "ServiceTierState" WHERE "serviceId" = ${serviceId}::uuid FOR UPDATE`);
  return tx.serviceTierState.findUniqueOrThrow({
    where: { serviceId },
    select: {
      automaticTier: true, level: true, availableRpm: true, demandRpm: true, version: true,
      overrideTier: true, overrideReason: true, overrideBy: true, overrideAt: true, overrideExpiresAt: true,
    },
  });
}

type LockedState = Awaited<ReturnType<typeof lockTierState>>;

function overrideOf(state: LockedState): TierOverride | null {
  if (!state.overrideTier || !state.overrideAt) return null;
  return { tier: state.overrideTier, reason: state.overrideReason ?? '', by: state.overrideBy ?? '', at: state.overrideAt.getTime(), expiresAt: state.overrideExpiresAt?.getTime() ?? null };
}

const inForce = (override: TierOverride | null, now: number) => (override && (override.expiresAt === null || override.expiresAt > now) ? override : null);

function describeOverride(override: TierOverride | null) {
  if (!override) return null;
  return { tier: TIER_LABELS[override.tier], by: override.by, expiresAt: override.expiresAt === null ? 'until cleared' : new Date(override.expiresAt).toISOString() };
}

/** After a refused version check: CONFLICT naming the manual tier change that won, if there is one. */
async function refuseStale(tx: Tx, service: { id: string; name: string }): Promise<never> {
  const latest = await tx.tierChange.findFirst({
    where: { serviceId: service.id, cause: { in: ['override', 'override_cleared'] } },
    orderBy: [{ at: 'desc' }, { id: 'desc' }],
    select: { cause: true, to: true, actor: true, reason: true },
  });
  const what = latest
    ? `: ${latest.actor} ${latest.cause === 'override' ? `set it to ${TIER_LABELS[latest.to]}` : 'cleared its override'}${latest.reason ? ` ("${latest.reason}")` : ''}`
    : '';
  throw new AppError('CONFLICT', `Someone else changed the tier of ${service.name} a moment ago${what}. Review the new state and try again.`);
}

/** Holds a service in a tier chosen by an operator, whatever D says, until it expires or is cleared. */
export async function setTierOverride(caller: Caller, input: unknown) {
  const actor = requireActor(caller, 'failover.write');
  const { serviceId, expectedVersion, tier, reason, expiresInMinutes } = parseInput(setTierOverrideInput, input);
  return inTransaction(async (tx) => {
    const service = await findService(tx, serviceId);
    const state = await lockTierState(tx, serviceId);
    if (state.version !== expectedVersion) await refuseStale(tx, service);

    const now = Date.now();
    const before = inForce(overrideOf(state), now);
    const from = effectiveTier({ automaticTier: state.automaticTier, override: before }, now);
    const at = new Date(now);
    const expiresAt = expiresInMinutes ? new Date(now + expiresInMinutes * 60_000) : null;
    const { count } = await tx.serviceTierState.updateMany({
      where: { serviceId, version: expectedVersion },
      data: { overrideTier: tier, overrideReason: reason, overrideBy: actor.email, overrideAt: at, overrideExpiresAt: expiresAt, version: { increment: 1 } },
    });
    assertVersionMatched(count, 'tier');
    await tx.tierChange.create({
      data: { serviceId, at, from, to: tier, cause: 'override', level: state.level, availableRpm: state.availableRpm, demandRpm: state.demandRpm, actor: actor.email, reason },
    });
    await recordAudit(tx, actor, {
      action: 'degradation.override',
      entityType: 'service', entityId: serviceId, entityName: service.name,
      before: { tier: TIER_LABELS[from], override: describeOverride(before) },
      after: { tier: TIER_LABELS[tier], override: describeOverride({ tier, reason, by: actor.email, at: now, expiresAt: expiresAt?.getTime() ?? null }), automaticTier: TIER_LABELS[state.automaticTier] },
      reason,
    });
    return { serviceName: service.name, tier, expiresAt: expiresAt?.toISOString() ?? null, version: expectedVersion + 1 };
  });
}

/** Ends an operator's override: the service goes back to the tier D puts it in. */
export async function clearTierOverride(caller: Caller, input: unknown) {
  const actor = requireActor(caller, 'failover.write');
  const { serviceId, expectedVersion, reason } = parseInput(clearTierOverrideInput, input);
  return inTransaction(async (tx) => {
    const service = await findService(tx, serviceId);
    const state = await lockTierState(tx, serviceId);
    if (state.version !== expectedVersion) await refuseStale(tx, service);

    const now = Date.now();
    const current = inForce(overrideOf(state), now);
    if (!current) throw new AppError('INVALID', `${service.name} has no tier override in force: it already follows its automatic tier (${TIER_LABELS[state.automaticTier]}).`);
    const at = new Date(now);
    const { count } = await tx.serviceTierState.updateMany({
      where: { serviceId, version: expectedVersion },
      data: { overrideTier: null, overrideReason: null, overrideBy: null, overrideAt: null, overrideExpiresAt: null, version: { increment: 1 } },
    });
    assertVersionMatched(count, 'tier');
    await tx.tierChange.create({
      data: {
        serviceId, at, from: current.tier, to: state.automaticTier, cause: 'override_cleared',
        level: state.level, availableRpm: state.availableRpm, demandRpm: state.demandRpm, actor: actor.email, reason,
      },
    });
    await recordAudit(tx, actor, {
      action: 'degradation.override_clear',
      entityType: 'service', entityId: serviceId, entityName: service.name,
      before: { tier: TIER_LABELS[current.tier], override: describeOverride(current) },
      after: { tier: TIER_LABELS[state.automaticTier], override: null },
      reason,
    });
    return { serviceName: service.name, tier: state.automaticTier as Tier, version: expectedVersion + 1 };
  });
}

// ---------------------------------------------------------------- policy

const policySelect = {
  plannedRpm: true, degradedBelow: true, minimalBelow: true, hysteresis: true, holdSeconds: true,
  degradedTargetId: true, degradedMaxTokens: true, cacheTtlSeconds: true, rules: true, retryAfterSeconds: true, maintenanceMessage: true,
  queueEnabled: true, queueTtlSeconds: true, version: true, degradedTarget: { select: { name: true } },
} as const;

type PolicyRow = Prisma.DegradationPolicyGetPayload<{ select: typeof policySelect }>;

/** The policy as the audit log shows it: one readable value per setting, so the diff names what changed. */
function policyForAudit(p: PolicyRow): Record<string, unknown> {
  const rules = Array.isArray(p.rules) ? (p.rules as { match?: string; pattern?: string; answer?: string }[]) : [];
  return {
    'planned capacity': `${p.plannedRpm.toLocaleString('en-US')} RPM`,
    thresholds: `Degraded below ${formatFraction(p.degradedBelow)}, Minimal below ${formatFraction(p.minimalBelow)}, Emergency when nothing can serve`,
    recovery: `hysteresis ${p.hysteresis}, hold ${formatSeconds(p.holdSeconds)}`,
    'degraded target': p.degradedTarget?.name ?? 'none',
    'degraded max_tokens': p.degradedMaxTokens,
    'cache lifetime': formatSeconds(p.cacheTtlSeconds),
    rules: rules.map((r) => `${r.match} "${r.pattern}" → "${r.answer}"`),
    'Retry-After': formatSeconds(p.retryAfterSeconds),
    'maintenance message': p.maintenanceMessage,
    'retry queue': p.queueEnabled ? `on, kept ${formatSeconds(p.queueTtlSeconds)}` : 'off',
  };
}

/**
 * Saves a service's thresholds and tier policies. A service without a policy
 * row runs on the defaults (version 1); saving creates its row. Optimistic
 * concurrency on DegradationPolicy.version.
 */
export async function updateDegradationPolicy(caller: Caller, input: unknown) {
  const actor = requireActor(caller, 'inventory.write');
  const { serviceId, version, reason, ...values } = parseInput(degradationPolicyInput, input);
  return inTransaction(async (tx) => {
    const service = await findService(tx, serviceId);
    const degradedTarget = values.degradedTargetId
      ? await tx.target.findUnique({ where: { id: values.degradedTargetId }, select: { name: true, model: true, qualityClass: true } })
      : null;
    if (values.degradedTargetId && !degradedTarget) {
      throw new AppError('INVALID', 'Some fields need attention.', { degradedTargetId: ['This target no longer exists. Choose another one.'] });
    }

    await tx.degradationPolicy.createMany({ data: [{ serviceId }], skipDuplicates: true });
    const before = await tx.degradationPolicy.findUniqueOrThrow({ where: { serviceId }, select: policySelect });
    const { count } = await tx.degradationPolicy.updateMany({
      where: { serviceId, version },
      data: { ...values, rules: values.rules as Prisma.InputJsonValue, version: { increment: 1 } },
    });
    assertVersionMatched(count, 'degradation policy');
    const after = await tx.degradationPolicy.findUniqueOrThrow({ where: { serviceId }, select: policySelect });
    await recordConfigChange(tx, actor, 'routing', {
      action: 'degradation.policy_update', entityType: 'service', entityId: serviceId, entityName: service.name,
      before: policyForAudit(before), after: policyForAudit(after), reason,
    });

    // Saved, but worth a second look: Degraded is meant to trade quality for capacity.
    const warnings = degradedTarget?.qualityClass === 'frontier'
      ? [`${degradedTarget.name} (${degradedTarget.model}) is a frontier model: the Degraded tier usually routes to a smaller or cheaper (economy or standard) one.`]
      : [];
    return { serviceName: service.name, version: after.version, warnings };
  });
}
