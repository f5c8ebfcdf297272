'use client';

import { LiveDataAlert } from '@/components/ui/live-data-alert';
import { Badge, Card, Group, SimpleGrid, Skeleton, Stack, Table, Text, ThemeIcon, Title } from '@mantine/core';
import { IconBolt, IconPlugConnectedX } from '@tabler/icons-react';
import { useId } from 'react';
import { useQuery } from '@tanstack/react-query';
import type { ServiceLive, TargetLive } from '@/lib/health/data';
import { healthQueries } from '@/lib/health/queries';
import type { WindowSummary } from '@/lib/health/stats';
import { EmptyState } from '@/components/ui/empty-state';

import { BreakerBadge } from './breaker-badge';
import { formatRate, NO_DATA, rateColor } from './format';
import { TimeAgo, TimeSince } from './relative-time';
import { UpdatedAgo } from './updated-ago';
import { TargetLink } from '@/components/ui/target-link';

function chainLabel(target: TargetLive, index: number): string {
  if (target.position === null) return 'Not in the chain (served earlier in the window)';
  return index === 0 ? '1 · primary' : `${index + 1} · fallback`;
}

function MetricRow({ label, last1m, last15m }: { label: string; last1m: React.ReactNode; last15m: React.ReactNode }) {
  return (
    <Table.Tr>
      <Table.Th fw={400} c="dimmed" fz="xs" scope="row" style={{ whiteSpace: 'nowrap' }}>
        {label}
      </Table.Th>
      <Table.Td ta="right" style={{ whiteSpace: 'nowrap' }}>
        {last1m}
      </Table.Td>
      <Table.Td ta="right" style={{ whiteSpace: 'nowrap' }}>
        {last15m}
      </Table.Td>
    </Table.Tr>
  );
}

const rate = (summary: WindowSummary) => (
  <Text span fz="sm" c={rateColor(summary.successRate)} fw={summary.successRate != null && summary.successRate < 0.95 ? 600 : undefined}>
    {formatRate(summary.successRate)}
  </Text>
);
const ms = (value: number | null) => (value == null ? NO_DATA : Math.round(value).toLocaleString('en-US'));
const pair = (a: number | null, b: number | null) => (a == null && b == null ? NO_DATA : `${ms(a)} / ${ms(b)}`);

function TargetCard({ target, index, serving, windowMinutes }: { target: TargetLive; index: number; serving: boolean; windowMinutes: number }) {
  const { breaker, last1m, last15m } = target;
  const errors = Object.entries(last15m.errorsByClass).sort((a, b) => b[1] - a[1]);
  return (
    <Card withBorder radius="md" padding="md" data-testid="target-card" aria-label={`Target ${target.name}`} style={serving ? { borderColor: 'var(--mantine-color-teal-6)' } : undefined}>
      <Group justify="space-between" align="flex-start" wrap="nowrap" mb="xs">
        <Stack gap={0} miw={0}>
          <Text fw={600} size="sm" truncate="end">
            <TargetLink name={target.name} />
          </Text>
          <Text size="xs" c="dimmed">
            {chainLabel(target, index)}
          </Text>
        </Stack>
        {serving && (
          <Badge color="teal" variant="filled" leftSection={<IconBolt size={12} />} miw="max-content">
            Serving
          </Badge>
        )}
      </Group>
      <Group gap={6} mb="xs" wrap="nowrap">
        <Text size="xs" c="dimmed">
          Breaker
        </Text>
        <BreakerBadge state={breaker.state} />
        {breaker.since ? (
          <TimeSince iso={breaker.since} />
        ) : (
          <Text size="xs" c="dimmed">
            never tripped
          </Text>
        )}
      </Group>
      <Table fz="sm" verticalSpacing={2} horizontalSpacing={4} withRowBorders={false} aria-label={`${target.name} metrics`}>
        <Table.Thead>
          <Table.Tr>
            <Table.Th />
            <Table.Th ta="right" fz="xs" c="dimmed" fw={500}>
              Last 1 min
            </Table.Th>
            <Table.Th ta="right" fz="xs" c="dimmed" fw={500}>
              Last {windowMinutes} min
            </Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          <MetricRow label="Attempts" last1m={last1m.requests.toLocaleString('en-US')} last15m={last15m.requests.toLocaleString('en-US')} />
          <MetricRow label="Success" last1m={rate(last1m)} last15m={rate(last15m)} />
          <MetricRow label="Latency p50 / p95 (ms)" last1m={pair(last1m.p50, last1m.p95)} last15m={pair(last15m.p50, last15m.p95)} />
          <MetricRow label="TTFT p50 / p95 (ms)" last1m={pair(last1m.ttftP50, last1m.ttftP95)} last15m={pair(last15m.ttftP50, last15m.ttftP95)} />
        </Table.Tbody>
      </Table>
      {errors.length > 0 && (
        <Group gap={4} mt="xs" aria-label={`Errors in the last ${windowMinutes} minutes`}>
          {errors.map(([errorClass, count]) => (
            <Badge key={errorClass} color="red" variant="light" size="xs" tt="none">
              {errorClass} × {count}
            </Badge>
          ))}
        </Group>
      )}
    </Card>
  );
}

