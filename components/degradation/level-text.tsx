'use client';

import { Group, Progress, Stack, Text, Tooltip } from '@mantine/core';
import { describeCapacity, formatLevel, levelFormula } from '@/lib/degradation/describe';
import type { Tier } from '@/lib/routing/enums';
import { TIER_COLORS } from './tier-badge';

/** D as a percentage with a bar, and the capacity and demand it comes from; the formula on hover. */
export function LevelText({ level, availableRpm, demandRpm, tier, evaluated }: { level: number | null; availableRpm: number; demandRpm: number; tier: Tier; evaluated: boolean }) {
  if (!evaluated) {
    return (
      <Tooltip label="The health monitor's leader evaluates every service every two seconds; none has run since this service was created." multiline w={280}>
        <Text size="sm" c="dimmed" tabIndex={0}>
          not evaluated yet
        </Text>
      </Tooltip>
    );
  }
  return (
    <Tooltip label={`${levelFormula(availableRpm, demandRpm)}. Demand is the busier of the last complete minute and the average of the last 5.`} multiline w={320}>
      <Stack gap={4} miw={160} tabIndex={0}>
        <Group gap={8} wrap="nowrap">
          <Text size="sm" fw={600} miw={48} data-testid="degradation-level">
            {level === null ? 'no demand' : `${formatLevel(level)} of demand`}
          </Text>
          {level !== null && <Progress value={Math.min(100, level * 100)} color={TIER_COLORS[tier]} w={80} size="sm" aria-hidden />}
        </Group>
        <Text size="xs" c="dimmed">
          {describeCapacity(availableRpm, demandRpm)}
        </Text>
      </Stack>
    </Tooltip>
  );
}
