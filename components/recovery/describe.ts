// Episode milestones in words, for the episode page and the report. Pure.
import type { MilestoneCause } from '@/lib/recovery/detector';

const OPERATOR_ACTIONS = { force_failover: 'forced a failover', pin: 'pinned a target', drain: 'drained a target' } as const;

export const OPENED_BY: Record<string, string> = {
  errors: 'a burst of failures',
  breaker: 'a circuit breaker opening',
  tier: 'a tier below Full',
  override: "an operator's forced failover",
  alert: 'a burn-rate alert',
};

export function describeCause(cause: MilestoneCause | null, names: Record<string, string>): string {
  if (!cause) return '';
  const name = (id: string | null) => (id ? (names[id] ?? 'a deleted target') : null);
  switch (cause.kind) {
    case 'breaker':
      return `the breaker of ${name(cause.targetId)} (${cause.cause})`;
    case 'tier':
      return `tier ${cause.tier} (${cause.actor === 'standby' ? 'automatic' : `set by ${cause.actor}`})`;
    case 'alert':
      return `burn-rate alert ${cause.rule}`;
    case 'operator':
      return `${cause.actor} ${OPERATOR_ACTIONS[cause.action]}${cause.reason ? `: "${cause.reason}"` : ''}`;
    case 'answer':
      return cause.servedBy === 'cache' ? 'an answer from the response cache' : cause.servedBy === 'rule' ? 'a rule-based answer' : `an answer from ${name(cause.targetId) ?? 'another target'}`;
    case 'recovered':
      return [cause.targetIds.length ? `${cause.targetIds.map((id) => name(id)).join(', ')} answering again` : null, cause.tierFull ? 'tier back at Full' : null, cause.overrideEnded ? 'forced failover ended' : null].filter(Boolean).join(', ');
  }
}