function ServingNow({ live }: { live: ServiceLive }) {
  const serving = live.perTarget.find((t) => t.targetId === live.servingTargetId);
  if (!serving || !live.lastServedAt) {
    return (
      <Group gap="xs" data-testid="serving-now">
        <ThemeIcon color="gray" variant="light" radius="xl" size="md">
          <IconPlugConnectedX size={16} />
        </ThemeIcon>
        <Text size="sm">No target has answered this service in the last {live.windowMinutes} minutes.</Text>
      </Group>
    );
  }
  return (
    <Group gap="xs" data-testid="serving-now">
      <ThemeIcon color="teal" variant="filled" radius="xl" size="md">
        <IconBolt size={16} />
      </ThemeIcon>
      <Text size="sm">
        Serving now:{' '}
        <Text span fw={700}>
          <TargetLink name={serving.name} />
        </Text>
        {serving.position !== null && serving.position !== live.perTarget[0]?.position && (
          <Text span c="yellow.7" fw={600}>
            {' '}
            (failed over from {live.perTarget[0]?.name})
          </Text>
        )}
      </Text>
      <Text size="xs" c="dimmed">
        last answer <TimeAgo iso={live.lastServedAt} size="xs" c="dimmed" />
      </Text>
    </Group>
  );
}

function PanelSkeleton() {
  return (
    <Stack gap="md" aria-busy="true" aria-label="Loading live data">
      <Skeleton height={28} width={360} />
      <SimpleGrid cols={{ base: 1, sm: 2, lg: 3 }}>
        {[0, 1, 2].map((i) => (
          <Skeleton key={i} height={190} radius="md" />
        ))}
      </SimpleGrid>
    </Stack>
  );
}

/**
 * Live health of one service, refreshed every two seconds: which target is
 * answering now, and a card per chain target (breaker, success rate, latency
 * and TTFT over the last minute and the window). The routing and its overrides,
 * the traffic charts and the breaker transitions have their own sections of the
 * service page. `initial` is a server-rendered first paint from getServiceLive.
 */
export function ServiceLivePanel({ serviceName, initial }: { serviceName: string; initial?: ServiceLive }) {
  const query = useQuery({
    ...healthQueries.serviceLive(serviceName),
    initialData: initial,
    initialDataUpdatedAt: initial ? Date.parse(initial.generatedAt) : undefined,
  });
  const { data: live, error } = query;
  const headingId = useId();
  const failure = error && (
    <LiveDataAlert error={error} note={live && !error.isFinal && 'Showing the last data received.'} />
  );

  if (!live) {
    return <Stack data-testid="service-live-panel">{failure ?? <PanelSkeleton />}</Stack>;
  }

  return (
    <Stack gap="lg" data-testid="service-live-panel">
      <Group justify="space-between" align="center" wrap="wrap">
        <ServingNow live={live} />
        <UpdatedAgo updatedAt={query.dataUpdatedAt} fetching={query.isFetching} />
      </Group>
      {failure}

      <section aria-labelledby={`${headingId}-targets`}>
        <Title order={3} size="h4" id={`${headingId}-targets`} mb="sm">
          Each target, now
        </Title>
        {live.perTarget.length === 0 ? (
          <EmptyState title="No failover chain yet">This service has no targets, so the gateway cannot route it.</EmptyState>
        ) : (
          <SimpleGrid cols={{ base: 1, sm: 2, lg: 3 }} spacing="md">
            {live.perTarget.map((target, index) => (
              <TargetCard key={target.targetId} target={target} index={index} serving={target.targetId === live.servingTargetId} windowMinutes={live.windowMinutes} />
            ))}
          </SimpleGrid>
        )}
      </section>
    </Stack>
  );
}
