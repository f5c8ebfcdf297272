'use client';

import { Alert, Badge, Card, Code, Group, List, Stack, Table, Text } from '@mantine/core';
import { IconAlertTriangle } from '@tabler/icons-react';

import { describeFaults } from '@/lib/simulator/faults';
import { SIM_OUTCOME_LABELS, SIM_OUTCOMES, type UpstreamCounters } from '@/lib/simulator/stats';
import type { FedTarget } from '@/lib/simulator/impact';
import type { SimulatedUpstreamRow } from '@/lib/simulator/store';
import { TargetLink } from '@/components/ui/target-link';
import { PROTOCOL_LABELS } from '@/lib/simulator/upstreams';
import { FaultsForm } from './faults-form';
import { ResetFaultsButton } from './reset-faults-button';
import { formatUtc } from '@/lib/shared/format';

type Props = {
  upstream: SimulatedUpstreamRow;
  /** The targets whose endpoint is this upstream: what its faults hit. */
  targets: FedTarget[];
  /** This process's counters for the upstream; undefined when it has had no requests, null when no simulator serves here. */
  counters: UpstreamCounters | null | undefined;
  canEdit: boolean;
};

/** One simulated upstream: what it speaks, the faults in force, what it has answered, and (for writers) the controls. */
export function UpstreamCard({ upstream, targets, counters, canEdit }: Props) {
  const faults = describeFaults(upstream.faults);
  const healthy = faults.length === 0;
  return (
    <Card withBorder radius="md" padding="md" data-testid={`simulated-upstream-${upstream.name}`}>
      <Stack gap="sm">
        <Group justify="space-between" align="flex-start" wrap="nowrap">
          <Stack gap={4}>
            <Text ff="monospace" fw={600}>
              {upstream.name}
            </Text>
            <Group gap={6}>
              <Badge color="grape" variant="light">simulated</Badge>
              <Badge color="gray" variant="light">{upstream.protocol ? PROTOCOL_LABELS[upstream.protocol] : 'OpenAI and Anthropic'}</Badge>
            </Group>
          </Stack>
          <Badge color={healthy ? 'green' : upstream.faults.noResponse || upstream.faults.errorRate >= 1 ? 'red' : 'orange'} variant="filled" miw="max-content">
            {healthy ? 'healthy' : `${faults.length} fault${faults.length === 1 ? '' : 's'}`}
          </Badge>
        </Group>

        <Text size="xs" c="dimmed">
          Base URL on this Standby: <Code>/simulated/{upstream.name}/v1</Code>
        </Text>

        <Group gap={6} data-testid="fed-targets">
          <Text size="sm">Feeds:</Text>
          {targets.length === 0 ? (
            <Text size="sm" c="dimmed">no target: its faults reach no service</Text>
          ) : (
            targets.map((t) => (
              <Group key={t.name} gap={4} wrap="nowrap">
                <TargetLink name={t.name} />
                {!t.enabled && <Badge color="gray" variant="light" size="xs">disabled</Badge>}
              </Group>
            ))
          )}
        </Group>

        {!upstream.faultsValid && (
          <Alert color="yellow" variant="light" icon={<IconAlertTriangle size={16} />} p="xs">
            The stored faults do not parse (edited by hand?). It is served without faults until they are saved again.
          </Alert>
        )}

        {healthy ? (
          <Text size="sm">No faults: every request is answered at once.</Text>
        ) : (
          <List size="sm" spacing={2} aria-label={`Faults of ${upstream.name}`}>
            {faults.map((line) => (
              <List.Item key={line}>{line}</List.Item>
            ))}
          </List>
        )}

        <Counters counters={counters} />

        <Group justify="space-between" align="center">
          <Text size="xs" c="dimmed">
            Changed {formatUtc(upstream.updatedAt, 'second')} · version {upstream.version}
          </Text>
          {canEdit && (
            <Group gap={6}>
              {!healthy && <ResetFaultsButton name={upstream.name} version={upstream.version} />}
              <FaultsForm name={upstream.name} version={upstream.version} faults={upstream.faults} />
            </Group>
          )}
        </Group>
      </Stack>
    </Card>
  );
}

function Counters({ counters }: { counters: UpstreamCounters | null | undefined }) {
  if (counters === null) return null;
  if (!counters || counters.requests === 0) {
    return (
      <Text size="xs" c="dimmed">
        No requests on this replica yet.
      </Text>
    );
  }
  const shown = SIM_OUTCOMES.filter((outcome) => counters.outcomes[outcome] > 0);
  return (
    <Table withTableBorder={false} verticalSpacing={2} fz="xs" aria-label="Requests on this replica">
      <Table.Tbody>
        <Table.Tr>
          <Table.Td c="dimmed">Requests on this replica</Table.Td>
          <Table.Td ta="right" fw={600}>{counters.requests.toLocaleString('en-US')}</Table.Td>
        </Table.Tr>
        {shown.map((outcome) => (
          <Table.Tr key={outcome}>
            <Table.Td c="dimmed" pl="md">{SIM_OUTCOME_LABELS[outcome]}</Table.Td>
            <Table.Td ta="right">{counters.outcomes[outcome].toLocaleString('en-US')}</Table.Td>
          </Table.Tr>
        ))}
        {counters.malformedChunks > 0 && (
          <Table.Tr>
            <Table.Td c="dimmed" pl="md">Malformed chunks sent</Table.Td>
            <Table.Td ta="right">{counters.malformedChunks.toLocaleString('en-US')}</Table.Td>
          </Table.Tr>
        )}
        {counters.open > 0 && (
          <Table.Tr>
            <Table.Td c="dimmed" pl="md">Connections open now</Table.Td>
            <Table.Td ta="right">{counters.open.toLocaleString('en-US')}</Table.Td>
          </Table.Tr>
        )}
        {counters.lastRequestAt && (
          <Table.Tr>
            <Table.Td c="dimmed" pl="md">Last request</Table.Td>
            <Table.Td ta="right">{formatUtc(counters.lastRequestAt, 'second')}</Table.Td>
          </Table.Tr>
        )}
      </Table.Tbody>
    </Table>
  );
}
