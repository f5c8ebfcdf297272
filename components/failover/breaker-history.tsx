'use client';

import { Group, Table, Text } from '@mantine/core';
import { formatUtc } from '@/components/ui/format';
import type { BreakerTransitionView } from '@/lib/failover/data';
import { BreakerBadge } from './routing-badges';

/** The latest breaker transitions of a chain's targets, newest first, with their cause. */
export function BreakerHistory({ transitions }: { transitions: BreakerTransitionView[] }) {
  if (transitions.length === 0) return <Text size="sm" c="dimmed">No breaker has changed state for these targets.</Text>;
  return (
    <Table.ScrollContainer minWidth={720}>
      <Table verticalSpacing={4} aria-label="Breaker history">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>When</Table.Th>
            <Table.Th>Target</Table.Th>
            <Table.Th>Change</Table.Th>
            <Table.Th>Cause</Table.Th>
            <Table.Th>Replica</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {transitions.map((t) => (
            <Table.Tr key={t.id}>
              <Table.Td><Text size="sm" style={{ whiteSpace: 'nowrap' }}>{formatUtc(t.at, 'second')}</Text></Table.Td>
              <Table.Td><Text ff="monospace" size="sm">{t.targetName}</Text></Table.Td>
              <Table.Td>
                <Group gap={4} wrap="nowrap">
                  <BreakerBadge state={t.from} />
                  <Text size="sm">→</Text>
                  <BreakerBadge state={t.to} />
                </Group>
              </Table.Td>
              <Table.Td><Text size="sm">{t.cause}</Text></Table.Td>
              <Table.Td><Text size="xs" c="dimmed" ff="monospace">{t.replica}</Text></Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
