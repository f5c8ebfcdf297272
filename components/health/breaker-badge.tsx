import { Badge } from '@mantine/core';
import type { BreakerState } from '@/lib/health/data';

const LOOK: Record<BreakerState, { color: string; label: string }> = {
  closed: { color: 'green', label: 'closed' },
  half_open: { color: 'yellow', label: 'half-open' },
  open: { color: 'red', label: 'open' },
};

/** Circuit-breaker state: closed green, half-open yellow, open red. */
export function BreakerBadge({ state, size = 'sm' }: { state: BreakerState; size?: 'xs' | 'sm' | 'md' }) {
  const { color, label } = LOOK[state];
  return (
    <Badge color={color} variant={state === 'closed' ? 'light' : 'filled'} size={size} miw="max-content" data-breaker={state}>
      {label}
    </Badge>
  );
}
