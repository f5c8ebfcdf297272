'use client';

import { LiveDataAlert } from '@/components/ui/live-data-alert';
import { memo } from 'react';
import { Badge, Group, Stack, Table, Text, Title, Tooltip } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import type { HealthOverview as Overview, TargetHealthRow } from '@/lib/health/data';
import type { Verdict } from '@/lib/health/verdict';
import { healthQueries } from '@/lib/health/queries';
import { EmptyState } from '@/components/ui/empty-state';
import { LinkAnchor } from '@/components/ui/link-anchor';
import { BreakerBadge } from './breaker-badge';
import { formatRate, NO_DATA, probeError, rateColor } from './format';
import { TimeAgo, TimeSince } from './relative-time';
import { TransitionsTable } from './transitions-table';
import { UpdatedAgo } from './updated-ago';
import { formatDuration, formatMs } from '@/lib/shared/format';

const VERDICT_COLORS: Record<Verdict['level'], string> = { healthy: 'teal', degraded: 'yellow', unhealthy: 'red', unknown: 'gray' };

/** One word for the target's health, why, and in a tooltip the rule its breaker follows. */
export function VerdictCell({ row }: { row: TargetHealthRow }) {
  return (
    <Stack gap={2} maw={320}>
      <Badge color={VERDICT_COLORS[row.verdict.level]} variant={row.verdict.level === 'unhealthy' ? 'filled' : 'light'} size="sm" w="fit-content" data-health={row.verdict.level}>
        {row.verdict.level}
      </Badge>
      <Text size="xs" c="dimmed" style={{ whiteSpace: 'normal' }}>
        {row.verdict.reason}
      </Text>
    </Stack>
  );
}

/** The breaker, since when, and which signals reach it, with its rule on hover. */
export function BreakerCell({ row }: { row: TargetHealthRow }) {
  const r = row.breakerRule;
  const rule = `Opens after ${r.consecutiveFailures} failures in a row, or when ${Math.round(r.failureRate * 100)}% of the attempts of ${formatDuration(r.windowMs)} fail once there are ${r.minimumRequests}; stays open ${formatDuration(r.openMs)}, then lets trial requests through. Every probe and every traffic attempt counts.`;
  const fed = row.verdict.drivenBy === 'nothing' ? 'nothing reaches it now' : `fed by ${row.verdict.drivenBy}`;
  return (
    <Tooltip label={rule} multiline w={340}>
      <Stack gap={2} tabIndex={0}>
        <Group gap={6} wrap="nowrap">
          <BreakerBadge state={row.breaker.state} />
          {row.breaker.since && <TimeSince iso={row.breaker.since} />}
        </Group>
        <Text size="xs" c="dimmed" data-testid="breaker-signal">
          {fed}
        </Text>
      </Stack>
    </Tooltip>
  );
}

/** The probe that says something about now: paused while open, and one from before the breaker's state marked as such. */
export function ProbeCell({ row }: { row: TargetHealthRow }) {
  const probe = row.lastProbe;
  const counts = row.probes.count > 0 ? `${row.probes.failures} of ${row.probes.count} failed in ${formatDuration(5 * 60_000)}` : `none in ${formatDuration(5 * 60_000)}`;
  if (row.breaker.state === 'open') {
    return (
      <Stack gap={2}>
        <Text size="sm">paused while open</Text>
        <Text size="xs" c="dimmed">
          a trial after {formatDuration(row.breakerRule.openMs)} open decides{probe && row.verdict.probe?.stale ? `; last: ${probe.ok ? 'ok' : 'failed'}, before it opened` : ''}
        </Text>
      </Stack>
    );
  }
  if (!probe) {
    return (
      <Text size="sm" c="dimmed">
        none in 24 h
      </Text>
    );
  }
  return (
    <Stack gap={2}>
      <Group gap={6} wrap="nowrap">
        <Badge color={probe.ok ? 'green' : 'red'} variant="light" size="sm" miw="max-content" data-probe={probe.ok ? 'ok' : 'failed'}>
          {probe.ok ? 'ok' : 'failed'}
        </Badge>
        <TimeAgo iso={probe.at} />
        <Text size="sm" c="dimmed" span>
          {formatMs(probe.latencyMs)}
          {probeError(probe) && ` · ${probeError(probe)}`}
        </Text>
      </Group>
      <Text size="xs" c="dimmed">
        {counts}, one every {formatDuration(row.probes.intervalMs)}
      </Text>
    </Stack>
  );
}

const TargetsTable = memo(function TargetsTable({ rows, windowMinutes }: { rows: TargetHealthRow[]; windowMinutes: number }) {
  return (
    <Table.ScrollContainer minWidth={1040}>
      <Table striped highlightOnHover verticalSpacing="xs" aria-label="Target health">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Target</Table.Th>
            <Table.Th>Health</Table.Th>
            <Table.Th>Breaker</Table.Th>
            <Table.Th>Probe that matters now</Table.Th>
            <Table.Th ta="right">Traffic success ({windowMinutes} min)</Table.Th>
            <Table.Th ta="right">p95 ({windowMinutes} min)</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {rows.map((row) => (
            <Table.Tr key={row.targetId} data-testid="target-health-row" data-target={row.name}>
              <Table.Td>
                <Group gap={6} wrap="nowrap">
                  <LinkAnchor href={`/targets/${encodeURIComponent(row.name)}`} size="sm" ff="monospace">
                    {row.name}
                  </LinkAnchor>
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
                <VerdictCell row={row} />
              </Table.Td>
              <Table.Td>
                <BreakerCell row={row} />
              </Table.Td>
              <Table.Td>
                <ProbeCell row={row} />
              </Table.Td>
              <Table.Td ta="right">
                <Text size="sm" c={rateColor(row.traffic.successRate)} span>
                  {formatRate(row.traffic.successRate)}
                </Text>
                <Text size="xs" c="dimmed">
                  {row.traffic.requests > 0 ? `of ${row.traffic.requests.toLocaleString('en-US')} attempts` : 'no traffic'}
                </Text>
              </Table.Td>
              <Table.Td ta="right">
                <Text size="sm">{row.traffic.p95 == null ? NO_DATA : formatMs(row.traffic.p95)}</Text>
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
  const unhealthy = data.targets.filter((t) => t.verdict.level === 'unhealthy').length;

  return (
    <Stack gap="lg" data-testid="health-overview">
      <Group justify="space-between" wrap="wrap">
        <Group gap="xs" aria-label="Breaker summary">
          <Badge variant="default" size="lg" tt="none">
            {data.targets.length} targets
          </Badge>
          <Badge color={unhealthy ? 'red' : 'gray'} variant={unhealthy ? 'filled' : 'light'} size="lg" tt="none">
            {unhealthy} unhealthy
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
