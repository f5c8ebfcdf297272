'use client';

import { LiveDataAlert } from '@/components/ui/live-data-alert';
import { memo } from 'react';
import { Badge, Group, Stack, Table, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import type { HealthOverview as Overview, TargetHealthRow } from '@/lib/health/data';
import { healthQueries } from '@/lib/health/queries';
import { EmptyState } from '@/components/ui/empty-state';
import { LinkAnchor } from '@/components/ui/link-anchor';
import { BreakerBadge } from './breaker-badge';
import { formatMs, formatRate, NO_DATA, rateColor } from './format';
import { TimeAgo, TimeSince } from './relative-time';
import { TransitionsTable } from './transitions-table';
import { UpdatedAgo } from './updated-ago';

function LastProbe({ probe }: { probe: TargetHealthRow['lastProbe'] }) {
  if (!probe) {
    return (
      <Text size="sm" c="dimmed">
        none in 24 h
      </Text>
    );
  }
  return (
    <Group gap={6} wrap="nowrap">
      <Badge color={probe.ok ? 'green' : 'red'} variant="light" size="sm" miw="max-content">
        {probe.ok ? 'ok' : 'failed'}
      </Badge>
      <TimeAgo iso={probe.at} />
      <Text size="sm" c="dimmed" span>
        {formatMs(probe.latencyMs)}
        {probe.errorClass && ` · ${probe.errorClass}`}
        {!probe.ok && probe.statusCode != null && ` (${probe.statusCode})`}
      </Text>
    </Group>
  );
}

const TargetsTable = memo(function TargetsTable({ rows, windowMinutes }: { rows: TargetHealthRow[]; windowMinutes: number }) {
  return (
    <Table.ScrollContainer minWidth={860}>
      <Table striped highlightOnHover verticalSpacing="xs" aria-label="Target health">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Target</Table.Th>
            <Table.Th>Breaker</Table.Th>
            <Table.Th>Last probe</Table.Th>
            <Table.Th ta="right">Success ({windowMinutes} min)</Table.Th>
            <Table.Th ta="right">p95 ({windowMinutes} min)</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {rows.map((row) => (
            <Table.Tr key={row.targetId} data-testid="target-health-row">
              <Table.Td>
                <Group gap={6} wrap="nowrap">
                  <Text size="sm" ff="monospace">
                    {row.name}
                  </Text>
                  {!row.enabled && (
                    <Badge color="gray" variant="light" size="xs">
                      disabled
                    </Badge>
                  )}
                </Group>
                <Text size="xs" c="dimmed">
                  {row.provider} · {row.region}
                </Text>
              </Table.Td>
              <Table.Td>
                <Group gap={6} wrap="nowrap">
                  <BreakerBadge state={row.breaker.state} />
                  {row.breaker.since && <TimeSince iso={row.breaker.since} />}
                </Group>
              </Table.Td>
              <Table.Td>
                <LastProbe probe={row.lastProbe} />
              </Table.Td>
              <Table.Td ta="right">
                <Text size="sm" c={rateColor(row.last5m.successRate)} span>
                  {formatRate(row.last5m.successRate)}
                </Text>
                <Text size="xs" c="dimmed">
                  {row.last5m.requests > 0 ? `of ${row.last5m.requests.toLocaleString('en-US')}` : 'no samples'}
                </Text>
              </Table.Td>
              <Table.Td ta="right">
                <Text size="sm">{row.last5m.p95 == null ? NO_DATA : formatMs(row.last5m.p95)}</Text>
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
});

/** The Health page's live body: every target's breaker, last probe and recent success, refreshed every two seconds. */
export function HealthOverview({ initial }: { initial: Overview }) {
  const query = useQuery({ ...healthQueries.overview(), initialData: initial, initialDataUpdatedAt: Date.parse(initial.generatedAt) });
  const { data, error } = query;
  const count = (state: string) => data.targets.filter((t) => t.breaker.state === state).length;
  const open = count('open');
  const halfOpen = count('half_open');

  return (
    <Stack gap="lg" data-testid="health-overview">
      <Group justify="space-between" wrap="wrap">
        <Group gap="xs" aria-label="Breaker summary">
          <Badge variant="default" size="lg" tt="none">
            {data.targets.length} targets
          </Badge>
          <Badge color={open ? 'red' : 'gray'} variant={open ? 'filled' : 'light'} size="lg" tt="none">
            {open} open
          </Badge>
          <Badge color={halfOpen ? 'yellow' : 'gray'} variant={halfOpen ? 'filled' : 'light'} size="lg" tt="none">
            {halfOpen} half-open
          </Badge>
        </Group>
        <UpdatedAgo updatedAt={query.dataUpdatedAt} fetching={query.isFetching} />
      </Group>
      {error && (
        <LiveDataAlert error={error} note="The figures below are from the last successful update." />
      )}

      <section aria-labelledby="health-targets">
        <Title order={3} size="h4" id="health-targets" mb="sm">
          Targets
        </Title>
        {data.targets.length === 0 ? (
          <EmptyState title="No targets yet" action={<LinkAnchor href="/targets" size="sm">Go to Targets</LinkAnchor>}>
            Health appears here once targets exist and the health monitor or the gateway has sampled them.
          </EmptyState>
        ) : (
          <TargetsTable rows={data.targets} windowMinutes={data.windowMinutes} />
        )}
      </section>

      <section aria-labelledby="health-transitions">
        <Title order={3} size="h4" id="health-transitions" mb="sm">
          Recent breaker transitions
        </Title>
        {data.transitions.length === 0 ? (
          <EmptyState title="No breaker transitions yet">Every breaker has stayed closed. When one opens, half-opens or closes, it is listed here with its cause.</EmptyState>
        ) : (
          <TransitionsTable rows={data.transitions} label="Recent breaker transitions" />
        )}
      </section>
    </Stack>
  );
}
