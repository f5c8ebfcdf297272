'use client';

import { Badge, Group, List, Stack, Table, Text, Title, Tooltip } from '@mantine/core';
import { formatDuration, formatUtc } from '@/lib/shared/format';
import { useId } from 'react';
import { ASSUMED_TARGET_AVAILABILITY, MIN_FAILURE_HISTORY_DAYS, type AvailabilitySource } from '@/lib/availability/assumptions';
import type { ChainMemberView, ServiceAvailabilityView } from '@/lib/availability/data';
import { evaluateAvailability } from '@/lib/availability/maths';
import { EmptyState } from '@/components/ui/empty-state';

import { AvailabilityFigures } from './availability-figures';
import { formatAvailability, formatDowntime, formatPerYear, toPercent } from './format';
import { WhatIfEditor, type WhatIfStart } from './what-if-editor';

const SOURCE_COLORS: Record<AvailabilitySource, string> = { measured: 'teal', declared: 'blue', assumed: 'gray' };

const count = (value: number) => value.toLocaleString('en-US');

function sourceHelp(member: ChainMemberView, view: ServiceAvailabilityView): string {
  const sampled = `${count(member.samples)} samples (probes and gateway attempts) in the last ${view.windowDays} days`;
  if (member.source === 'measured') return `Measured: ${count(member.samples - member.failures)} of ${sampled} succeeded.`;
  const tooFew = `Only ${sampled}; at least ${count(view.minSamples)} are needed to trust a measured figure.`;
  if (member.source === 'declared') return `The provider's declared availability, set on the target. ${tooFew}`;
  return `Assumed: no declared availability on the target. ${tooFew} Set one in the target's form.`;
}

function SourceBadge({ member, view }: { member: ChainMemberView; view: ServiceAvailabilityView }) {
  const label = member.source === 'measured' ? `measured · ${count(member.samples)} samples` : member.source;
  return (
    <Tooltip label={sourceHelp(member, view)} multiline w={320}>
      <Badge color={SOURCE_COLORS[member.source]} variant="light" tt="none" tabIndex={0} style={{ cursor: 'help' }}>
        {label}
      </Badge>
    </Tooltip>
  );
}

const seconds = (ms: number) => formatDuration(ms);

/** Where the chain's figures come from, every assumption named as one. */
function HowComputed({ view, addedPerYearMs, alternatives }: { view: ServiceAvailabilityView; addedPerYearMs: number; alternatives: number }) {
  const { detection, failover, failures, standby } = view;
  const perFailureMs = detection.ms + failover.ms;
  return (
    <List size="sm" spacing={6}>
      <List.Item>
        <b>Standby itself</b> in series: {formatAvailability(1 - standby.availability)}{' '}
        <Badge color="gray" variant="light" size="xs" tt="none">
          assumption
        </Badge>{' '}
        <Text span size="xs" c="dimmed">
          (gateway replicas and PostgreSQL; change it in the what-if editor)
        </Text>
      </List.Item>
      <List.Item>
        <b>Failures of the primary</b>
        {failures.primaryName && (
          <>
            {' '}
            (<Text span ff="monospace">{failures.primaryName}</Text>)
          </>
        )}
        : {formatPerYear(failures.perYear)}{' '}
        {failures.source === 'measured' ? (
          <Text span size="xs" c="dimmed">
            (measured: {count(failures.opens)} breaker {failures.opens === 1 ? 'opening' : 'openings'} in {count(failures.historyDays)} days)
          </Text>
        ) : (
          <>
            <Badge color="gray" variant="light" size="xs" tt="none">
              assumption
            </Badge>{' '}
            <Text span size="xs" c="dimmed">
              (about one a month: under {MIN_FAILURE_HISTORY_DAYS} days of breaker history to count from)
            </Text>
          </>
        )}
      </List.Item>
      <List.Item>
        <Tooltip label="T_detect in the recovery-time formula RTO = T_detect + T_assess + T_activate + T_restore." multiline w={300}>
          <b tabIndex={0}>Time to detect</b>
        </Tooltip>{' '}
        = {seconds(detection.ms)}: the breaker opens after {detection.consecutiveFailures} failures in a row, at{' '}
        {Number(detection.requestsPerSecond.toPrecision(3))} requests/s{' '}
        {detection.rateSource === 'measured' ? (
          <Text span size="xs" c="dimmed">
            (measured over the last {detection.rateWindowHours} h)
          </Text>
        ) : (
          <Badge color="gray" variant="light" size="xs" tt="none">
            assumed: no traffic in the last {detection.rateWindowHours} h
          </Badge>
        )}
        , and at most one failure-rate window ({seconds(detection.windowMs)}).
      </List.Item>
      <List.Item>
        <Tooltip label="T_failover: T_assess + T_activate of the recovery-time formula, as the gateway does them for every request." multiline w={300}>
          <b tabIndex={0}>Time to fail over</b>
        </Tooltip>{' '}
        = {seconds(failover.ms)}: a request waits on the failed primary for the worse of one header timeout ({seconds(failover.headerTimeoutMs)}, a primary that stops
        answering) and its retry budget ({failover.maxRetries} {failover.maxRetries === 1 ? 'retry' : 'retries'}, backoffs up to {seconds(failover.backoffMs)} in all, a primary that answers
        with errors).
      </List.Item>
      <List.Item>
        Each failure costs the time to detect plus the time to fail over = <b>{seconds(perFailureMs)}</b>; × {formatPerYear(failures.perYear)} ={' '}
        {formatDowntime(addedPerYearMs)} a year
        {alternatives <= 1 && ' (nothing to fail over to: an outage of the only target is already counted)'}.
      </List.Item>
    </List>
  );
}

