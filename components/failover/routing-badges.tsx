import { Badge } from '@mantine/core';
import { describeMode, type PlanSummary } from '@/lib/routing/plan';
import type { BreakerState, OverrideKind } from '@/lib/routing/enums';

const MODE_COLORS: Record<PlanSummary['mode'], string> = { automatic: 'green', pinned: 'blue', forced_failover: 'orange', unavailable: 'red' };

/** "Automatic", "Pinned to X", "Forced failover away from X", "Unavailable". */
export function ModeBadge({ plan, size = 'md' }: { plan: Pick<PlanSummary, 'mode' | 'override' | 'skipped'>; size?: 'sm' | 'md' | 'lg' }) {
  return (
    <Badge color={MODE_COLORS[plan.mode]} variant="light" size={size} miw="max-content" tt="none" data-testid="routing-mode">
      {describeMode(plan)}
    </Badge>
  );
}

const BREAKER_COLORS: Record<BreakerState, string> = { closed: 'green', half_open: 'yellow', open: 'red' };
const BREAKER_LABELS: Record<BreakerState, string> = { closed: 'closed', half_open: 'half-open', open: 'open' };

export function BreakerBadge({ state }: { state: BreakerState }) {
  return (
    <Badge color={BREAKER_COLORS[state]} variant="light" miw="max-content" tt="none">
      {BREAKER_LABELS[state]}
    </Badge>
  );
}

export const OVERRIDE_LABELS: Record<OverrideKind, string> = { force_failover: 'Forced failover', pin: 'Pin', drain: 'Drain' };
const OVERRIDE_COLORS: Record<OverrideKind, string> = { force_failover: 'orange', pin: 'blue', drain: 'grape' };

export function OverrideBadge({ kind }: { kind: OverrideKind }) {
  return (
    <Badge color={OVERRIDE_COLORS[kind]} variant="outline" size="sm" miw="max-content" tt="none">
      {OVERRIDE_LABELS[kind]}
    </Badge>
  );
}
