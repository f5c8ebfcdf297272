'use client';

import { LiveDataAlert } from '@/components/ui/live-data-alert';
import { Badge, Group, SimpleGrid, Stack, Table, Text, Title } from '@mantine/core';
import { IconCircleCheck } from '@tabler/icons-react';
import { useQuery } from '@tanstack/react-query';
import { BreakerBadge } from '@/components/health/breaker-badge';
import { TimeSince } from '@/components/health/relative-time';
import { UpdatedAgo } from '@/components/health/updated-ago';
import { EmptyState } from '@/components/ui/empty-state';
import { StatTile } from '@/components/ui/stat-tile';
import { LinkAnchor } from '@/components/ui/link-anchor';
import type { Overview } from '@/lib/overview/data';
import { overviewQueries } from '@/lib/overview/queries';
import { ChangesList } from './changes-list';
import { OverviewServicesTable } from './services-table';
import { TargetLink } from '@/components/ui/target-link';

function Tiles({ overview }: { overview: Overview }) {
  const { summary, services } = overview;
  return (
    <SimpleGrid cols={{ base: 1, xs: 2, lg: 5 }} spacing="sm">
      <StatTile
        label="Services in trouble"
        testId="summary-trouble"
        value={`${summary.servicesInTrouble} / ${services.length}`}
        color={summary.critical > 0 ? 'red' : summary.servicesInTrouble > 0 ? 'yellow' : 'teal'}
        hint={summary.critical > 0 ? `${summary.critical} critical` : summary.servicesInTrouble > 0 ? 'warnings only' : 'all healthy'}
      />
      <StatTile
        label="Burn-rate alerts"
        testId="summary-alerts"
        value={`${summary.pages} page${summary.pages === 1 ? '' : 's'}`}
        color={summary.pages > 0 ? 'red' : summary.tickets > 0 ? 'orange' : 'teal'}
        hint={`${summary.tickets} ticket${summary.tickets === 1 ? '' : 's'}`}
      />
      <StatTile
        label="Breakers"
        testId="summary-breakers"
        value={`${summary.breakersOpen} open`}
        color={summary.breakersOpen > 0 ? 'red' : summary.breakersHalfOpen > 0 ? 'yellow' : 'teal'}
        hint={`${summary.breakersHalfOpen} half-open`}
      />
      <StatTile
        label="Below Full tier"
        testId="summary-tiers"
        value={summary.notFull}
        color={summary.notFull > 0 ? 'orange' : 'teal'}
        hint={summary.notFull > 0 ? 'degraded, minimal or emergency' : 'every service at Full'}
      />
      <RecoveryTile recovery={overview.recovery} />
    </SimpleGrid>
  );
}

/** Breached recovery objectives over the last 90 days, linking to the grid. */
function RecoveryTile({ recovery }: { recovery: Overview['recovery'] }) {
  return (
    <StatTile
      label="Recovery objectives"
      testId="summary-recovery"
      value={
        <LinkAnchor href="/recovery" c="inherit" underline="hover" inherit>
          {recovery ? `${recovery.breached} breached` : '—'}
        </LinkAnchor>
      }
      color={!recovery ? undefined : recovery.critical > 0 ? 'red' : recovery.breached > 0 ? 'orange' : 'teal'}
      hint={!recovery ? 'not judged yet' : `of ${recovery.cells} in the last 90 days${recovery.atRisk ? `, ${recovery.atRisk} at risk by design` : ''}`}
    />
  );
}

