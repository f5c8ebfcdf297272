'use client';

import { Badge, Group, List, Table, Text, Tooltip } from '@mantine/core';
import type { ChainEntryView } from '@/lib/failover/data';
import type { PlanSummary } from '@/lib/routing/plan';
import { DEFAULT_FAILOVER_ON } from '@/lib/failover/schemas';
import { describeErrorClass } from '@/lib/routing/error-classes';
import { formatRpm } from './format';
import { BreakerBadge } from './routing-badges';
import { TargetLink } from '@/components/ui/target-link';
import { formatDuration } from '@/lib/shared/format';

const isDefaultSet = (classes: string[]) => classes.length === DEFAULT_FAILOVER_ON.length && DEFAULT_FAILOVER_ON.every((c) => classes.includes(c));

function Triggers({ entry }: { entry: ChainEntryView }) {
  const summary = entry.failoverOn.length === 0 ? 'No error class' : isDefaultSet(entry.failoverOn) ? 'Provider errors (default)' : `${entry.failoverOn.length} error classes`;
  return (
    <div>
      <Tooltip
        multiline
        w={320}
        label={
          entry.failoverOn.length ? (
            <List size="xs">{entry.failoverOn.map((c) => <List.Item key={c}>{describeErrorClass(c)}</List.Item>)}</List>
          ) : (
            'Errors never move traffic on from this target.'
          )
        }
      >
        <Text size="sm" td="underline" style={{ textDecorationStyle: 'dotted', cursor: 'help' }} tabIndex={0}>
          {summary}
        </Text>
      </Tooltip>
      {entry.latencyLimitMs !== null && <Text size="xs" c="dimmed">or slower than {formatDuration(entry.latencyLimitMs)}</Text>}
    </div>
  );
}

const STATUS: Partial<Record<PlanSummary['skipped'][number]['reason'], string>> = {
  disabled: 'disabled', drained: 'drained', breaker_open: 'skipped: breaker open', forced_away: 'forced away', not_pinned: 'not pinned',
};

/** The failover chain in order, with each target's breaker, what moves traffic on, retries and timeouts. */
export function ChainTable({ chain, plan }: { chain: ChainEntryView[]; plan: PlanSummary }) {
  const skipped = new Map(plan.skipped.map((s) => [s.targetId, s.reason]));
  return (
    <Table.ScrollContainer minWidth={1100}>
      <Table verticalSpacing="xs" aria-label="Failover chain" striped>
        <Table.Thead>
          <Table.Tr>
            <Table.Th w={40}>#</Table.Th>
            <Table.Th>Target</Table.Th>
            <Table.Th>Provider / region</Table.Th>
            <Table.Th>Model</Table.Th>
            <Table.Th>Breaker</Table.Th>
            <Table.Th>Fails over on</Table.Th>
            <Table.Th>Retries</Table.Th>
            <Table.Th>Timeouts</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {chain.map((entry, index) => {
            const reason = skipped.get(entry.targetId);
            const serving = plan.serving?.targetId === entry.targetId;
            return (
              <Table.Tr key={entry.targetId}>
                <Table.Td>{index + 1}</Table.Td>
                <Table.Td>
                  <Group gap={6} wrap="nowrap">
                    <TargetLink name={entry.targetName} c={reason ? 'dimmed' : undefined} />
                    {serving && <Badge size="sm" color="green" variant="filled" miw="max-content" tt="none">serving</Badge>}
                    {reason && STATUS[reason] && <Badge size="sm" color="gray" variant="light" miw="max-content" tt="none">{STATUS[reason]}</Badge>}
                  </Group>
                  <Text size="xs" c="dimmed">{formatRpm(entry.rpm)}</Text>
                </Table.Td>
                <Table.Td>
                  <Text size="sm">{entry.providerName}</Text>
                  <Text size="xs" c="dimmed" ff="monospace">{entry.regionCode}</Text>
                </Table.Td>
                <Table.Td><Text size="sm">{entry.model}</Text></Table.Td>
                <Table.Td><BreakerBadge state={entry.breaker.state} /></Table.Td>
                <Table.Td><Triggers entry={entry} /></Table.Td>
                <Table.Td>
                  <Text size="sm">{entry.maxRetries === 0 ? 'none' : `up to ${entry.maxRetries}`}</Text>
                  <Text size="xs" c="dimmed" style={{ whiteSpace: 'nowrap' }}>backoff {formatDuration(entry.baseBackoffMs)}–{formatDuration(entry.maxBackoffMs)}</Text>
                </Table.Td>
                <Table.Td>
                  <Text size="xs" style={{ whiteSpace: 'nowrap' }}>connect {formatDuration(entry.connectTimeoutMs)} · headers {formatDuration(entry.headerTimeoutMs)}</Text>
                  <Text size="xs" style={{ whiteSpace: 'nowrap' }}>first token {formatDuration(entry.firstTokenTimeoutMs)} · stream idle {formatDuration(entry.streamIdleTimeoutMs)}</Text>
                  <Text size="xs" style={{ whiteSpace: 'nowrap' }}>total {formatDuration(entry.totalTimeoutMs)}</Text>
                  {entry.adaptiveLimitMultiplier !== null && (
                    <Text size="xs" c="dimmed" maw={280} data-testid="limits-in-force">
                      {entry.limitsInForce.firstToken}. {entry.limitsInForce.header}.
                    </Text>
                  )}
                </Table.Td>
              </Table.Tr>
            );
          })}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
