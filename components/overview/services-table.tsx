'use client';

import { memo } from 'react';
import { Badge, Group, Stack, Table, Text, Tooltip } from '@mantine/core';
import { PlanningRiskText } from '@/components/degradation/planning-risk';
import { TierBadge } from '@/components/degradation/tier-badge';
import { formatLevel, levelFormula } from '@/lib/degradation/describe';
import { TIER_LABELS } from '@/lib/routing/tier';
import { BreakerBadge } from '@/components/health/breaker-badge';
import { formatAttainment, formatTarget } from '@/components/slo/format';
import { BudgetBar, BurnFigure, SEVERITY_COLORS } from '@/components/slo/slo-parts';

import { LinkAnchor } from '@/components/ui/link-anchor';
import type { OverviewService } from '@/lib/overview/data';
import type { TroubleLevel } from '@/lib/overview/trouble';
import { TargetLink } from '@/components/ui/target-link';
import { formatUtc } from '@/lib/shared/format';

export const TROUBLE_LOOK: Record<TroubleLevel, { color: string; label: string }> = {
  critical: { color: 'red', label: 'Critical' },
  warning: { color: 'yellow', label: 'Warning' },
  ok: { color: 'teal', label: 'OK' },
  disabled: { color: 'gray', label: 'Disabled' },
};

const serviceHref = (name: string) => `/services/${encodeURIComponent(name)}`;

function ServiceCell({ service }: { service: OverviewService }) {
  const look = TROUBLE_LOOK[service.trouble.level];
  return (
    <Stack gap={2} miw={200}>
      <Group gap={6} wrap="nowrap">
        <Badge color={look.color} variant={service.trouble.level === 'critical' ? 'filled' : 'light'} size="xs" miw="max-content">
          {look.label}
        </Badge>
        <LinkAnchor href={serviceHref(service.name)} ff="monospace" fw={600} size="sm">
          {service.name}
        </LinkAnchor>
      </Group>
      {service.trouble.reasons.length > 0 && (
        <Text size="xs" c={service.trouble.level === 'critical' ? 'red' : 'dimmed'} data-testid="trouble-reasons">
          {service.trouble.reasons.join(' · ')}
        </Text>
      )}
    </Stack>
  );
}

function TierCell({ service }: { service: OverviewService }) {
  const { tierOverride, level, capacity } = service;
  const shed = !tierOverride && service.tier !== 'full' && capacity.servedShare < 1 ? 100 - Math.round(capacity.servedShare * 100) : 0;
  return (
    <Stack gap={2} maw={260}>
      <TierBadge tier={service.tier} />
      {tierOverride ? (
        <Tooltip label={`${tierOverride.reason || 'No reason given'}${tierOverride.expiresAt ? ` · until ${formatUtc(tierOverride.expiresAt)}` : ' · until cleared'}`} multiline maw={280}>
          <Text size="xs" c="dimmed">
            set by {tierOverride.by}
          </Text>
        </Tooltip>
      ) : (
        <Tooltip label={`${levelFormula(capacity.availableRpm, capacity.demandRpm)}, as last measured.`} multiline w={300}>
          <Text size="xs" c={shed ? 'orange.8' : 'dimmed'} tabIndex={0}>
            {shed ? `${shed}% of requests beyond capacity get ${TIER_LABELS[service.tier]}` : level === null ? 'no demand measured' : `capacity ${formatLevel(level)} of demand`}
          </Text>
        </Tooltip>
      )}
      <PlanningRiskText risk={capacity.planning} size="xs" />
    </Stack>
  );
}

function ServingCell({ service }: { service: OverviewService }) {
  const { routing } = service;
  if (!routing.serving) {
    return (
      <Text size="sm" c={routing.chainLength === 0 ? 'dimmed' : 'red'} fw={routing.chainLength === 0 ? undefined : 600}>
        {routing.chainLength === 0 ? 'no chain' : 'nothing can serve'}
      </Text>
    );
  }
  return (
    <Stack gap={2}>
      <Group gap={6} wrap="nowrap">
        <Text size="sm" data-testid="serving-target">
          <TargetLink name={routing.serving.name} />
        </Text>
        {routing.lastResort && (
          <Badge color="red" variant="filled" size="xs" miw="max-content">
            last resort
          </Badge>
        )}
      </Group>
      <Text size="xs" c={routing.mode === 'automatic' ? 'dimmed' : 'yellow'}>
        {routing.mode === 'automatic' ? `${routing.fallbacks} fallback${routing.fallbacks === 1 ? '' : 's'} behind it` : routing.modeLabel}
      </Text>
    </Stack>
  );
}

