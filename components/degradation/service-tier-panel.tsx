'use client';

import { LiveDataAlert } from '@/components/ui/live-data-alert';
import { Alert, Badge, Card, Group, Stack, Table, Text, Title, Tooltip } from '@mantine/core';
import { IconHourglass } from '@tabler/icons-react';
import { useQuery } from '@tanstack/react-query';
import { TimeSince } from '@/components/health/relative-time';
import { UpdatedAgo } from '@/components/health/updated-ago';

import type { DegradedTargetOption, ServiceDegradation } from '@/lib/degradation/data';
import { describeShedding, describeTierPolicy, describeTierRange, formatFraction, formatSeconds } from '@/lib/degradation/describe';
import { degradationQueries } from '@/lib/degradation/queries';
import { TIER_LABELS } from '@/lib/routing/tier';
import { TIERS } from '@/lib/routing/enums';
import { catastrophicRegexReason } from '@/lib/degradation/regex-safety';
import { LevelText } from './level-text';
import { OverrideControls } from './override-controls';
import { PlanningRiskText } from './planning-risk';
import { PolicyEditor } from './policy-editor';
import { TIER_COLORS, TierBadge } from './tier-badge';
import { TierTimeline } from './tier-timeline';
import { formatUtc } from '@/lib/shared/format';

type Props = {
  initial: ServiceDegradation;
  /** Every target, for the policy editor; empty when the user cannot edit the policy. */
  targets: DegradedTargetOption[];
  canOverride: boolean;
  canEditPolicy: boolean;
};

