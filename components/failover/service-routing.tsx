'use client';

import { Alert, Card, Group, Stack, Text, Title } from '@mantine/core';
import { IconAlertTriangle } from '@tabler/icons-react';
import { useQuery } from '@tanstack/react-query';
import { LiveDataAlert } from '@/components/ui/live-data-alert';
import type { ChainTargetOption, ServiceRouting as Routing } from '@/lib/failover/data';
import { SKIP_REASON_LABELS } from '@/lib/routing/plan';
import { failoverQueries } from '@/lib/failover/queries';
import { TargetLink } from '@/components/ui/target-link';
import { ChainEditor } from './chain-editor';
import { ChainTable } from './chain-table';
import { formatLoad } from './format';
import { OverrideList } from './override-list';
import { ModeBadge } from './routing-badges';
import { SteeringControls } from './steering-controls';

type Props = { initial: Routing; canSteer: boolean; options: ChainTargetOption[] };

/**
 * The service page's routing and failover chain cards. Live: they poll, and a
 * steering action or a chain save writes its result into the same query, so
 * the cards show the new state the moment the action returns.
 */
export function ServiceRouting({ initial, canSteer, options }: Props) {
  const query = useQuery({ ...failoverQueries.routing(initial.service.name), initialData: initial });
  const { service, chain, plan, overrides, load } = query.data;
  const skippedNotes = plan.skipped.filter((s) => s.reason !== 'not_pinned');

  return (
    <>
      <Card withBorder radius="md" padding="lg" component="section" aria-labelledby="routing-title" data-testid="routing-card">
        <Group justify="space-between" align="flex-start" mb="sm" wrap="wrap">
          <Title order={3} size="h4" id="routing-title">Routing</Title>
          {canSteer && (
            <SteeringControls
              service={{ id: service.id, name: service.name, routingVersion: service.routingVersion }}
              chain={chain.map((e) => ({ targetId: e.targetId, name: e.targetName, enabled: e.enabled }))}
              plan={plan}
              overrideCount={overrides.length}
            />
          )}
        </Group>
        <Stack gap="sm">
          {query.error && <LiveDataAlert error={query.error} note="What follows is from the last successful update." />}
          <Group gap="sm" align="baseline">
            <ModeBadge plan={plan} size="lg" />
            <Text size="sm" component="div">
              {plan.serving ? (
                <>
                  Serving: <TargetLink name={plan.serving.name} />
                  {plan.fallbacks.length > 0 && <> · then {plan.fallbacks.map((f) => f.name).join(', then ')}</>}
                </>
              ) : chain.length === 0 ? (
                'No failover chain yet: every request for this service fails.'
              ) : (
                'Nothing serves: every request for this service fails.'
              )}
            </Text>
          </Group>
          {plan.lastResort && (
            <Alert color="red" variant="light" icon={<IconAlertTriangle size={18} />}>
              Every target left has an open breaker: requests go to {plan.serving?.name} only as a last resort and may fail.
            </Alert>
          )}
          {skippedNotes.length > 0 && (
            <Text size="sm" c="dimmed">
              Skipped: {skippedNotes.map((s) => `${s.name} (${SKIP_REASON_LABELS[s.reason]})`).join(', ')}
            </Text>
          )}
          <Text size="sm" c="dimmed">
            Load: {load.requestsPerMinute > 0 ? `${formatLoad(load.requestsPerMinute)} over the last ${load.windowMinutes} minutes` : `no traffic in the last ${load.windowMinutes} minutes`}
          </Text>
          <div>
            <Text size="sm" fw={600} mb={4}>Active overrides</Text>
            <OverrideList overrides={overrides} />
          </div>
        </Stack>
      </Card>

      <Card withBorder radius="md" padding="lg" component="section" aria-labelledby="chain-title">
        <Group justify="space-between" mb="sm">
          <Title order={3} size="h4" id="chain-title">Failover chain</Title>
          {canSteer && <ChainEditor service={{ id: service.id, name: service.name, version: service.version }} chain={chain} options={options} />}
        </Group>
        {chain.length === 0 ? (
          <Text size="sm" c="dimmed">
            {canSteer ? 'No targets yet. Edit the chain to choose which targets serve this service, in order.' : 'No targets yet. An operator chooses which targets serve this service.'}
          </Text>
        ) : (
          <ChainTable chain={chain} plan={plan} />
        )}
      </Card>
    </>
  );
}
