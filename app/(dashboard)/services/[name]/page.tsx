import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { Alert, Badge, Card, Group, Stack, Text, Title } from '@mantine/core';
import { IconAlertTriangle } from '@tabler/icons-react';
import { AvailabilitySection } from '@/components/availability/availability-section';
import { ServiceCharts } from '@/components/charts/service-charts';
import { ServiceTierPanel } from '@/components/degradation/service-tier-panel';
import { ChainEditor } from '@/components/failover/chain-editor';
import { ChainTable } from '@/components/failover/chain-table';
import { formatLoad } from '@/components/failover/format';
import { OverrideList } from '@/components/failover/override-list';
import { ModeBadge } from '@/components/failover/routing-badges';
import { SteeringControls } from '@/components/failover/steering-controls';
import { ServiceLivePanel } from '@/components/health/service-live-panel';
import { ServiceSloPanel } from '@/components/slo/service-slo-panel';
import { LinkAnchor } from '@/components/ui/link-anchor';
import { PageHeader } from '@/components/ui/page-header';
import { getDegradedTargetOptions, getServiceDegradation } from '@/lib/degradation/data';
import { getChainTargetOptions, getServiceRouting } from '@/lib/failover/data';
import { SKIP_REASON_LABELS } from '@/lib/failover/plan';
import { getServiceChartData } from '@/lib/health/chart-data';
import { getServiceLive } from '@/lib/health/data';
import { getServiceSlo } from '@/lib/slo/data';
import { authorize } from '@/lib/server/auth';
import { hasPermission } from '@/lib/server/permissions';

type Params = { params: Promise<{ name: string }> };

export async function generateMetadata({ params }: Params): Promise<Metadata> {
  return { title: decodeURIComponent((await params).name) };
}

export default async function ServicePage({ params }: Params) {
  const user = await authorize('estate.read');
  const name = decodeURIComponent((await params).name);
  const canSteer = hasPermission(user.role, 'failover.write');
  const [routing, options, live, slo, charts] = await Promise.all([getServiceRouting(name), canSteer ? getChainTargetOptions() : Promise.resolve([]), getServiceLive(name), getServiceSlo(name), getServiceChartData(name, '24h')]);
  if (!routing) notFound();
  const [degradation, degradedTargets] = await Promise.all([getServiceDegradation(name), hasPermission(user.role, 'inventory.write') ? getDegradedTargetOptions() : Promise.resolve([])]);
  const { service, chain, plan, overrides, load } = routing;
  const skippedNotes = plan.skipped.filter((s) => s.reason !== 'not_pinned');

  return (
    <>
      <LinkAnchor href="/services" size="sm">
        ← Services
      </LinkAnchor>
      <PageHeader
        title={service.name}
        description={
          <>
            {service.description || 'No description.'}
            {service.owner && <> Owner: {service.owner}.</>}
          </>
        }
        actions={!service.enabled ? <Badge color="gray" variant="light">disabled</Badge> : null}
      />
      <Stack gap="lg">
        <Card withBorder radius="md" padding="lg" component="section" aria-labelledby="routing-title">
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
            <Group gap="sm" align="baseline">
              <ModeBadge plan={plan} size="lg" />
              <Text size="sm">
                {plan.serving ? (
                  <>
                    Serving: <Text span ff="monospace" fw={600}>{plan.serving.name}</Text>
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

        <section aria-label="Live health">
          <ServiceLivePanel serviceName={service.name} initial={live ?? undefined} />
        </section>

        {degradation && <ServiceTierPanel initial={degradation} targets={degradedTargets} canOverride={canSteer} canEditPolicy={hasPermission(user.role, 'inventory.write')} />}
        <ServiceSloPanel serviceName={service.name} initial={slo ?? undefined} />
        <ServiceCharts serviceName={service.name} initial={charts ?? undefined} />
        <AvailabilitySection serviceName={service.name} />
      </Stack>
    </>
  );
}