/** The service page's degradation section: tier and D now, what the gateway does in it, every tier's policy, override, policy editor and timeline. */
export function ServiceTierPanel({ initial, targets, canOverride, canEditPolicy }: Props) {
  const query = useQuery({ ...degradationQueries.service(initial.serviceName), initialData: initial, initialDataUpdatedAt: Date.parse(initial.generatedAt) });
  const { data, error } = query;
  const { policy } = data;
  const degradedTarget = policy.degradedTarget ? { name: policy.degradedTarget.name, model: policy.degradedTarget.model } : null;

  return (
    <Card withBorder radius="md" padding="lg" component="section" aria-labelledby="degradation-title" data-testid="service-tier-panel">
      <Group justify="space-between" align="flex-start" mb="sm" wrap="wrap">
        <Group gap="sm" align="center">
          <Title order={3} size="h4" id="degradation-title">Degradation tier</Title>
          <UpdatedAgo updatedAt={query.dataUpdatedAt} fetching={query.isFetching} />
        </Group>
        <Group gap="xs">
          {canOverride && <OverrideControls data={data} degradedTarget={degradedTarget} />}
          {canEditPolicy && <PolicyEditor service={{ id: data.serviceId, name: data.serviceName }} policy={policy} targets={targets} />}
        </Group>
      </Group>

      <Stack gap="md">
        {error && (
          <LiveDataAlert error={error} note="What follows is from the last successful update." />
        )}

        <Group gap="xl" align="flex-start" wrap="wrap">
          <Stack gap={4}>
            <Text size="xs" c="dimmed">Tier now</Text>
            <Group gap="xs">
              <TierBadge tier={data.tier} size="lg" />
              {data.override && (
                <Badge color="grape" variant="light" tt="none">
                  override
                </Badge>
              )}
            </Group>
            {data.since && <TimeSince iso={data.since} />}
          </Stack>
          <Stack gap={4}>
            <Tooltip label="D: the RPM of the chain's targets that can take traffic now (not drained, disabled or breaker-open; half-open counts nothing) over the requests per minute really arriving." multiline w={320}>
              <Text size="xs" c="dimmed" tabIndex={0} style={{ textDecoration: 'underline dotted' }}>Capacity for demand</Text>
            </Tooltip>
            <LevelText level={data.level} availableRpm={data.availableRpm} demandRpm={data.demandRpm} tier={data.automaticTier} evaluated={data.evaluatedAt !== null} />
          </Stack>
          <Stack gap={4} maw={360}>
            <Text size="xs" c="dimmed">Planned capacity</Text>
            <PlanningRiskText risk={data.planning} />
          </Stack>
          {data.override && (
            <Stack gap={4}>
              <Text size="xs" c="dimmed">Automatic tier (from D)</Text>
              <TierBadge tier={data.automaticTier} />
            </Stack>
          )}
        </Group>

        <Text size="sm" data-testid="tier-effect">
          <b>What the gateway does now.</b>{' '}
          {describeShedding({ ...data, overridden: data.override !== null }, policy, degradedTarget)}
        </Text>

        {data.override && (
          <Alert color={TIER_COLORS[data.override.tier]} variant="light" title={`Held in ${TIER_LABELS[data.override.tier]} by ${data.override.by}`} data-testid="tier-override">
            “{data.override.reason}” · since {formatUtc(data.override.at)} · {data.override.expiresAt ? `until ${formatUtc(data.override.expiresAt)}` : 'until cleared'}. Without it the service would be {TIER_LABELS[data.automaticTier]}.
          </Alert>
        )}
        {!data.override && data.pendingTier && data.pendingSince && (
          <Alert color="blue" variant="light" icon={<IconHourglass size={18} />}>
            Capacity is back: {data.serviceName} moves up to {TIER_LABELS[data.pendingTier]} once it has held for {formatSeconds(policy.holdSeconds)} (held{' '}
            <TimeSince iso={data.pendingSince} span />). Requests the capacity has room for are served normally meanwhile.
          </Alert>
        )}

        <div>
          <Text size="sm" fw={600} mb={4}>What each tier does</Text>
          <Table.ScrollContainer minWidth={640}>
            <Table verticalSpacing="xs" withTableBorder aria-label="Tier policies">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Tier</Table.Th>
                  <Table.Th>When</Table.Th>
                  <Table.Th>What requests beyond capacity get</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {TIERS.map((tier) => (
                  <Table.Tr key={tier} aria-current={tier === data.tier ? 'true' : undefined} style={tier === data.tier ? { outline: `2px solid var(--mantine-color-${TIER_COLORS[tier]}-filled)`, outlineOffset: -2 } : undefined}>
                    <Table.Td>
                      <Group gap={6} wrap="nowrap">
                        <TierBadge tier={tier} />
                        {tier === data.tier && <Text size="xs" c="dimmed">now</Text>}
                      </Group>
                    </Table.Td>
                    <Table.Td style={{ whiteSpace: 'nowrap' }}>
                      <Text size="sm">{describeTierRange(tier, policy)}</Text>
                    </Table.Td>
                    <Table.Td>
                      <Text size="sm">{describeTierPolicy(tier, policy, degradedTarget)}</Text>
                      {tier === 'minimal' && policy.rules.length > 0 && (
                        <Stack gap={2} mt={4} component="ul" style={{ listStyle: 'none', margin: 0, padding: 0 }} aria-label="Rule-based answers">
                          {policy.rules.map((rule, i) => (
                            <Text key={i} size="xs" c="dimmed" component="li">
                              {rule.match} <Text span ff="monospace" size="xs">{rule.pattern}</Text> → “{rule.answer}”
                              {rule.match === 'regex' && catastrophicRegexReason(rule.pattern) && (
                                <Badge color="red" variant="light" size="xs" ml={6} title={`Skipped by the gateway: ${catastrophicRegexReason(rule.pattern)}. Edit the policy to rewrite it.`}>
                                  never matches
                                </Badge>
                              )}
                            </Text>
                          ))}
                        </Stack>
                      )}
                      {tier === 'emergency' && (
                        <Text size="xs" c="dimmed" mt={4}>
                          Message: “{policy.maintenanceMessage}”
                        </Text>
                      )}
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
          <Text size="xs" c="dimmed" mt={4}>
            Requests the capacity has room for are always served normally: a tier applies only to the overflow. Down a tier at once; up a tier only when
            capacity is at least {formatFraction(policy.hysteresis)} of demand above the threshold it crosses and holds there for {formatSeconds(policy.holdSeconds)}.
            {policy.isDefault && ' This service uses the default policy.'}
          </Text>
        </div>

        <div>
          <Text size="sm" fw={600} mb={4}>Tier timeline</Text>
          <TierTimeline changes={data.changes} />
        </div>
      </Stack>
    </Card>
  );
}
