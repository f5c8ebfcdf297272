import { Badge, Group, Table, Text } from '@mantine/core';
import { EmptyState } from '@/components/ui/empty-state';

import type { TierChangeView } from '@/lib/degradation/data';
import { describeCapacity, formatLevel, TIER_CHANGE_CAUSES } from '@/lib/degradation/describe';
import { TierBadge } from './tier-badge';
import { formatUtc } from '@/lib/shared/format';

const CAUSE_COLORS: Record<string, string> = { automatic: 'blue', override: 'grape', override_cleared: 'gray', override_expired: 'gray' };

/** A service's tier changes, newest first: automatic ones with the D that caused them, manual ones with who and why. */
export function TierTimeline({ changes }: { changes: TierChangeView[] }) {
  if (changes.length === 0) {
    return <EmptyState title="No tier changes yet">This service has stayed in one tier. Automatic changes and operators' overrides will be listed here.</EmptyState>;
  }
  return (
    <Table.ScrollContainer minWidth={760}>
      <Table verticalSpacing="xs" striped aria-label="Tier timeline">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>When (UTC)</Table.Th>
            <Table.Th>Change</Table.Th>
            <Table.Th>Cause</Table.Th>
            <Table.Th>Capacity for demand then</Table.Th>
            <Table.Th>Who and why</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {changes.map((c) => (
            <Table.Tr key={c.id} data-testid="tier-change">
              <Table.Td style={{ whiteSpace: 'nowrap' }}>
                <Text size="sm">{formatUtc(c.at, 'second').replace(' UTC', '')}</Text>
              </Table.Td>
              <Table.Td>
                <Group gap={6} wrap="nowrap">
                  <TierBadge tier={c.from} size="xs" />
                  <Text size="sm" aria-label="to">→</Text>
                  <TierBadge tier={c.to} size="xs" />
                </Group>
              </Table.Td>
              <Table.Td>
                <Badge color={CAUSE_COLORS[c.cause] ?? 'gray'} variant="light" size="sm" tt="none">
                  {TIER_CHANGE_CAUSES[c.cause] ?? c.cause}
                </Badge>
              </Table.Td>
              <Table.Td>
                {c.availableRpm === null ? (
                  <Text size="sm" c="dimmed">—</Text>
                ) : (
                  <>
                    <Text size="sm">{c.level === null ? 'no demand' : `${formatLevel(c.level)} of demand`}</Text>
                    <Text size="xs" c="dimmed">
                      {describeCapacity(c.availableRpm, c.demandRpm ?? 0)}
                    </Text>
                  </>
                )}
              </Table.Td>
              <Table.Td maw={360}>
                <Text size="sm">{c.actor === 'standby' ? 'Standby' : c.actor}</Text>
                {c.reason && <Text size="xs" c="dimmed">“{c.reason}”</Text>}
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