function Breakers({ breakers }: { breakers: Overview['breakers'] }) {
  if (breakers.length === 0) {
    return (
      <Group gap="xs">
        <IconCircleCheck size={18} color="var(--mantine-color-teal-filled)" aria-hidden />
        <Text size="sm" c="dimmed">
          Every circuit breaker is closed.
        </Text>
      </Group>
    );
  }
  return (
    <Table.ScrollContainer minWidth={640}>
      <Table verticalSpacing="xs" aria-label="Breakers not closed">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Target</Table.Th>
            <Table.Th>Breaker</Table.Th>
            <Table.Th>Used by</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {breakers.map((b) => (
            <Table.Tr key={b.targetId} data-testid="overview-breaker">
              <Table.Td>
                <TargetLink name={b.name} />
                <Text size="xs" c="dimmed">
                  {b.providerName} · {b.regionCode}
                </Text>
              </Table.Td>
              <Table.Td>
                <Group gap={6} wrap="nowrap">
                  <BreakerBadge state={b.state} />
                  <TimeSince iso={b.since} />
                </Group>
              </Table.Td>
              <Table.Td>
                {b.services.length === 0 ? (
                  <Text size="sm" c="dimmed">
                    no service
                  </Text>
                ) : (
                  <Group gap={8}>
                    {b.services.map((name) => (
                      <LinkAnchor key={name} href={`/services/${encodeURIComponent(name)}`} size="sm" ff="monospace">
                        {name}
                      </LinkAnchor>
                    ))}
                  </Group>
                )}
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

/** One line for the estate Standby protects, with the way to each list. */
function EstateLine({ estate }: { estate: Overview['estate'] }) {
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  return (
    <Text size="sm" c="dimmed" data-testid="estate-line">
      Estate: <LinkAnchor href="/services" size="sm">{plural(estate.services, 'service')}</LinkAnchor> ·{' '}
      <LinkAnchor href="/targets" size="sm">{`${estate.enabledTargets} of ${plural(estate.targets, 'target')} enabled`}</LinkAnchor> ·{' '}
      <LinkAnchor href="/providers" size="sm">{plural(estate.providers, 'provider')}</LinkAnchor> ·{' '}
      <LinkAnchor href="/regions" size="sm">{plural(estate.regions, 'region')}</LinkAnchor>
    </Text>
  );
}

/**
 * The Overview's live body, refreshed every five seconds: summary tiles, every
 * service trouble first, breakers not closed, and the last hour's changes.
 * `initial` is the server-rendered first paint from getOverview.
 */
export function OverviewBoard({ initial }: { initial: Overview }) {
  const query = useQuery({ ...overviewQueries.overview(), initialData: initial, initialDataUpdatedAt: Date.parse(initial.generatedAt) });
  const { data, error } = query;

  return (
    <Stack gap="lg" data-testid="overview-board">
      <Group justify="space-between" wrap="wrap">
        <EstateLine estate={data.estate} />
        <UpdatedAgo updatedAt={query.dataUpdatedAt} fetching={query.isFetching} />
      </Group>
      {error && (
        <LiveDataAlert error={error} note="The figures below are from the last successful update." />
      )}

      {data.services.length === 0 ? (
        <EmptyState title="No services yet" action={<LinkAnchor href="/services" size="sm">Create a service</LinkAnchor>}>
          A service is the name client applications call through the gateway. Create one, give it a failover chain of targets, and this page shows its tier, what serves it, its SLO and burn rate.
        </EmptyState>
      ) : (
        <>
          <Tiles overview={data} />
          <section aria-labelledby="overview-services">
            <Group justify="space-between" align="baseline" mb="sm">
              <Title order={3} size="h4" id="overview-services">
                Services
              </Title>
              <Text size="xs" c="dimmed">
                Trouble first. Attainment and budget over each service&apos;s SLO window; burn-rate alerts as judged now.
              </Text>
            </Group>
            <OverviewServicesTable services={data.services} />
          </section>
        </>
      )}

      <section aria-labelledby="overview-breakers">
        <Group gap="xs" mb="sm">
          <Title order={3} size="h4" id="overview-breakers">
            Breakers not closed
          </Title>
          {data.breakers.length > 0 && (
            <Badge color="red" variant="light" size="sm">
              {data.breakers.length}
            </Badge>
          )}
        </Group>
        <Breakers breakers={data.breakers} />
      </section>

      <section aria-labelledby="overview-changes">
        <Title order={3} size="h4" id="overview-changes" mb="sm">
          What changed in the last hour
        </Title>
        {data.changes.length === 0 ? (
          <Text size="sm" c="dimmed" data-testid="no-changes">
            Nothing changed in the last hour: no tier change, breaker transition, override, burn-rate alert or configuration change.
          </Text>
        ) : (
          <ChangesList items={data.changes} total={data.changesTotal} />
        )}
      </section>
    </Stack>
  );
}
