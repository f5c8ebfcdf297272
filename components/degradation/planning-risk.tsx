'use client';

import { Text, Tooltip } from '@mantine/core';
import type { PlanningRisk } from '@/lib/degradation/capacity';
import { describePlanningRisk, formatFraction } from '@/lib/degradation/describe';

const rpm = (n: number) => `${n.toLocaleString('en-US')} RPM`;

/** The planning risk in a line, colour for a shortfall, with the arithmetic on hover. */
export function PlanningRiskText({ risk, size = 'sm' }: { risk: PlanningRisk | null; size?: 'xs' | 'sm' }) {
  if (!risk) {
    return (
      <Text size={size} c="dimmed">
        no planned capacity set
      </Text>
    );
  }
  const short = (risk.worstLoss?.coverage ?? 0) < 1;
  const detail = `Now: ${rpm(risk.availableRpm)} can serve, ${formatFraction(risk.coverage)} of the planned ${rpm(risk.plannedRpm)}.${
    risk.worstLoss ? ` Without ${risk.worstLoss.name}: ${rpm(Math.max(0, risk.worstLoss.remainingRpm))}.` : ''
  } Planning only: live traffic is never refused for planned traffic that is not there.`;
  return (
    <Tooltip label={detail} multiline w={340}>
      <Text size={size} c={short ? 'orange.8' : undefined} tabIndex={0} data-testid="planning-risk">
        {describePlanningRisk(risk)}
      </Text>
    </Tooltip>
  );
}