/** The what-if editor starts from the service's own chain and assumptions. */
function startOf(view: ServiceAvailabilityView, counted: ChainMemberView[]): WhatIfStart {
  return {
    rows: counted.map((m) => ({ name: m.name, domain: m.domain, availabilityPercent: toPercent(m.availability) })),
    values: {
      standbyPercent: toPercent(view.standby.availability),
      failuresPerYear: Number(view.failures.perYear.toFixed(2)),
      perFailureSeconds: Number(((view.detection.ms + view.failover.ms) / 1000).toFixed(3)),
    },
  };
}

/**
 * A service's availability: each chain target's figure with its failure
 * domain and where the figure came from, the composite of the chain with
 * Standby in series, naive and with detection and failover time, and a
 * what-if editor to try other chains.
 */
export function AvailabilityPanel({ view }: { view: ServiceAvailabilityView }) {
  const headingId = useId();
  const counted = view.members.filter((m) => m.enabled);
  const result = evaluateAvailability({
    members: counted.map((m) => ({ name: m.name, domain: m.domain, availability: m.availability })),
    standbyAvailability: view.standby.availability,
    failuresPerYear: view.failures.perYear,
    perFailureMs: view.detection.ms + view.failover.ms,
  });
  const domainOf = new Map(result.domains.flatMap((d) => d.members.map((name) => [name, d] as const)));

  return (
    <Stack gap="md" data-testid="availability-panel">
      {view.members.length === 0 ? (
        <EmptyState title="No failover chain yet">With no target, this service is never available. Try chains in the what-if editor below.</EmptyState>
      ) : (
        <>
          {counted.length === 0 && (
            <Text size="sm" c="red">
              Every target of this chain is disabled: the service is not available at all.
            </Text>
          )}
          <AvailabilityFigures result={result} testIdPrefix="availability" />

          <Table.ScrollContainer minWidth={760}>
            <Table verticalSpacing="xs" striped aria-labelledby={`${headingId}-targets`}>
              <caption style={{ captionSide: 'top', textAlign: 'left' }}>
                <Title order={4} size="h5" id={`${headingId}-targets`}>
                  Targets of the chain
                </Title>
              </caption>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th w={40}>#</Table.Th>
                  <Table.Th>Target</Table.Th>
                  <Table.Th>Provider / region</Table.Th>
                  <Table.Th>Failure domain</Table.Th>
                  <Table.Th ta="right">Availability ({view.windowDays} d)</Table.Th>
                  <Table.Th>Source</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {view.members.map((member, index) => {
                  const domain = domainOf.get(member.name);
                  const shared = domain && domain.members.length > 1;
                  return (
                    <Table.Tr key={member.targetId} data-testid="availability-target" c={member.enabled ? undefined : 'dimmed'}>
                      {/* Numbered from 1 in chain order, as in every chain table (stored positions may start anywhere). */}
                      <Table.Td>{index + 1}</Table.Td>
                      <Table.Td ff="monospace">{member.name}</Table.Td>
                      <Table.Td>
                        {member.providerName} · {member.regionCode}
                      </Table.Td>
                      <Table.Td>
                        <Group gap={6}>
                          <Text size="sm">{member.domain}</Text>
                          {shared && (
                            <Tooltip label={`Shares a fate with ${domain.members.filter((n) => n !== member.name).join(', ')}: the domain counts once, at ${formatAvailability(domain.unavailability)}.`} multiline w={300}>
                              <Badge color="orange" variant="light" size="xs" tt="none" tabIndex={0}>
                                shared fate
                              </Badge>
                            </Tooltip>
                          )}
                        </Group>
                      </Table.Td>
                      <Table.Td ta="right" ff="monospace">
                        {formatAvailability(1 - member.availability)}
                      </Table.Td>
                      <Table.Td>
                        {member.enabled ? (
                          <SourceBadge member={member} view={view} />
                        ) : (
                          <Badge color="gray" variant="outline" tt="none">
                            disabled: not counted
                          </Badge>
                        )}
                      </Table.Td>
                    </Table.Tr>
                  );
                })}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
          <Text size="xs" c="dimmed">
            A target&apos;s figure is measured (successful samples ÷ samples over {view.windowDays} days) when it has at least {count(view.minSamples)} samples, else the
            availability declared on the target, else an assumed {formatAvailability(1 - ASSUMED_TARGET_AVAILABILITY)}. Computed {formatUtc(view.generatedAt)}.
          </Text>

          <div>
            <Title order={4} size="h5" mb={6}>
              How these figures are computed
            </Title>
            <HowComputed view={view} addedPerYearMs={result.honest.addedPerYearMs} alternatives={counted.length} />
          </div>
        </>
      )}
      <WhatIfEditor start={startOf(view, counted)} />
    </Stack>
  );
}
