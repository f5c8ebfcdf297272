'use client';

import { Group, Text } from '@mantine/core';
import type { TierForecast } from '@/lib/degradation/forecast';
import { TierBadge } from './tier-badge';

/** The tier a change would leave a service in, and what it would refuse (lib/degradation/forecast.ts). */
export function TierForecastLine({ forecast }: { forecast: TierForecast }) {
  return (
    <Group gap="xs" wrap="nowrap" align="flex-start" data-testid="tier-forecast">
      <TierBadge tier={forecast.after} />
      <Text size="sm" c={forecast.harmless ? undefined : 'orange.8'}>
        {forecast.summary}
      </Text>
    </Group>
  );
}
