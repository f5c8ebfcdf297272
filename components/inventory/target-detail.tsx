'use client';

import { Badge, Card, Group, SimpleGrid, Stack, Table, Text, Title } from '@mantine/core';
import { BreakerCell, ProbeCell, VerdictCell } from '@/components/health/health-overview';
import { formatRate, NO_DATA, probeError, rateColor } from '@/components/health/format';
import { TimeAgo } from '@/components/health/relative-time';
import { TransitionsTable } from '@/components/health/transitions-table';
import { EmptyState } from '@/components/ui/empty-state';

import { LinkAnchor } from '@/components/ui/link-anchor';
import type { TargetChainUse, TargetDetail } from '@/lib/inventory/target-detail';
import { SKIP_REASON_LABELS } from '@/lib/routing/plan';
import { formatDuration, formatMs, formatUtc } from '@/lib/shared/format';

const ROLE_LOOK: Record<TargetChainUse['role'], { label: string; color: string }> = {
  serving: { label: 'serving', color: 'teal' },
  fallback: { label: 'fallback', color: 'blue' },
  ...Object.fromEntries(Object.entries(SKIP_REASON_LABELS).map(([reason, label]) => [reason, { label: `skipped: ${label}`, color: 'gray' }])),
} as Record<TargetChainUse['role'], { label: string; color: string }>;

const STEERING_LABELS = { force_failover: 'Forced failover away', pin: 'Pinned', drain: 'Drained' } as const;

const usd = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD', minimumFractionDigits: 2, maximumFractionDigits: 4 });

function Section({ id, title, children }: { id: string; title: string; children: React.ReactNode }) {
  return (
    <Card withBorder radius="md" padding="lg" component="section" aria-labelledby={id}>
      <Title order={3} size="h4" id={id} mb="sm">
        {title}
      </Title>
      {children}
    </Card>
  );
}

function Fact({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <Stack gap={2}>
      <Text size="xs" c="dimmed">
        {label}
      </Text>
      <Text size="sm" component="div">
        {children}
      </Text>
    </Stack>
  );
}

