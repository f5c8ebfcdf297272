'use client';

import { Badge, Group, Table, Text, Tooltip } from '@mantine/core';
import { EmptyState } from '@/components/ui/empty-state';
import { LinkAnchor } from '@/components/ui/link-anchor';
import type { RoutingOverviewRow } from '@/lib/failover/data';
import { OverrideList } from './override-list';
import { ModeBadge } from './routing-badges';
import { TargetLink } from '@/components/ui/target-link';

/** Every service with its routing mode, serving target, active overrides and open breakers. */
export function RoutingOverviewTable({ rows }: { rows: RoutingOverviewRow[] }) {
  if (rows.length === 0) {
    return (
      <EmptyState title="No services yet" action={<LinkAnchor href="/services" size="sm">Go to services</LinkAnchor>}>
        Services are the names client applications call. Once one has a failover chain, its routing shows here.
      </EmptyState>
    );
  }
  return (
    <Table.ScrollContainer minWidth={960}>
      <Table striped highlightOnHover verticalSpacing="sm" aria-label="Routing of every service">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Service</Table.Th>
            <Table.Th>Mode</Table.Th>
            <Table.Th>Serving</Table.Th>
            <Table.Th>Active overrides</Table.Th>
            <Table.Th>Open breakers</Table.Th>
            <Table.Th aria-label="Links" />
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {rows.map((row) => (
            <Table.Tr key={row.id}>
              <Table.Td>
                <Group gap={6} wrap="nowrap">
                  <LinkAnchor href={`/services/${encodeURIComponent(row.name)}`} ff="monospace" size="sm">{row.name}</LinkAnchor>
                  {!row.enabled && <Badge size="sm" color="gray" variant="light" tt="none">disabled</Badge>}
                </Group>
                <Text size="xs" c="dimmed">{row.chainLength === 0 ? 'no failover chain' : `${row.chainLength} target${row.chainLength === 1 ? '' : 's'} in chain`}</Text>
              </Table.Td>
              <Table.Td><ModeBadge plan={row.plan} size="sm" /></Table.Td>
              <Table.Td>
                {row.plan.serving ? (
                  <>
                    <TargetLink name={row.plan.serving.name} />
                    {row.plan.lastResort && <Text size="xs" c="red">breaker open: last resort</Text>}
                  </>
                ) : (
                  <Text size="sm" c="red">nothing serves</Text>
                )}
              </Table.Td>
              <Table.Td maw={420}><OverrideList overrides={row.overrides} compact /></Table.Td>
              <Table.Td>
                {row.openBreakers.length === 0 ? (
                  <Text size="sm" c="dimmed">0</Text>
                ) : (
                  <Tooltip label={row.openBreakers.join(', ')}>
                    <Badge color="red" variant="light" tabIndex={0}>{row.openBreakers.length}</Badge>
                  </Tooltip>
                )}
              </Table.Td>
              <Table.Td>
                <LinkAnchor href={`/services/${encodeURIComponent(row.name)}`} size="sm" aria-label={`Open ${row.name}`}>Open</LinkAnchor>
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
