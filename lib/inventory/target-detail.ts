import 'server-only';
// Everything about one target on one page: what it is, the services whose
// chains use it (and whether it serves them now, by the same planner the
// gateway routes with), its breaker, probes and traffic, and its history:
// breaker transitions, steering that named it, and changes to it.
import { loadPlanningInputs } from '@/lib/routing/planning-inputs';
import { planRoute, type SkipReason } from '@/lib/routing/plan';
import { findTransitions, targetHealth, toTransitionRows, type TargetHealthRow, type TransitionRow } from '@/lib/health/data';
import { db } from '@/lib/server/db';
import { getTarget, type TargetRow } from './data';

export type TargetChainUse = {
  serviceName: string;
  serviceEnabled: boolean;
  /** 1 for the first target of the chain. */
  place: number;
  chainLength: number;
  /** What the planner does with this target for the service now. */
  role: 'serving' | 'fallback' | SkipReason;
};

export type TargetProbe = { at: string; ok: boolean; latencyMs: number; errorClass: string | null; statusCode: number | null };

export type TargetSteering = { id: string; kind: 'force_failover' | 'pin' | 'drain'; serviceName: string | null; reason: string; createdBy: string; createdAt: string; expiresAt: string | null; clearedAt: string | null; clearedBy: string | null };

export type TargetChange = { id: string; at: string; actorEmail: string; action: string; reason: string | null };

export type TargetDetail = {
  generatedAt: string;
  target: TargetRow;
  health: TargetHealthRow;
  chains: TargetChainUse[];
  probes: TargetProbe[];
  transitions: TransitionRow[];
  steering: TargetSteering[];
  changes: TargetChange[];
};

const RECENT = 15;

/** The target named `name`, with its chains, health and history; null if no target has that name. */
export async function getTargetDetail(name: string, now = new Date()): Promise<TargetDetail | null> {
  const row = await db().target.findUnique({ where: { name }, select: { id: true } });
  if (!row) return null;
  const id = row.id;
  const [target, [health], inputs, chainRows, probes, transitions, steering, changes] = await Promise.all([
    getTarget(id),
    targetHealth(now, [id]),
    loadPlanningInputs(db(), now.getTime()),
    db().chainEntry.findMany({ where: { targetId: id }, select: { service: { select: { name: true } } }, orderBy: { service: { name: 'asc' } } }),
    db().healthSample.findMany({
      where: { targetId: id, source: 'probe', at: { lte: now } }, orderBy: { at: 'desc' }, take: RECENT,
      select: { at: true, ok: true, latencyMs: true, errorClass: true, statusCode: true },
    }),
    findTransitions([id], RECENT),
    db().routingOverride.findMany({
      where: { targetId: id }, orderBy: { createdAt: 'desc' }, take: RECENT,
      select: { id: true, kind: true, reason: true, createdBy: true, createdAt: true, expiresAt: true, clearedAt: true, clearedBy: true, service: { select: { name: true } } },
    }),
    db().auditLog.findMany({ where: { entityId: id }, orderBy: [{ at: 'desc' }, { id: 'desc' }], take: RECENT, select: { id: true, at: true, actorEmail: true, action: true, reason: true } }),
  ]);
  if (!target || !health) return null;

  const chains = chainRows.flatMap(({ service: { name: serviceName } }): TargetChainUse[] => {
    const service = inputs.services.get(serviceName);
    if (!service) return [];
    const ordered = [...service.chain].sort((a, b) => a.position - b.position);
    const plan = planRoute(service, inputs.targets, inputs.overrides, inputs.breakerOf, now.getTime());
    const candidate = plan.candidates.findIndex((c) => c.target.id === id);
    const skipped = plan.skipped.find((s) => s.targetId === id);
    const role: TargetChainUse['role'] = candidate === 0 ? 'serving' : candidate > 0 ? 'fallback' : (skipped?.reason ?? 'disabled');
    return [{ serviceName, serviceEnabled: service.enabled, place: ordered.findIndex((e) => e.targetId === id) + 1, chainLength: ordered.length, role }];
  });

  return {
    generatedAt: now.toISOString(),
    target,
    health,
    chains,
    probes: probes.map((p) => ({ ...p, at: p.at.toISOString() })),
    transitions: toTransitionRows(transitions, new Map([[id, target.name]])),
    steering: steering.map(({ service, createdAt, expiresAt, clearedAt, ...o }) => ({
      ...o, serviceName: service?.name ?? null, createdAt: createdAt.toISOString(), expiresAt: expiresAt?.toISOString() ?? null, clearedAt: clearedAt?.toISOString() ?? null,
    })),
    changes: changes.map((c) => ({ ...c, id: c.id.toString(), at: c.at.toISOString() })),
  };
}
