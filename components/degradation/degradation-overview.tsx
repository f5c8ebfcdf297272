'use client';

import { LiveDataAlert } from '@/components/ui/live-data-alert';
import { memo } from 'react';
import { Badge, Group, Stack, Table, Text, Tooltip } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { TimeSince } from '@/components/health/relative-time';
import { UpdatedAgo } from '@/components/health/updated-ago';
import { EmptyState } from '@/components/ui/empty-state';

import { LinkAnchor } from '@/components/ui/link-anchor';
import type { DegradationOverview as Overview, ServiceTierRow } from '@/lib/degradation/data';
import { degradationQueries } from '@/lib/degradation/queries';
import { TIER_LABELS } from '@/lib/routing/tier';
import { TIERS } from '@/lib/routing/enums';
import { LevelText } from './level-text';
import { PlanningRiskText } from './planning-risk';
import { TIER_COLORS, TierBadge } from './tier-badge';
import { formatUtc } from '@/lib/shared/format';

function Mode({ row }: { row: ServiceTierRow }) {
  if (!row.override) {
    return (
      <Stack gap={2}>
        <Text size="sm">Automatic</Text>
        {row.pendingTier && (
          <Text size="xs" c="dimmed">
            back to {TIER_LABELS[row.pendingTier]} once capacity has held
          </Text>
        )}
      </Stack>
    );
  }
  return (
    <Stack gap={2} maw={360}>
      <Group gap={6} wrap="nowrap">
        <Badge color="grape" variant="light" size="sm" tt="none">
          Override
        </Badge>
        <Text size="xs" c="dimmed">
          automatic would be {TIER_LABELS[row.automaticTier]}
        </Text>
      </Group>
      <Text size="sm">“{row.override.reason}”</Text>
      <Text size="xs" c="dimmed">
        {row.override.by} · {row.override.expiresAt ? `until ${formatUtc(row.override.expiresAt)}` : 'until cleared'}
      </Text>
    </Stack>
  );
}

/** What the service's requests get now: all served, or the share that fits and the overflow's tier. */
function Shedding({ row }: { row: ServiceTierRow }) {
  if (row.override) return <Text size="sm">every request: {TIER_LABELS[row.tier]} (override)</Text>;
  if (row.tier === 'emergency') return <Text size="sm" c="red.8">every request: no target can serve</Text>;
  if (row.tier === 'full' || row.servedShare >= 1) return <Text size="sm">nothing: every request is served</Text>;
  const shed = 100 - Math.round(row.servedShare * 100);
  return (
    <Text size="sm" c="orange.8">
      {shed}% of requests (about {row.overflowRpm.toLocaleString('en-US')} RPM beyond capacity) get {TIER_LABELS[row.tier]}
    </Text>
  );
}

const TiersTable = memo(function TiersTable({ rows }: { rows: ServiceTierRow[] }) {
  return (
    <Table.ScrollContainer minWidth={1000}>
      <Table striped highlightOnHover verticalSpacing="sm" aria-label="Degradation tier of every service">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Service</Table.Th>
            <Table.Th>Tier</Table.Th>
            <Table.Th>
              <Tooltip label="D: the capacity (RPM) of the targets that can take traffic now, over the requests per minute really arriving." multiline w={280}>
                <span tabIndex={0}>Capacity for demand</span>
              </Tooltip>
            </Table.Th>
            <Table.Th>Refused or degraded now</Table.Th>
            <Table.Th>Planned capacity</Table.Th>
            <Table.Th>Set by</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {rows.map((row) => (
            <Table.Tr key={row.serviceId} data-testid="degradation-row" data-service={row.serviceName}>
              <Table.Td>
                <Group gap={6} wrap="nowrap">
                  <LinkAnchor href={`/services/${encodeURIComponent(row.serviceName)}`} ff="monospace" size="sm">
                    {row.serviceName}
                  </LinkAnchor>
                  {!row.enabled && (
                    <Badge size="sm" color="gray" variant="light" tt="none">
                      disabled
                    </Badge>
                  )}
                </Group>
              </Table.Td>
              <Table.Td>
                <Stack gap={2}>
                  <TierBadge tier={row.tier} />
                  {row.since && <TimeSince iso={row.since} />}
                </Stack>
              </Table.Td>
              <Table.Td>
                <LevelText level={row.level} availableRpm={row.availableRpm} demandRpm={row.demandRpm} tier={row.automaticTier} evaluated={row.evaluatedAt !== null} />
              </Table.Td>
              <Table.Td maw={260}>
                <Shedding row={row} />
              </Table.Td>
              <Table.Td maw={300}>
                <PlanningRiskText risk={row.planning} />
              </Table.Td>
              <Table.Td>
                <Mode row={row} />
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
});

/** The Degradation page's live body: every service's tier, D and override, refreshed every two seconds. */
export function DegradationOverview({ initial }: { initial: Overview }) {
  const query = useQuery({ ...degradationQueries.overview(), initialData: initial, initialDataUpdatedAt: Date.parse(initial.generatedAt) });
  const { data, error } = query;
  const count = (tier: (typeof TIERS)[number]) => data.services.filter((s) => s.tier === tier).length;

  return (
    <Stack gap="lg" data-testid="degradation-overview">
      <Group justify="space-between" wrap="wrap">
        <Group gap="xs" aria-label="Services per tier">
          {TIERS.map((tier) => {
            const n = count(tier);
            return (
              <Badge key={tier} color={n ? TIER_COLORS[tier] : 'gray'} variant={n && tier !== 'full' ? 'filled' : 'light'} autoContrast size="lg" tt="none">
                {n} {TIER_LABELS[tier]}
              </Badge>
            );
          })}
        </Group>
        <UpdatedAgo updatedAt={query.dataUpdatedAt} fetching={query.isFetching} />
      </Group>
      {error && (
        <LiveDataAlert error={error} note="The figures below are from the last successful update." />
      )}
      {data.services.length === 0 ? (
        <EmptyState title="No services yet" action={<LinkAnchor href="/services" size="sm">Go to services</LinkAnchor>}>
          Services are the names client applications call. Once one exists, its degradation tier shows here.
        </EmptyState>
      ) : (
        <TiersTable rows={data.services} />
      )}
    </Stack>
  );
}