/** The target page's body: health now, the chains it is in, its settings and its history. */
export function TargetDetailView({ detail }: { detail: TargetDetail }) {
  const { target, health, chains, probes, transitions, steering, changes } = detail;
  return (
    <Stack gap="lg" data-testid="target-detail">
      <Section id="target-health" title="Health now">
        <SimpleGrid cols={{ base: 1, sm: 2, lg: 4 }} spacing="lg">
          <Fact label="Health">
            <VerdictCell row={health} />
          </Fact>
          <Fact label="Breaker">
            <BreakerCell row={health} />
          </Fact>
          <Fact label="Probe that matters now">
            <ProbeCell row={health} />
          </Fact>
          <Fact label="Traffic (5 min)">
            <Text size="sm" c={rateColor(health.traffic.successRate)} span>
              {formatRate(health.traffic.successRate)}
            </Text>{' '}
            <Text size="xs" c="dimmed" span>
              {health.traffic.requests > 0 ? `of ${health.traffic.requests.toLocaleString('en-US')} attempts, p95 ${formatMs(health.traffic.p95)}` : 'no traffic'}
            </Text>
          </Fact>
        </SimpleGrid>
      </Section>

      <Section id="target-chains" title="Failover chains">
        {chains.length === 0 ? (
          <EmptyState title="In no failover chain">No service routes to this target. Add it to a service&apos;s chain on the service page.</EmptyState>
        ) : (
          <Table.ScrollContainer minWidth={340}>
            <Table verticalSpacing="xs" aria-label="Failover chains using this target">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Service</Table.Th>
                  <Table.Th>Place in the chain</Table.Th>
                  <Table.Th>Now</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {chains.map((use) => (
                  <Table.Tr key={use.serviceName}>
                    <Table.Td>
                      <LinkAnchor href={`/services/${encodeURIComponent(use.serviceName)}`} ff="monospace" size="sm">
                        {use.serviceName}
                      </LinkAnchor>
                      {!use.serviceEnabled && (
                        <Badge color="gray" variant="light" size="xs" ml={6}>
                          disabled
                        </Badge>
                      )}
                    </Table.Td>
                    <Table.Td>
                      {use.place} of {use.chainLength}
                    </Table.Td>
                    <Table.Td>
                      <Badge color={ROLE_LOOK[use.role].color} variant="light" size="sm" tt="none">
                        {ROLE_LOOK[use.role].label}
                      </Badge>
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )}
      </Section>

      <Section id="target-settings" title="Settings">
        <SimpleGrid cols={{ base: 2, sm: 3, lg: 4 }} spacing="md">
          <Fact label="Capacity">
            {target.rpm.toLocaleString('en-US')} RPM · {target.tpm.toLocaleString('en-US')} TPM
          </Fact>
          <Fact label="Context window">{target.contextWindow.toLocaleString('en-US')} tokens</Fact>
          <Fact label="Price per 1M tokens">
            {usd.format(target.priceInPerMTok)} in · {usd.format(target.priceOutPerMTok)} out
          </Fact>
          <Fact label="Quality">{target.qualityClass}</Fact>
          <Fact label="Endpoint">
            <Text size="sm" ff="monospace" style={{ wordBreak: 'break-all' }}>
              {target.endpointUrl}
            </Text>
          </Fact>
          <Fact label="Credential">{target.credential ? `${target.credential.name} (${target.credential.hint})` : 'none'}</Fact>
          <Fact label="Probes">every {formatDuration(target.probeIntervalMs)}</Fact>
          <Fact label="Declared availability">{target.declaredAvailability === null ? 'none' : `${(target.declaredAvailability * 100).toFixed(2)}%`}</Fact>
        </SimpleGrid>
      </Section>

      <Section id="target-probes" title="Recent probes">
        {probes.length === 0 ? (
          <EmptyState title="No probes yet">The health monitor probes every enabled target on its interval; none has reached this one.</EmptyState>
        ) : (
          <Table.ScrollContainer minWidth={520}>
            <Table verticalSpacing={4} aria-label="Recent probes">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>When</Table.Th>
                  <Table.Th>Result</Table.Th>
                  <Table.Th ta="right">Latency</Table.Th>
                  <Table.Th>Error</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {probes.map((probe) => (
                  <Table.Tr key={probe.at}>
                    <Table.Td>
                      <TimeAgo iso={probe.at} />
                    </Table.Td>
                    <Table.Td>
                      <Badge color={probe.ok ? 'green' : 'red'} variant="light" size="sm">
                        {probe.ok ? 'ok' : 'failed'}
                      </Badge>
                    </Table.Td>
                    <Table.Td ta="right">{formatMs(probe.latencyMs)}</Table.Td>
                    <Table.Td>{probeError(probe) ?? NO_DATA}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )}
      </Section>

      <Section id="target-history" title="History">
        <Stack gap="lg">
          <div>
            <Text size="sm" fw={600} mb={4}>
              Breaker transitions
            </Text>
            {transitions.length === 0 ? <Text size="sm" c="dimmed">Its breaker has never changed state.</Text> : <TransitionsTable rows={transitions} label="Breaker transitions of this target" />}
          </div>
          <div>
            <Text size="sm" fw={600} mb={4}>
              Steering that named it
            </Text>
            {steering.length === 0 ? (
              <Text size="sm" c="dimmed">No operator has pinned, drained or failed over away from it.</Text>
            ) : (
              <Stack gap={6} component="ul" style={{ listStyle: 'none', margin: 0, padding: 0 }}>
                {steering.map((o) => (
                  <Text key={o.id} size="sm" component="li">
                    <b>{STEERING_LABELS[o.kind]}</b>
                    {o.serviceName && ` for ${o.serviceName}`} by {o.createdBy}, {formatUtc(o.createdAt)}: “{o.reason}”
                    <Text span size="xs" c="dimmed">
                      {' '}
                      {o.clearedAt ? `ended ${formatUtc(o.clearedAt)}${o.clearedBy ? ` by ${o.clearedBy}` : ''}` : o.expiresAt ? `until ${formatUtc(o.expiresAt)}` : 'in force until cleared'}
                    </Text>
                  </Text>
                ))}
              </Stack>
            )}
          </div>
          <div>
            <Group justify="space-between" mb={4}>
              <Text size="sm" fw={600}>
                Changes to it
              </Text>
              <LinkAnchor href={`/audit?entity=${encodeURIComponent(target.name)}`} size="xs">
                Full history in the audit log
              </LinkAnchor>
            </Group>
            {changes.length === 0 ? (
              <Text size="sm" c="dimmed">No recorded change.</Text>
            ) : (
              <Stack gap={4} component="ul" style={{ listStyle: 'none', margin: 0, padding: 0 }}>
                {changes.map((c) => (
                  <Text key={c.id} size="sm" component="li">
                    {formatUtc(c.at)} · {c.action} by {c.actorEmail}
                    {c.reason && <Text span c="dimmed">{` · “${c.reason}”`}</Text>}
                  </Text>
                ))}
              </Stack>
            )}
          </div>
        </Stack>
      </Section>
    </Stack>
  );
}