function SloCell({ service }: { service: OverviewService }) {
  const { slo } = service;
  return (
    <Stack gap={2}>
      <Text size="sm" fw={600} c={slo.meetsTarget == null ? 'dimmed' : slo.meetsTarget ? 'teal' : 'red'}>
        {slo.requests === 0 ? 'no traffic' : formatAttainment(slo.attainment)}
      </Text>
      <Text size="xs" c="dimmed">
        target {formatTarget(slo.target)} · {slo.windowDays} d
      </Text>
    </Stack>
  );
}

function BurnCell({ service }: { service: OverviewService }) {
  const { pressing } = service.slo;
  return (
    <Stack gap={4}>
      {pressing ? (
        <Group gap={6} wrap="nowrap">
          <BurnFigure burn={pressing.burn} threshold={pressing.threshold} firing={pressing.firing} />
          <Text size="xs" c="dimmed" ff="monospace">
            {pressing.ruleId}
          </Text>
        </Group>
      ) : (
        <Text size="sm" c="dimmed">
          —
        </Text>
      )}
      {service.alertRules.length > 0 && (
        <Group gap={4}>
          {service.alertRules.map((rule) => (
            <Badge key={rule} size="xs" tt="none" variant="filled" color={SEVERITY_COLORS[rule.startsWith('page') ? 'page' : 'ticket']}>
              {rule}
            </Badge>
          ))}
        </Group>
      )}
    </Stack>
  );
}

function BreakersCell({ service }: { service: OverviewService }) {
  if (service.breakers.length === 0) {
    return (
      <Text size="xs" c="dimmed">
        all closed
      </Text>
    );
  }
  return (
    <Stack gap={4}>
      {service.breakers.map((b) => (
        <Group key={b.targetId} gap={6} wrap="nowrap">
          <BreakerBadge state={b.state} size="xs" />
          <TargetLink name={b.name} size="xs" />
        </Group>
      ))}
    </Stack>
  );
}

/** Every service, trouble first: tier, serving target, SLO, budget, burn and breakers at a glance. */
export const OverviewServicesTable = memo(function OverviewServicesTable({ services }: { services: OverviewService[] }) {
  return (
    <Table.ScrollContainer minWidth={1040}>
      <Table verticalSpacing="xs" highlightOnHover aria-label="Services by trouble">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Service</Table.Th>
            <Table.Th>Tier</Table.Th>
            <Table.Th>Serving now</Table.Th>
            <Table.Th>
              <Tooltip label="Share of requests that succeeded over the SLO window">
                <span>Attainment</span>
              </Tooltip>
            </Table.Th>
            <Table.Th>Error budget left</Table.Th>
            <Table.Th>
              <Tooltip label="The slower burn of the alert rule nearest to firing, in multiples of the sustainable rate; red at or over its threshold" multiline maw={280}>
                <span>Burn rate</span>
              </Tooltip>
            </Table.Th>
            <Table.Th>Breakers</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {services.map((service) => (
            <Table.Tr
              key={service.id}
              data-testid="overview-service"
              data-service={service.name}
              data-trouble={service.trouble.level}
              style={{ boxShadow: service.trouble.level === 'critical' || service.trouble.level === 'warning' ? `inset 4px 0 0 var(--mantine-color-${TROUBLE_LOOK[service.trouble.level].color}-filled)` : undefined }}
            >
              <Table.Td>
                <ServiceCell service={service} />
              </Table.Td>
              <Table.Td>
                <TierCell service={service} />
              </Table.Td>
              <Table.Td>
                <ServingCell service={service} />
              </Table.Td>
              <Table.Td>
                <SloCell service={service} />
              </Table.Td>
              <Table.Td>
                <BudgetBar fraction={service.slo.budgetFraction} tooFewRequests={service.slo.budgetTooFew} width={80} />
              </Table.Td>
              <Table.Td>
                <BurnCell service={service} />
              </Table.Td>
              <Table.Td>
                <BreakersCell service={service} />
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
});
