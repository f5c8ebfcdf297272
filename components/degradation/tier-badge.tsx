import { Badge, type MantineSize } from '@mantine/core';
import { TIER_LABELS } from '@/lib/routing/tier';
import type { Tier } from '@/lib/routing/enums';

// Colour says how bad, the label says which: the text is always there, so the
// tier reads without colour and in both colour schemes.
export const TIER_COLORS: Record<Tier, string> = { full: 'green', degraded: 'yellow', minimal: 'orange', emergency: 'red' };

/** A service's degradation tier: Full green, Degraded yellow, Minimal orange, Emergency red. */
export function TierBadge({ tier, size = 'sm' }: { tier: Tier; size?: MantineSize }) {
  return (
    <Badge color={TIER_COLORS[tier]} variant={tier === 'full' ? 'light' : 'filled'} autoContrast size={size} miw="max-content" data-tier={tier}>
      {TIER_LABELS[tier]}
    </Badge>
  );
}
