'use client';

import { memo } from 'react';
import { Badge, Group, Stack, Table, Text } from '@mantine/core';
import { clockUtc } from '@/components/health/format';
import { TimeAgo } from '@/components/health/relative-time';
import { LinkAnchor } from '@/components/ui/link-anchor';
import type { ChangeItem, ChangeKind } from '@/lib/overview/changes';

const KIND_LABELS: Record<ChangeKind, string> = { tier: 'Tier', breaker: 'Breaker', override: 'Override', alert: 'SLO alert', config: 'Config' };

/** The last hour's changes, newest first, each linking to what it changed. */
export const ChangesList = memo(function ChangesList({ items, total }: { items: ChangeItem[]; total: number }) {
  return (
    <Stack gap="xs">
      <Table.ScrollContainer minWidth={720}>
        <Table verticalSpacing="xs" aria-label="Changes in the last hour">
          <Table.Thead>
            <Table.Tr>
              <Table.Th w={120}>When (UTC)</Table.Th>
              <Table.Th w={110}>Kind</Table.Th>
              <Table.Th>What changed</Table.Th>
              <Table.Th w={220}>Go to</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {items.map((item) => (
              <Table.Tr key={item.id} data-testid="overview-change" data-kind={item.kind}>
                <Table.Td>
                  <Text size="sm" ff="monospace">
                    {clockUtc(item.at)}
                  </Text>
                  <TimeAgo iso={item.at} size="xs" c="dimmed" />
                </Table.Td>
                <Table.Td>
                  <Badge color={item.tone} variant="light" size="sm" tt="none" miw="max-content">
                    {KIND_LABELS[item.kind]}
                  </Badge>
                </Table.Td>
                <Table.Td>
                  <Group gap={6} wrap="nowrap">
                    <Text size="sm" fw={500}>
                      {item.title}
                    </Text>
                    {(item.count ?? 1) > 1 && (
                      <Badge size="xs" variant="outline" color="gray" miw="max-content">
                        ×{item.count}
                      </Badge>
                    )}
                  </Group>
                  {item.detail && (
                    <Text size="xs" c="dimmed">
                      {item.detail}
                    </Text>
                  )}
                </Table.Td>
                <Table.Td>
                  <Group gap={8}>
                    {item.links.map((link) => (
                      <LinkAnchor key={link.href} href={link.href} size="sm" ff="monospace">
                        {link.label}
                      </LinkAnchor>
                    ))}
                  </Group>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      <Text size="xs" c="dimmed" data-testid="changes-history">
        {total > items.length ? `${total - items.length} more in the hour are not listed. ` : ''}Full history:{' '}
        <LinkAnchor href="/audit" size="xs">
          audit log
        </LinkAnchor>{' '}
        (configuration, steering and tier overrides),{' '}
        <LinkAnchor href="/health" size="xs">
          Health
        </LinkAnchor>{' '}
        (breaker transitions), and each service&apos;s tier timeline.
      </Text>
    </Stack>
  );
});
