// "Retire a model everywhere" (the safety incident): take one target, or every
// target serving one model, out of every failover chain at once, or put a
// named substitute in its place. Pure planning; retirement.ts applies the plan
// in one transaction and keeps what it changed so it can be reverted.
// Unit-tested beside it (retire.test.ts).
import { z } from 'zod';

export type ChainEntryRow = { targetId: string; position: number } & Record<string, unknown>;
export type ServiceChainRow = { serviceId: string; serviceName: string; entries: ChainEntryRow[] };
export type PinRow = { id: string; serviceId: string | null; targetId: string | null };
export type PolicyRow = { serviceId: string; degradedTargetId: string | null };

export type ServiceRetirement = {
  serviceId: string;
  serviceName: string;
  before: string[];
  after: string[];
  /** The entries as they will be written, positions 1..n (the substitute takes the first retired entry's settings). */
  entries: ChainEntryRow[];
  /** The substitute came in at the place of a retired target (false: it was already in the chain, or there is none). */
  substituted: boolean;
};

export type RetirementPlan = {
  services: ServiceRetirement[];
  /** Services whose chain would be left empty: refused, a substitute is needed. */
  emptied: { serviceId: string; serviceName: string }[];
  pinsEnded: PinRow[];
  degradedTargets: { serviceId: string; from: string; to: string | null }[];
};

export function planRetirement(options: {
  retired: ReadonlySet<string>;
  substituteId: string | null;
  chains: readonly ServiceChainRow[];
  pins: readonly PinRow[];
  policies: readonly PolicyRow[];
}): RetirementPlan {
  const { retired, substituteId } = options;
  if (substituteId && retired.has(substituteId)) throw new Error('the substitute cannot be retired itself');
  const services: ServiceRetirement[] = [];
  const emptied: RetirementPlan['emptied'] = [];
  for (const chain of options.chains) {
    const ordered = [...chain.entries].sort((a, b) => a.position - b.position);
    if (!ordered.some((e) => retired.has(e.targetId))) continue;
    const hasSubstitute = substituteId !== null && ordered.some((e) => e.targetId === substituteId);
    let substituted = false;
    const kept: ChainEntryRow[] = [];
    for (const entry of ordered) {
      if (!retired.has(entry.targetId)) kept.push(entry);
      else if (substituteId && !hasSubstitute && !substituted) {
        kept.push({ ...entry, targetId: substituteId });
        substituted = true;
      }
    }
    const entries = kept.map((e, i) => ({ ...e, position: i + 1 }));
    if (entries.length === 0) emptied.push({ serviceId: chain.serviceId, serviceName: chain.serviceName });
    services.push({ serviceId: chain.serviceId, serviceName: chain.serviceName, before: ordered.map((e) => e.targetId), after: entries.map((e) => e.targetId), entries, substituted });
  }
  return {
    services,
    emptied,
    // A pin holds a service on one target: a pin to a retired one would keep serving it (or, out of the chain, serve nothing).
    pinsEnded: options.pins.filter((p) => p.targetId !== null && retired.has(p.targetId)),
    // The Degraded tier tries its degraded target first, chain or not: it must not be the retired model.
    degradedTargets: options.policies.filter((p) => p.degradedTargetId !== null && retired.has(p.degradedTargetId)).map((p) => ({ serviceId: p.serviceId, from: p.degradedTargetId!, to: substituteId })),
  };
}

// ---------------------------------------------------------------- inputs


const REASON_REQUIRED = 'Say why, in at least 3 characters: the reason is kept in the audit log and shown to other operators.';
const optionalUuid = (message: string) => z.preprocess((value) => (value === '' || value === null ? undefined : value), z.string().uuid(message).optional());

/** What to retire: one target, or every target serving `model`; and what takes its place. */
export const retirementScope = z
  .object({
    targetId: optionalUuid('Unknown target.'),
    model: z.preprocess((value) => (typeof value === 'string' && value.trim() === '' ? undefined : value), z.string().trim().max(200).optional()),
    substituteTargetId: optionalUuid('Unknown target.'),
  })
  .superRefine((scope, ctx) => {
    if (!scope.targetId === !scope.model) ctx.addIssue({ code: 'custom', path: ['targetId'], message: 'Choose a target, or name a model (every target serving it is retired), not both.' });
    if (scope.targetId && scope.targetId === scope.substituteTargetId) ctx.addIssue({ code: 'custom', path: ['substituteTargetId'], message: 'The substitute cannot be the target being retired.' });
  });
export type RetirementScope = z.input<typeof retirementScope>;

export const retireInput = z
  .object({
    targetId: optionalUuid('Unknown target.'),
    model: z.preprocess((value) => (typeof value === 'string' && value.trim() === '' ? undefined : value), z.string().trim().max(200).optional()),
    substituteTargetId: optionalUuid('Unknown target.'),
    reason: z.string({ error: REASON_REQUIRED }).trim().min(3, REASON_REQUIRED).max(500, 'At most 500 characters.'),
  })
  .superRefine((input, ctx) => {
    const scope = retirementScope.safeParse(input);
    if (!scope.success) for (const issue of scope.error.issues) ctx.addIssue({ code: 'custom', path: issue.path.map(String), message: issue.message });
  });
export type RetireInput = z.input<typeof retireInput>;

export const revertRetirementInput = z.object({
  retirementId: z.string().uuid('Unknown retirement.'),
  reason: z.string({ error: REASON_REQUIRED }).trim().min(3, REASON_REQUIRED).max(500, 'At most 500 characters.'),
});
