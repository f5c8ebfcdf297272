import { Group, Stack, Text } from '@mantine/core';

import type { OverrideView } from '@/lib/failover/data';
import { OverrideBadge } from './routing-badges';
import { formatUtc } from '@/lib/shared/format';

function what(override: OverrideView): string {
  switch (override.kind) {
    case 'pin':
      return `to ${override.targetName ?? 'a target'}`;
    case 'force_failover':
      return override.targetName ? `away from ${override.targetName}` : 'away from the serving target';
    case 'drain':
      return `${override.targetName ?? 'a target'} (every service)`;
  }
}

/** Active overrides with who set them, why, and until when. */
export function OverrideList({ overrides, compact = false }: { overrides: OverrideView[]; compact?: boolean }) {
  if (overrides.length === 0) return <Text size="sm" c="dimmed">None</Text>;
  return (
    <Stack gap={compact ? 6 : 'xs'} component="ul" style={{ listStyle: 'none', margin: 0, padding: 0 }} aria-label="Active overrides">
      {overrides.map((override) => (
        <li key={override.id}>
          <Group gap={6} wrap="nowrap" align="baseline">
            <OverrideBadge kind={override.kind} />
            <Text size="sm" fw={500}>{what(override)}</Text>
          </Group>
          <Text size="sm">“{override.reason}”</Text>
          <Text size="xs" c="dimmed">
            {override.createdBy} · since {formatUtc(override.createdAt)} · {override.expiresAt ? `until ${formatUtc(override.expiresAt)}` : 'until cleared'}
          </Text>
        </li>
      ))}
    </Stack>
  );
}
