'use client';

import { Group, Progress, Stack, Text, Tooltip } from '@mantine/core';
import { formatLevel } from '@/lib/degradation/describe';
import type { Tier } from '@/lib/degradation/tier';
import { TIER_COLORS } from './tier-badge';

const rpm = (n: number) => n.toLocaleString('en-US');

/** D as a percentage with a bar, and the available and required RPM it comes from. */
export function LevelText({ level, availableRpm, requiredRpm, tier, evaluated }: { level: number | null; availableRpm: number; requiredRpm: number; tier: Tier; evaluated: boolean }) {
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
    <Stack gap={4} miw={160}>
      <Group gap={8} wrap="nowrap">
        <Text size="sm" fw={600} miw={48} data-testid="degradation-level">
          {level === null ? '—' : formatLevel(level)}
        </Text>
        {level !== null && <Progress value={Math.min(100, level * 100)} color={TIER_COLORS[tier]} w={80} size="sm" aria-hidden />}
      </Group>
      <Text size="xs" c="dimmed">
        {level === null ? `${rpm(availableRpm)} RPM available, nothing required` : `${rpm(availableRpm)} of ${rpm(requiredRpm)} RPM required`}
      </Text>
    </Stack>
  );
}
