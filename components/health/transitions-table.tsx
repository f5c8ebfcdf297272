'use client';

import { memo } from 'react';
import { Group, Table, Text } from '@mantine/core';
import { IconArrowRight } from '@tabler/icons-react';
import type { TransitionRow } from '@/lib/health/data';
import { BreakerBadge } from './breaker-badge';
import { TimeAgo } from './relative-time';
import { TargetLink } from '@/components/ui/target-link';

/** Breaker transitions, newest first, each with its cause. */
export const TransitionsTable = memo(function TransitionsTable({ rows, label }: { rows: TransitionRow[]; label: string }) {
  return (
    <Table.ScrollContainer minWidth={640}>
      <Table verticalSpacing="xs" aria-label={label}>
        <Table.Thead>
          <Table.Tr>
            <Table.Th w={150}>When</Table.Th>
            <Table.Th>Target</Table.Th>
            <Table.Th w={190}>Change</Table.Th>
            <Table.Th>Cause</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {rows.map((row) => (
            <Table.Tr key={row.id}>
              <Table.Td>
                <TimeAgo iso={row.at} />
              </Table.Td>
              <Table.Td>
                <TargetLink name={row.targetName} />
              </Table.Td>
              <Table.Td>
                <Group gap={4} wrap="nowrap" aria-label={`${row.from} to ${row.to}`}>
                  <BreakerBadge state={row.from} size="xs" />
                  <IconArrowRight size={14} aria-hidden />
                  <BreakerBadge state={row.to} size="xs" />
                </Group>
              </Table.Td>
              <Table.Td>
                <Text size="sm">{row.cause}</Text>
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
});
